/**
 * The one way to reach the FHIR server (HAPI): the FhirStore port of the use cases
 * (usecases/ports.ts). Per-request timeouts, retries on transient failures only, and the
 * server's OperationOutcome surfaced as a typed FhirServerError (a ProblemError whose kind says
 * what the use cases and the edges must do about it).
 *
 * fhir-kit-client 2.x is ESM-only while this project is CommonJS: it is loaded once with a
 * dynamic import, which is why `createFhirClient` is async.
 */
import type { Bundle, CapabilityStatement, FhirResource, OperationOutcome, Parameters, Resource } from 'fhir/r4';
import type { Client as FhirKitClient } from 'fhir-kit-client' with { 'resolution-mode': 'import' };
import { ProblemError, type ProblemKind } from '../domain/problem';
import type { FhirStore, StoreRequestOptions, WithVersion } from '../usecases/ports';

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
 * What a store failure means for its caller; the problems a client may see say nothing of the store's own
 * diagnostics.
 */
function kindOf(status: number): ProblemKind {
  if (status === 0 || status === 504) return 'unavailable';
  if (status === 409 || status === 412) return 'conflict';
  return 'upstream';
}

const CLIENT_MESSAGES: Partial<Record<ProblemKind, string>> = {
  unavailable: 'The FHIR store is unavailable; retry later',
  conflict: 'The resource was changed by someone else; read it again and retry',
};

/** A failure talking to the FHIR server: HTTP error with its OperationOutcome, or a network/timeout error. */
export class FhirServerError extends ProblemError {
  constructor(
    /** The error's message, for the logs only: it may quote the store's diagnostics. */
    message: string,
    /** HTTP status; 0 when no response was received (refused, reset, timeout). */
    readonly status: number,
    readonly outcome?: OperationOutcome,
    readonly transient: boolean = false,
  ) {
    const kind = kindOf(status);
    super(kind, [
      {
        code: kind === 'conflict' ? 'conflict' : kind === 'unavailable' ? 'transient' : 'exception',
        message: CLIENT_MESSAGES[kind] ?? 'The FHIR store refused the request',
      },
    ]);
    this.message = message;
    this.name = 'FhirServerError';
  }

  /** HAPI answers 409/412 for version conflicts and for concurrent conditional creates of the same URL. */
  get isConflict(): boolean {
    return this.status === 409 || this.status === 412;
  }
}

const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
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
    const detail = diagnosticsOf(outcome);
    return new FhirServerError(
      `FHIR server answered ${status} to ${method} ${path}${detail ? `: ${detail}` : ''}`,
      status,
      outcome,
      TRANSIENT_STATUSES.has(status),
    );
  }
  const reason =
    e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timed out' : (e.cause?.code ?? e.message ?? 'failed');
  return new FhirServerError(`FHIR server unreachable (${method} ${path}: ${reason})`, 0, undefined, true);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function versionFromEtag(etag: string | null | undefined): string | undefined {
  const match = etag?.match(/^(?:W\/)?"([^"]+)"$/);
  return match?.[1];
}

export class FhirClient implements FhirStore {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly kit: FhirKitClient,
    readonly baseUrl: string,
    options: FhirClientOptions,
    private readonly responseKey: symbol | string,
  ) {
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
  ): Promise<Bundle<T>> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    }
    return (await this.request<Bundle<T>>('GET', `${resourceType}?${query.toString()}`)).resource;
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
