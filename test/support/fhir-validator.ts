/**
 * Drives tools/fhir-validator: HAPI FHIR 8.8.0's generic client and FhirInstanceValidator (R4 core
 * definitions + the conformance resources a server serves), one JVM per call. Start-up, loading the
 * R4 core and the first validation cost ~10–15 s, each further resource well under a second: send
 * everything a test file needs in one request. Shapes: tools/fhir-validator/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureJavaToolBuilt, javaToolJar } from './java-tool';

export const FHIR_VALIDATOR_JAR = javaToolJar('fhir-validator');

type JsonObject = Record<string, unknown>;

export interface FhirValidatorRequest {
  /** Authorization header ("Bearer …") for reading absolute references at their address. */
  authorization?: string;
  options?: {
    /** Default false: an extension the loaded definitions do not define is an error. */
    anyExtensionsAllowed?: boolean;
    /** Default true: a reference not in the Bundle may resolve by GET at its address. */
    readReferences?: boolean;
    /** Pages followed per search (default 50). */
    maxPages?: number;
  };
  /** Load every conformance resource served under base (e.g. `<gateway>/fhir`) into the validator. */
  conformance?: {
    base: string;
    authorization?: string;
    /** Also validate the searchset pages the conformance resources came in. */
    validateResponses?: boolean;
  };
  /** Drive a server with HAPI's default generic client; what it receives is validated too. */
  client?: {
    /** `<gateway>/fhir`: where messages go (`POST [base]/$process-message?async=false`). */
    base?: string;
    /** `<gateway>/audit/fhir` */
    auditBase?: string;
    /** "Bearer …" (or the bare token) for the audit searches and reads. */
    auditorToken?: string;
    messages?: { name: string; token?: string; bundle: JsonObject }[];
    /** params: query parameters, a value or a list of values (repeated parameter). */
    auditSearches?: { name?: string; type: string; params?: Record<string, string | number | (string | number)[]> }[];
  };
  validate?: {
    name: string;
    resource: JsonObject;
    /** Where the resource was read: the base for its relative references (outside a Bundle). */
    fullUrl?: string;
    /** Overrides the request's authorization for this resource's references. */
    authorization?: string;
  }[];
}

export interface ValidationIssue {
  location: string | null;
  message: string;
  messageId: string | null;
  line?: number;
  col?: number;
}

export interface UnresolvedReference {
  /** The Reference element (`Bundle.entry[2].resource.subject`), or the validator's location. */
  path: string;
  reference: string | null;
  reason: string;
  /** `r4-rules` (the harness's own check) or `validator:<messageId>`. */
  source: string;
}

export interface ValidationResult {
  name: string;
  resourceType: string | null;
  /** Severity error or fatal. */
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  unresolvedReferences: UnresolvedReference[];
  /** References found at their address (GET) rather than in the Bundle. */
  resolvedByRead: { path: string; reference: string; url: string }[];
}

export interface ClientExchange {
  method: string;
  url: string;
  status: number;
}

export interface ClientMessageResult {
  kind: 'message';
  name: string;
  /** The POST, when it was sent; the raw answer in `response` (JSON, or the text served). */
  url?: string;
  status?: number;
  response?: JsonObject | string;
  /** The exception HAPI's client threw, with its message. */
  error?: string;
  /** Every HTTP exchange of this client, /metadata included. */
  exchanges: ClientExchange[];
}

export interface ClientSearchPage {
  number: number;
  url: string;
  status: number;
  entries: number;
  total?: number;
  next: string | null;
  bundle: JsonObject | string;
  /** The first entry with a fullUrl, read at that address; null when the page has none. */
  read: { fullUrl: string; url?: string; status?: number; resource?: JsonObject | string; error?: string } | null;
}

export interface ClientSearchResult {
  kind: 'search';
  name: string;
  type: string;
  params: JsonObject;
  pages: ClientSearchPage[];
  error?: string;
  failedUrl?: string;
  failedStatus?: number;
  failedBody?: JsonObject | string;
  exchanges: ClientExchange[];
}

export interface FhirValidatorReport {
  conformance?: {
    base: string;
    loaded: number;
    byType: Record<string, number>;
    /** Canonical URLs of the StructureDefinitions loaded. */
    structureDefinitions: string[];
  };
  client?: (ClientMessageResult | ClientSearchResult)[];
  /**
   * Requested resources first, in order, then what the client received: `<message>/response`,
   * `<search>/page-<n>`, `<search>/page-<n>/read`, and `conformance/<Type>/page-<n>` when asked.
   */
  results: ValidationResult[];
  /** What the harness could not do: a type not served, a profile without snapshot, a bad item. */
  failures: { part: string; name: string; message: string }[];
  timings: { conformanceMs: number; totalMs: number };
}

export interface RunFhirValidatorOptions {
  /** Kills the JVM after this long (default 5 min). */
  timeoutMs?: number;
}

/**
 * Runs one request through the harness (building the jar first if needed). With
 * FHIR_VALIDATOR_DUMP=<dir>, the request and the report are also written there, to read findings
 * in full.
 */
export async function runFhirValidator(
  request: FhirValidatorRequest,
  options: RunFhirValidatorOptions = {},
): Promise<FhirValidatorReport> {
  await ensureJavaToolBuilt('fhir-validator');
  const report = await runJar(request, options.timeoutMs ?? 300_000);
  const dumpDir = process.env.FHIR_VALIDATOR_DUMP;
  if (dumpDir) {
    mkdirSync(dumpDir, { recursive: true });
    const stamp = `${Date.now()}-${process.pid}`;
    writeFileSync(join(dumpDir, `fhir-validator-${stamp}-request.json`), JSON.stringify(request, null, 2));
    writeFileSync(join(dumpDir, `fhir-validator-${stamp}-report.json`), JSON.stringify(report, null, 2));
  }
  return report;
}

function runJar(request: FhirValidatorRequest, timeoutMs: number): Promise<FhirValidatorReport> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('java', ['-Xmx1g', '-jar', FHIR_VALIDATOR_JAR], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`fhir-validator could not start: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const errText = Buffer.concat(stderr).toString('utf8').slice(-4000);
      if (timedOut) return reject(new Error(`fhir-validator killed after ${timeoutMs} ms; stderr: ${errText}`));
      if (code !== 0) return reject(new Error(`fhir-validator failed (exit ${String(code)}): ${errText}`));
      try {
        resolvePromise(JSON.parse(Buffer.concat(stdout).toString('utf8')) as FhirValidatorReport);
      } catch (error) {
        reject(new Error(`fhir-validator wrote no JSON report; stderr: ${errText}`, { cause: error }));
      }
    });
    child.stdin.on('error', () => undefined); // a JVM that died early: reported by 'close'
    child.stdin.end(JSON.stringify(request));
  });
}

/** The result of the resource or answer named `name`; throws when the harness did not produce it. */
export function resultNamed(report: FhirValidatorReport, name: string): ValidationResult {
  const result = report.results.find((r) => r.name === name);
  if (!result) {
    throw new Error(`no result named ${name}; results: ${report.results.map((r) => r.name).join(', ')}`);
  }
  return result;
}

/** One line per error and unresolved reference, for assertion messages. */
export function describeFindings(results: ValidationResult[]): string {
  return results
    .flatMap((r) => [
      ...r.errors.map((e) => `${r.name}: error ${e.messageId ?? ''} at ${e.location ?? '?'}: ${e.message}`),
      ...r.unresolvedReferences.map((u) => `${r.name}: unresolved ${u.reference ?? '?'} at ${u.path}: ${u.reason}`),
    ])
    .join('\n');
}
