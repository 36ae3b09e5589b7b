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
import type { StoredPrescriptionBundle } from '../../fhir/prescription-search';
import type { Caller, LookupBudget } from '../caller';
import type { FhirStore, PrescriptionCache, StoredVersion } from '../ports';
import { findPrescriptionByNumber } from '../prescriptions/repository';

export interface LookupDeps {
  fhir: FhirStore;
  prescriptionCache?: PrescriptionCache;
}

export interface LookupOptions {
  /**
   * Whether a cached copy may answer (a read-only view). Never for a read a write is decided on:
   * those search, so that a lost race is always followed by a fresh read.
   */
  cached?: boolean;
}

/** The version of every stored resource in a search Bundle (all of them have one). */
const storedVersionsOf = (bundle: StoredPrescriptionBundle['bundle']): StoredVersion[] =>
  (bundle.entry ?? []).map((e) => ({
    resourceType: e.resource?.resourceType ?? '',
    id: e.resource?.id ?? '',
    versionId: e.resource?.meta?.versionId ?? '',
  }));

/**
 * The prescription from the cache when every resource of it is still at its stored version (one
 * batch of conditional reads by id instead of the search with its includes: a change made straight
 * to the store is seen too), else searched and cached. What the gateway writes is caught by the
 * cache's generation (a new record, a new Consent version); a resource created straight in the store
 * is not, until the next write through the gateway or the entry's expiry. The cache is an
 * optimisation only: when Redis fails, the store is searched.
 */
async function findCurrent(deps: LookupDeps, number: string): Promise<StoredPrescriptionBundle | undefined> {
  const cache = deps.prescriptionCache;
  if (!cache) return findPrescriptionByNumber(deps.fhir, number);
  const cached = await cache.get(number).catch(() => undefined);
  const entry = cached?.entry;
  if (entry && (await deps.fhir.allCurrent(storedVersionsOf(entry.bundle)))) {
    const header = entry.bundle.entry?.find(
      (e) => e.resource?.resourceType === 'RequestGroup' && e.search?.mode !== 'include',
    );
    if (header) return { header: header.resource as StoredPrescriptionBundle['header'], bundle: entry.bundle };
  }
  const found = await findPrescriptionByNumber(deps.fhir, number);
  const version = found?.header.meta?.versionId;
  if (cached && found?.header.id && version)
    await cache
      .put(number, cached.generation, { headerId: found.header.id, headerVersion: version, bundle: found.bundle })
      .catch(() => undefined);
  return found;
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
  { cached = false }: LookupOptions = {},
): Promise<StoredPrescriptionBundle> {
  await budget?.spend();
  const found = cached ? await findCurrent(deps, number) : await findPrescriptionByNumber(deps.fhir, number);
  if (found) return found;
  await budget?.spendMiss();
  const hint = unknownNumberHint(number);
  if (hint) throw new ProblemError('malformed', [hint]);
  throw ProblemError.of('not-found', 'not-found', `no prescription has the number ${number}`);
}

export interface LoadedForDispensing {
  found: StoredPrescriptionBundle;
  stored: StoredExecutionState;
}

export async function loadForDispensing(
  deps: LookupDeps,
  number: string,
  budget?: LookupBudget,
  options?: LookupOptions,
): Promise<LoadedForDispensing> {
  const found = await loadPrescription(deps, number, budget, options);
  return { found, stored: readExecutionState(found) };
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
