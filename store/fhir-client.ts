/**
 * The one way to reach the FHIR server (HAPI): the FhirStore port of the use cases
 * (usecases/ports.ts). Per-request timeouts, retries on transient failures only, and the
 * server's answer surfaced as a typed FhirServerError (a ProblemError whose kind says what the use
 * cases and the edges must do about it, read from the status and HAPI's OperationOutcome by
 * store/hapi-errors.ts), whose message — the one that is logged — never quotes HAPI's diagnostics.
 *
 * fhir-kit-client 2.x is ESM-only while this project is CommonJS: it is loaded once with a
 * dynamic import, which is why `createFhirClient` is async.
 */
import type { Bundle, CapabilityStatement, FhirResource, OperationOutcome, Parameters, Resource } from 'fhir/r4';
import type { Client as FhirKitClient } from 'fhir-kit-client' with { 'resolution-mode': 'import' };
import { ProblemError, type Problem, type ProblemKind } from '../domain/problem';
import type { FhirStore, SearchOptions, StoreRequestOptions, WithVersion } from '../usecases/ports';
import { hapiCodesIn, storeFaultOf, type StoreFault } from './hapi-errors';

export interface FhirClientOptions {
  baseUrl: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts after the first one, on transient failures only. */
  retries?: number;
  /** First backoff delay; doubles each retry. */
  retryDelayMs?: number;
  headers?: Record<string, string>;
}

/**
 * What a store failure means for its caller: its kind, and the problem a client may see, which
 * says nothing of the store's own diagnostics (HAPI's codes at most).
 */
function clientProblemOf(fault: StoreFault, codes: readonly string[]): { kind: ProblemKind; problem: Problem } {
  switch (fault) {
    case 'unreachable':
      return {
        kind: 'unavailable',
        problem: { code: 'transient', message: 'The FHIR store is unavailable; retry later' },
      };
    case 'concurrency':
      return {
        kind: 'conflict',
        problem: { code: 'conflict', message: 'The resource was changed by someone else; read it again and retry' },
      };
    case 'payload':
      return {
        kind: 'invalid',
        problem: {
          code: 'value',
          rule: 'V2',
          message: `The FHIR store cannot keep a value of this request${codes.length > 0 ? ` (${codes.join(', ')})` : ''}; sending it again will not help`,
        },
      };
    case 'transient':
    case 'refused':
      return { kind: 'upstream', problem: { code: 'exception', message: 'The FHIR store refused the request' } };
  }
}

/** A failure talking to the FHIR server: HTTP error with its OperationOutcome, or a network/timeout error. */
export class FhirServerError extends ProblemError {
  /** What the failure means (store/hapi-errors.ts). */
  readonly fault: StoreFault;
  /** The same request may succeed later (retried by the client, answered "retry later"). */
  readonly transient: boolean;
  /**
   * The store's OperationOutcome, diagnostics included: for code that shows a refusal to whoever
   * caused it, never for logs. Not enumerable, so that a logged error does not carry it.
   */
  declare readonly outcome?: OperationOutcome;

  constructor(
    /** The error's message, logged: the status, the request and HAPI's codes, never its diagnostics. */
    message: string,
    /** HTTP status; 0 when no response was received (refused, reset, timeout). */
    readonly status: number,
    outcome?: OperationOutcome,
    /** Overrides what the status and the outcome say of it. */
    transient?: boolean,
  ) {
    const diagnostics = diagnosticsOf(outcome);
    const fault = storeFaultOf(status, diagnostics);
    const { kind, problem } = clientProblemOf(fault, hapiCodesIn(diagnostics));
    super(kind, [problem]);
    this.message = message;
    this.name = 'FhirServerError';
    this.fault = fault;
    this.transient = transient ?? (fault === 'unreachable' || fault === 'transient');
    Object.defineProperty(this, 'outcome', { value: outcome, enumerable: false });
  }

  /** A concurrent writer won: a version that moved on, a unique index or conditional-create URL taken. */
  get isConflict(): boolean {
    return this.fault === 'concurrency';
  }
}

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

function isOperationOutcome(data: unknown): data is OperationOutcome {
  return typeof data === 'object' && data !== null && (data as Resource).resourceType === 'OperationOutcome';
}

/** The diagnostics of an OperationOutcome's issues, joined ('' when none). */
export const diagnosticsOf = (outcome: OperationOutcome | undefined): string =>
  (outcome?.issue ?? [])
    .map((i) => i.diagnostics)
    .filter(Boolean)
    .join('; ');

function toFhirServerError(err: unknown, method: string, path: string): FhirServerError {
  if (err instanceof FhirServerError) return err;
  const e = err as {
    name?: string;
    message?: string;
    response?: { status?: number; data?: unknown };
    cause?: { code?: string };
  };
  if (e.response?.status) {
    const status = e.response.status;
    const outcome = isOperationOutcome(e.response.data) ? e.response.data : undefined;
    const codes = hapiCodesIn(diagnosticsOf(outcome));
    return new FhirServerError(
      `FHIR server answered ${status} to ${method} /${path}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`,
      status,
      outcome,
    );
  }
  const reason =
    e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.message ?? 'failed');
  return new FhirServerError(`FHIR server unreachable (${method} /${path}: ${reason})`, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function versionFromEtag(etag: string | null | undefined): string | undefined {
  const match = etag?.match(/^(?:W\/)?"([^"]+)"$/);
  return match?.[1];
}

export class FhirClient implements FhirStore {
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly kit: FhirKitClient,
    readonly baseUrl: string,
    options: FhirClientOptions,
    private readonly responseKey: symbol | string,
  ) {
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
  }

  /** Low-level call; `path` is relative to the base URL (e.g. "Patient?identifier=x"). */
  async request<T = FhirResource>(
    method: string,
    path: string,
    body?: unknown,
    options: StoreRequestOptions = {},
  ): Promise<WithVersion<T>> {
    const retryable = RETRYABLE_METHODS.has(method) || options.idempotent === true;
    // Uncompressed: the store sits on the same host or network, and gzip of 10-20 KB bundles cost
    // both sides more CPU than the bytes saved (≈1 ms per prescription lookup in the gateway, bench/dispense).
    const headers = {
      accept: 'application/fhir+json',
      'accept-encoding': 'identity',
      ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
      ...options.headers,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const result = (await this.kit.request(path, {
          method: method as 'GET',
          body: body as FhirResource,
          options: { headers, signal: AbortSignal.timeout(this.timeoutMs) },
        })) as unknown as Record<string | symbol, unknown>;
        const response = result[this.responseKey] as Response | undefined;
        return { resource: result as T, versionId: versionFromEtag(response?.headers.get('etag')) };
      } catch (err) {
        const error = toFhirServerError(err, method, path.split('?')[0] ?? path);
        if (!error.transient || !retryable || attempt >= this.retries) throw error;
        await sleep(this.retryDelayMs * 2 ** attempt);
      }
    }
  }

  async read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<WithVersion<T>> {
    return this.request<T>('GET', `${resourceType}/${encodeURIComponent(id)}`);
  }

  async search<T extends Resource = Resource>(
    resourceType: string,
    params: Record<string, string | string[]>,
    options: SearchOptions = {},
  ): Promise<Bundle<T>> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    }
    // no-store: HAPI answers from one synchronous query instead of writing a search and its results to its database
    const headers = options.unpaged ? { 'cache-control': 'no-store' } : undefined;
    return (await this.request<Bundle<T>>('GET', `${resourceType}?${query.toString()}`, undefined, { headers }))
      .resource;
  }

  /** `If-None-Match` on the version: 304 when it is still the stored one (no body read, no search). */
  async isCurrentVersion(resourceType: string, id: string, versionId: string): Promise<boolean> {
    const path = `${resourceType}/${encodeURIComponent(id)}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/${path}`, {
        headers: {
          ...this.headers,
          accept: 'application/fhir+json',
          'accept-encoding': 'identity',
          'if-none-match': `W/"${versionId}"`,
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw toFhirServerError(err, 'GET', path);
    }
    await res.body?.cancel();
    if (res.status === 304) return true;
    if (res.ok || res.status === 404 || res.status === 410) return false;
    throw new FhirServerError(`GET ${path} answered ${res.status}`, res.status);
  }

  async create<T extends Resource>(resource: T, options: StoreRequestOptions = {}): Promise<WithVersion<T>> {
    return this.request<T>('POST', resource.resourceType, resource, options);
  }

  /** Update; with `ifMatch` the server refuses (412) when the stored version moved on. */
  async update<T extends Resource>(resource: T & { id: string }, ifMatch?: string): Promise<WithVersion<T>> {
    const headers: Record<string, string> = ifMatch ? { 'if-match': `W/"${ifMatch}"` } : {};
    return this.request<T>('PUT', `${resource.resourceType}/${encodeURIComponent(resource.id)}`, resource, { headers });
  }

  /** FHIRPath Patch (idempotent: the same patch twice leaves the same resource). */
  async patch(resourceType: string, id: string, patch: Parameters, ifMatch?: string): Promise<void> {
    const headers: Record<string, string> = ifMatch ? { 'if-match': `W/"${ifMatch}"` } : {};
    await this.request('PATCH', `${resourceType}/${encodeURIComponent(id)}`, patch, { headers, idempotent: true });
  }

  async delete(resourceType: string, id: string): Promise<void> {
    await this.request('DELETE', `${resourceType}/${encodeURIComponent(id)}`);
  }

  /** A transaction is all-or-nothing on HAPI; pass idempotent when every entry is conditional. */
  async transaction(bundle: Bundle<FhirResource>, options: StoreRequestOptions = {}): Promise<Bundle<FhirResource>> {
    return (await this.request<Bundle<FhirResource>>('POST', '', bundle, options)).resource;
  }

  async capabilityStatement(): Promise<CapabilityStatement> {
    return (await this.request<CapabilityStatement>('GET', 'metadata?_summary=true')).resource;
  }
}

export async function createFhirClient(options: FhirClientOptions): Promise<FhirClient> {
  const { Client, RESPONSE_KEY } = await import('fhir-kit-client');
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const kit = new Client({ baseUrl, customHeaders: options.headers ?? {} });
  return new FhirClient(kit, baseUrl, options, RESPONSE_KEY);
}
