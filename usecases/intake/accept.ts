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
import type { DmpPublishJob } from '../dmp/publish-job';
import { outboxJobs } from '../outbox/outbox-task';
import { replaceChecked } from './replace';
import { signedWithProfession } from './signer-profession';
import { NumberTakenError, storePrescription, type IntakeOutbox, type IntakeResult } from './store';

const firstPublication = (number: string): DmpPublishJob => ({ number, version: 1, action: 'publish' });

export type AcceptDeps = Pick<
  UseCaseDeps,
  'fhir' | 'now' | 'numberIssuer' | 'dmpQueue' | 'xsd' | 'identityCache' | 'conditionalMessageEntries'
>;

/** What a new prescription owes the queues: its DMP publication (unless the patient objects) and its audit record. */
const intakeOutbox =
  (caller: Caller, checked: CheckedPayload): IntakeOutbox =>
  (number) => {
    caller.noteAccess({ number });
    const dmp = checked.prescription.consent.dmpOptOut ? [] : [firstPublication(number)];
    return outboxJobs(caller.auditRecord(), dmp);
  };

/**
 * A vendor-supplied number is a number lookup too (a taken one is told apart from a free one):
 * it is paid from the caller's budget like any other, and a taken number costs a miss.
 */
async function storeSpendingLookups(deps: AcceptDeps, caller: Caller, checked: CheckedPayload): Promise<IntakeResult> {
  const outbox = intakeOutbox(caller, checked);
  if (checked.prescription.number === undefined) return storePrescription(deps, checked, outbox);
  await caller.lookups.spend();
  try {
    return await storePrescription(deps, checked, outbox);
  } catch (err) {
    if (err instanceof NumberTakenError) await caller.lookups.spendMiss();
    throw err;
  }
}

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
  const checked = await checkPayload(body, mapper, deps.now(), deps.xsd);
  if (!checked.ok) throw new ProblemError(checked.kind, checked.problems);
  // A message naming the prescription it replaces is a replacement (usecases/intake/replace.ts).
  if (checked.value.prescription.replaces !== undefined) return replaceChecked(deps, caller, checked.value);
  authorizeIntake(caller, checked.value);
  const result = await storeSpendingLookups(deps, caller, signedWithProfession(checked.value, caller.principal));
  caller.noteAccess({ number: result.number });
  // Enqueued at once (the outbox is the durable copy, swept later), on every acceptance, replays
  // included: the job id is derived from number and version, so it is one job however often.
  if (result.dmpAllowed) await deps.dmpQueue.enqueue(firstPublication(result.number));
  return result;
}
