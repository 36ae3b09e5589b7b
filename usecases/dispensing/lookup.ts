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
import type { FhirStore } from '../ports';
import { findPrescriptionByNumber } from '../prescriptions/repository';

/** A typed or scanned number, normalised (case, spaces, dashes); malformed when its shape is wrong. */
export const normalizedNumber = (raw: string, path?: string): string => unwrap(readPrescriptionNumber(raw, path));

/**
 * The stored prescription; malformed (likely typo) or not found otherwise. With a `budget`, the
 * lookup is paid for first (the caller's first attempt; a re-read after a conflict is not charged).
 */
export async function loadPrescription(
  deps: { fhir: FhirStore },
  number: string,
  budget?: LookupBudget,
): Promise<StoredPrescriptionBundle> {
  await budget?.spend();
  const found = await findPrescriptionByNumber(deps.fhir, number);
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
  deps: { fhir: FhirStore },
  number: string,
  budget?: LookupBudget,
): Promise<LoadedForDispensing> {
  const found = await loadPrescription(deps, number, budget);
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
