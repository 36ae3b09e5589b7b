/**
 * Accepting a prescription, whatever door it came in by (POST /prescriptions or
 * $process-message): check the payload, store it idempotently, and ask for its DMP
 * publication when the patient did not object.
 */
import type { Prescription } from '../../domain/prescription';
import type { VendorMapper } from '../../mappers/mapper';
import { enqueueDmpPublication } from '../../queue/dmp-jobs';
import type { AppDeps } from '../../gateway/app';
import { clockOf } from '../../platform/clock';
import { HttpProblem } from '../../gateway/http-problem';
import { checkPayload } from './prepare';
import { storePrescription, type IntakeResult } from './store';

export interface AcceptOptions {
  /** Called with the checked prescription before anything is stored (authorization hooks in here). */
  beforeStore?: (prescription: Prescription) => void | Promise<void>;
}

/** Throws HttpProblem (400/409/422…) when the payload is refused; nothing is stored then. */
export async function acceptPrescription(deps: AppDeps, mapper: VendorMapper, body: Buffer, options: AcceptOptions = {}): Promise<IntakeResult> {
  const now = clockOf(deps);
  const checked = checkPayload(body, mapper, now());
  if (!checked.ok) throw new HttpProblem(checked.status, checked.problems);
  await options.beforeStore?.(checked.value.prescription);
  const result = await storePrescription({ fhir: deps.fhir, now, numberIssuer: deps.config.numberIssuer }, checked.value);
  // Enqueued on every acceptance, replays included: the job id is derived from number and
  // version, so a publication lost between store and enqueue is recovered by the vendor's retry.
  if (result.dmpAllowed) await enqueueDmpPublication(deps.queues, result.number, 1);
  return result;
}
