/**
 * Finding a prescription by a number someone typed, scanned or put in a URL, with the answers a
 * person needs when it is not found (domain/prescription-number-hints.ts): a malformed request
 * naming the likely typo, else not found. The store is searched first, always: vendor numbers
 * have no check character.
 */
import { readPrescriptionNumber } from '../../domain/prescription-number';
import { unknownNumberHint } from '../../domain/prescription-number-hints';
import { ProblemError, unwrap } from '../../domain/problem';
import { readExecutionState, type StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { Bundle, FhirResource } from 'fhir/r4';
import { bundleAfterWrite, matchedHeaders, type StoredPrescriptionBundle } from '../../fhir/prescription-search';
import type { Caller, LookupBudget } from '../caller';
import type { CachedPrescription, FhirStore, PrescriptionCache, StoreRequestOptions } from '../ports';
import { findPrescriptionByNumber } from '../prescriptions/repository';

export interface LookupDeps {
  fhir: FhirStore;
  prescriptionCache?: PrescriptionCache;
}

export interface LookupOptions {
  /**
   * Whether a cached copy may answer: a read-only view, or the first attempt of a write guarded by
   * If-Match on every version it read (a stale copy then loses like a race). A read after a lost race
   * always searches.
   */
  cached?: boolean;
}

/**
 * The prescription from the cache while its header is still at the cached version (one conditional
 * read by id, answered 304 without a body, instead of the search with its includes and reverse
 * includes), else searched and cached.
 *
 * Why the header's version is enough: the gateway is the only writer of its store (README
 * "Lookup cache"), and every write it makes to a prescription bumps the cache's generation for the
 * number (`changing`), so an entry cached before that write is never served again; the header's
 * version catches what the generation cannot — a store that was wiped or restored, or the header
 * changed by hand. A line, Consent or record changed by hand in HAPI is seen once the entry expires
 * (store/prescription-cache.ts) or at once after `ordo-admin cache forget <number>`; the writes are
 * safe meanwhile, being guarded by If-Match on every version they were decided on. The cache is an
 * optimisation only: when Redis fails, the store is searched.
 */
async function findCurrent(deps: LookupDeps, number: string): Promise<Found> {
  const cache = deps.prescriptionCache;
  if (!cache) return { found: await findPrescriptionByNumber(deps.fhir, number) };
  const cached = await cache.get(number).catch(() => undefined);
  const generation = cached ? { generation: cached.generation } : {};
  const entry = cached?.entry;
  if (entry && (await deps.fhir.isCurrentVersion('RequestGroup', entry.headerId, entry.headerVersion))) {
    const header = matchedHeaders(entry.bundle)[0];
    if (header) return { found: { header, bundle: entry.bundle }, ...generation };
  }
  const found = await findPrescriptionByNumber(deps.fhir, number);
  const stored = found && cacheEntryOf(found.bundle);
  if (cached && stored) await cache.put(number, cached.generation, stored).catch(() => undefined);
  return { found, ...generation };
}

interface Found {
  found: StoredPrescriptionBundle | undefined;
  /** The cache's generation of the number when it was read (with a cache only): see `changingTo`. */
  generation?: string;
}

/** A search Bundle as a cache entry: its header's id and version, which the entry is checked on. */
function cacheEntryOf(bundle: Bundle<FhirResource>): CachedPrescription | undefined {
  const header = matchedHeaders(bundle)[0];
  const version = header?.meta?.versionId;
  return header?.id && version ? { headerId: header.id, headerVersion: version, bundle } : undefined;
}

/**
 * Runs a write to the prescription `number`; once it is done (committed or not), its cached lookups
 * are no longer served. A failure to say so leaves an entry whose header version the lookup still
 * checks, and that expires.
 */
export async function changing<T>(deps: LookupDeps, number: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    await deps.prescriptionCache?.changed(number).catch(() => undefined);
  }
}

const RETURN_REPRESENTATION: StoreRequestOptions = { headers: { prefer: 'return=representation' } };

/**
 * `changing`, for a transaction decided on `loaded`: when `loaded` was read through the cache, the
 * transaction is sent with `Prefer: return=representation` and the state it left becomes the cached
 * entry, so the next lookup or dispense need not search — unless another write came in between (the
 * cache's generation moved on since `loaded` was read), which only invalidates. Without a cache the
 * store is not asked for what it stored.
 */
export async function changingTo(
  deps: LookupDeps,
  number: string,
  loaded: LoadedForDispensing,
  write: (options: StoreRequestOptions) => Promise<Bundle<FhirResource>>,
): Promise<Bundle<FhirResource>> {
  const cache = deps.prescriptionCache;
  if (!cache || loaded.generation === undefined) return changing(deps, number, () => write({}));
  let response: Bundle<FhirResource>;
  try {
    response = await write(RETURN_REPRESENTATION);
  } catch (err) {
    await cache.changed(number).catch(() => undefined);
    throw err;
  }
  const written = (response.entry ?? []).map((e) => e.resource);
  const after = written.every((r) => r !== undefined)
    ? bundleAfterWrite(loaded.found.bundle, written as FhirResource[])
    : undefined;
  const entry = after && cacheEntryOf(after);
  await (entry ? cache.changedTo(number, loaded.generation, entry) : cache.changed(number)).catch(() => undefined);
  return response;
}

/** A typed or scanned number, normalised (case, spaces, dashes); malformed when its shape is wrong. */
export const normalizedNumber = (raw: string, path?: string): string => unwrap(readPrescriptionNumber(raw, path));

/**
 * The stored prescription; malformed (likely typo) or not found otherwise. With a `budget`, the
 * lookup is paid for first (the caller's first attempt; a re-read after a conflict is not charged).
 */
export async function loadPrescription(
  deps: LookupDeps,
  number: string,
  budget?: LookupBudget,
  options: LookupOptions = {},
): Promise<StoredPrescriptionBundle> {
  return (await load(deps, number, budget, options)).found;
}

/** The prescription, with the cache's generation when it was read through the cache. */
async function load(
  deps: LookupDeps,
  number: string,
  budget: LookupBudget | undefined,
  { cached = false }: LookupOptions,
): Promise<{ found: StoredPrescriptionBundle; generation?: string }> {
  await budget?.spend();
  const read = cached ? await findCurrent(deps, number) : { found: await findPrescriptionByNumber(deps.fhir, number) };
  const { found } = read;
  if (found) return { found, ...(read.generation !== undefined ? { generation: read.generation } : {}) };
  await budget?.spendMiss();
  const hint = unknownNumberHint(number);
  if (hint) throw new ProblemError('malformed', [hint]);
  throw ProblemError.of('not-found', 'not-found', `no prescription has the number ${number}`);
}

export interface LoadedForDispensing {
  found: StoredPrescriptionBundle;
  stored: StoredExecutionState;
  /** The cache's generation of the number when it was read through the cache (see `changingTo`). */
  generation?: string;
}

export async function loadForDispensing(
  deps: LookupDeps,
  number: string,
  budget?: LookupBudget,
  options: LookupOptions = {},
): Promise<LoadedForDispensing> {
  const loaded = await load(deps, number, budget, options);
  return { ...loaded, stored: readExecutionState(loaded.found) };
}

/** Names the loaded prescription's header and patient for the audit trail, so its writer need not search for them. */
export function noteLoaded(caller: Caller, found: StoredPrescriptionBundle): void {
  const { id, subject } = found.header;
  if (id)
    caller.noteAccess({
      reference: `RequestGroup/${id}`,
      ...(subject?.reference ? { patient: subject.reference } : {}),
    });
}
