/**
 * Accepting a prescription, whatever door it came in by (POST /prescriptions or
 * $process-message): check the payload, check the caller signs it and may prescribe every line of
 * it, store it idempotently, and ask for its DMP publication when the patient did not object.
 */
import { ProblemError } from '../../domain/problem';
import type { VendorMapper } from '../../mappers/mapper';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { checkPayload, type CheckedPayload } from './prepare';
import { storePrescription, type IntakeResult } from './store';

export type AcceptDeps = Pick<UseCaseDeps, 'fhir' | 'now' | 'numberIssuer' | 'dmpQueue'>;

/**
 * What the caller may submit, whatever is done with it next (stored, or only checked by a dry run):
 * a prescription they sign, whose every line is within what their profession may prescribe. Throws a
 * forbidden ProblemError otherwise.
 */
export function authorizeIntake(caller: Caller, checked: CheckedPayload): void {
  caller.authorize.createPrescription(checked.prescription);
  caller.authorize.prescribeLines(checked.prescription, checked.sourceMap);
}

/**
 * Throws a ProblemError (malformed, invalid, forbidden, conflict…) when the payload is refused; nothing is
 * stored then.
 */
export async function acceptPrescription(
  deps: AcceptDeps,
  caller: Caller,
  mapper: VendorMapper,
  body: Buffer,
): Promise<IntakeResult> {
  const checked = checkPayload(body, mapper, deps.now());
  if (!checked.ok) throw new ProblemError(checked.kind, checked.problems);
  authorizeIntake(caller, checked.value);
  const result = await storePrescription(deps, checked.value);
  caller.noteAccess({ number: result.number });
  // Enqueued on every acceptance, replays included: the job id is derived from number and
  // version, so a publication lost between store and enqueue is recovered by the vendor's retry.
  if (result.dmpAllowed) await deps.dmpQueue.enqueue({ number: result.number, version: 1, action: 'publish' });
  return result;
}
