/**
 * What the use cases need from the outside world, declared here so that they depend on
 * interfaces they own, not on the adapters (hexagonal "ports"). The edges implement them:
 * store/fhir-client.ts the FHIR store, queue/ the job queues, platform/ the clock and the XML Schema validator.
 */
import type { Bundle, FhirResource, Parameters, Resource } from 'fhir/r4';
import type { XsdVerdict } from '../domain/xml-schema';
import type { DmpPublishJob } from './dmp/publish-job';
import type { AuditJob } from './audit/audit-job';

export interface StoreRequestOptions {
  headers?: Record<string, string>;
  /**
   * Whether a failed attempt may be repeated. GET/PUT/DELETE always may; a POST only when the
   * caller knows it is idempotent (e.g. a transaction made only of conditional creates).
   */
  idempotent?: boolean;
}

export interface SearchOptions {
  /**
   * The caller reads the first page only (a search by a unique key): the store may run the search
   * synchronously and keep no result set for paging (HAPI: `Cache-Control: no-store`).
   */
  unpaged?: boolean;
}

export interface WithVersion<T> {
  resource: T;
  /** Version id from the ETag (W/"3" → "3"), for If-Match. */
  versionId?: string;
}

/**
 * A FHIR R4 server. Failures are ProblemErrors (domain/problem.ts): kind `conflict` when a
 * concurrent writer won (a version that moved on, a unique index or conditional-create URL taken:
 * 409/412), `invalid` when the server cannot keep a value sent (a permanent refusal of the payload),
 * `unavailable` when the server cannot be reached or answers a transient error, `not-found`/`gone`,
 * else `upstream`.
 */
export interface FhirStore {
  readonly baseUrl: string;
  read<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<WithVersion<T>>;
  search<T extends Resource = Resource>(
    resourceType: string,
    params: Record<string, string | string[]>,
    options?: SearchOptions,
  ): Promise<Bundle<T>>;
  /** Whether `versionId` is still the stored version of the resource (false when it is gone): a cheap conditional read. */
  isCurrentVersion(resourceType: string, id: string, versionId: string): Promise<boolean>;
  create<T extends Resource>(resource: T, options?: StoreRequestOptions): Promise<WithVersion<T>>;
  /** Update; with `ifMatch` the server refuses (conflict) when the stored version moved on. */
  update<T extends Resource>(resource: T & { id: string }, ifMatch?: string): Promise<WithVersion<T>>;
  /** FHIRPath Patch; with `ifMatch` the server refuses (conflict) when the stored version moved on. */
  patch(resourceType: string, id: string, patch: Parameters, ifMatch?: string): Promise<void>;
  /** All-or-nothing; pass idempotent when every entry is conditional. */
  transaction(bundle: Bundle<FhirResource>, options?: StoreRequestOptions): Promise<Bundle<FhirResource>>;
}

/** Where DMP publication jobs go (queue/dmp-jobs.ts): the same job twice is one job. */
export interface DmpPublicationQueue {
  enqueue(job: DmpPublishJob): Promise<void>;
}

/** Where audit records go (queue/audit/jobs.ts), before the answer that they record leaves. */
export interface AuditTrail {
  record(job: AuditJob): Promise<void>;
}

/** What a publication job reports about itself (queue/dmp/publication-jobs.ts reads BullMQ). */
export interface PublicationJobView {
  state: 'waiting' | 'active' | 'completed' | 'failed' | 'other';
  attemptsMade: number;
  failedReason?: string;
  /** What the processor returned, once completed. */
  result?: unknown;
}

/** The publication jobs of a prescription, newest first; throws when the queue cannot be reached. */
export interface PublicationJobs {
  latest(number: string, headerVersion: number): Promise<PublicationJobView | undefined>;
}

/**
 * Validates XML documents against the vendor XML Schemas (platform/xsd: libxml2's xmllint compiled to
 * WebAssembly, in a worker thread). `schema` is the file name in profiles/vendor-schemas. Throws a
 * ProblemError (`unavailable`) when the validator itself failed, not the document.
 */
export interface XmlSchemaValidator {
  validate(schema: string, document: Uint8Array): Promise<XsdVerdict>;
}

/** A structured log line sink (pino's shape), for what operators need to know. Never patient data. */
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Everything the request-serving use cases are given (the gateway builds it in gateway/app-deps.ts). */
/** A stored prescription as a lookup found it, kept for the next lookups of its number (store/prescription-cache.ts). */
export interface CachedPrescription {
  headerId: string;
  /** The header's version when the search ran: the entry is served only while it is still the stored one. */
  headerVersion: string;
  bundle: Bundle<FhirResource>;
}

/**
 * Lookups by number served without the full search while nothing changed. Every write the gateway
 * makes to a prescription calls `changed` once it is done (committed or not): an entry cached before
 * is then never served, even one put by a lookup whose search ran before the write committed.
 */
export interface PrescriptionCache {
  /** The entry of a number, if one is valid, and the number's generation to `put` a new one with. */
  get(number: string): Promise<{ entry?: CachedPrescription; generation: string }>;
  /** Keeps `entry` unless the number changed since `generation` was read. */
  put(number: string, generation: string, entry: CachedPrescription): Promise<void>;
  changed(number: string): Promise<void>;
  /**
   * After a write decided on what was read at `generation`: `changed`, and keeps `entry` (the state
   * the write left) as the new entry when no other write came in between.
   */
  changedTo(number: string, generation: string, entry: CachedPrescription): Promise<void>;
}

/** Where a Patient, Practitioner or Organization is stored, by its conditional-create URL. */
export interface StoredIdentity {
  id: string;
  version: string;
}

/**
 * The Patients, Practitioners and Organizations prescriptions name, by their conditional-create
 * URL (`Patient?identifier=…`), so that intake references them instead of asking the store to
 * search for them again (store/identity-cache.ts).
 */
export interface IdentityCache {
  /** The known ones among `keys` (missing keys are unknown). */
  get(keys: readonly string[]): Promise<Map<string, StoredIdentity>>;
  set(entries: ReadonlyMap<string, StoredIdentity>): Promise<void>;
  /** Forgets entries the store refused a reference to (wiped, deleted). */
  drop(keys: readonly string[]): Promise<void>;
}

export interface UseCaseDeps {
  /** The gateway's FHIR store. */
  fhir: FhirStore;
  /** The document sharing server (the DMP), for the publication status. */
  dmpStore: FhirStore;
  now: () => Date;
  /** The issuer field of the numbers this gateway generates (domain/prescription-number.ts). */
  numberIssuer: number;
  dmpQueue: DmpPublicationQueue;
  publicationJobs: PublicationJobs;
  /** The XML Schema validator of the XML vendor formats (lgc-xml). */
  xsd: XmlSchemaValidator;
  /** Lookups by number served from a cache checked against the store (none: every lookup searches). */
  prescriptionCache?: PrescriptionCache;
  /** Intake references the Patient, Practitioner and Organization it knows (none: conditional creates). */
  identityCache?: IdentityCache;
  /** Intake's previous path: every entry made from the message created conditionally (usecases/intake/store.ts). */
  conditionalMessageEntries?: boolean;
}
