/**
 * POST /prescriptions/{number}/cancel: the prescriber cancels what was not dispensed yet
 * (rules/dispensing/cancel-rules.ts), in one transaction with If-Match on every version read —
 * a dispense committing in between makes it start again on the new state. When the prescription
 * ends up revoked, its DMP document is deprecated (job queued, keyed by number and header version).
 */
import type { Bundle, FhirResource, OperationOutcome } from 'fhir/r4';
import { toOperationOutcome, type Problem } from '../../domain/problem';
import { FhirServerError } from '../../store/fhir-client';
import { buildCancellationTransaction, versionOfLocation } from '../../fhir/dispensing/build-execution';
import { parisDateOf } from '../../domain/paris-time';
import { planCancellation } from '../../rules/dispensing/cancel-rules';
import { enqueueDmpPublication } from '../../queue/dmp-jobs';
import type { AppDeps } from '../../gateway/app';
import { HttpProblem } from '../../gateway/http-problem';
import type { PrescriptionOwnership } from '../../rules/access/policy';
import { ownershipOf } from '../../fhir/ownership';
import { clockOf } from '../../platform/clock';
import { loadForDispensing } from './lookup';
import { MAX_ATTEMPTS } from './record';

export interface CancelResult {
  outcome: OperationOutcome;
  /** The header was revoked by this request. */
  revoked: boolean;
}

export async function cancelPrescription(
  deps: Pick<AppDeps, 'fhir' | 'now' | 'queues'>,
  number: string,
  authorize?: (owner: PrescriptionOwnership) => void,
): Promise<CancelResult> {
  const now = clockOf(deps);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { found, stored } = await loadForDispensing(deps, number);
    if (attempt === 0) authorize?.(ownershipOf(found));
    const plan = planCancellation(stored.state, parisDateOf(now()));
    if (plan.alreadyCancelled) {
      return { revoked: false, outcome: toOperationOutcome([{ code: 'informational', severity: 'information', message: `prescription ${number} was already cancelled` }, ...plan.report]) };
    }
    if (plan.cancel.length === 0) {
      throw new HttpProblem(409, [{ code: 'conflict', message: `nothing on prescription ${number} can be cancelled` }, ...plan.report]);
    }
    const tx = buildCancellationTransaction(stored, plan);
    let response: Bundle<FhirResource>;
    try {
      response = await deps.fhir.transaction(tx.bundle);
    } catch (err) {
      if (err instanceof FhirServerError && err.isConflict) continue;
      throw err;
    }
    const summary: Problem = plan.revokePrescription
      ? { code: 'informational', severity: 'information', message: `prescription ${number} is cancelled: its QR code is deactivated` }
      : { code: 'informational', severity: 'information', message: `prescription ${number} stays active for what was partly dispensed` };
    if (plan.revokePrescription) {
      const version = Number(versionOfLocation(response.entry?.[tx.headerEntry]?.response?.location));
      if (!Number.isInteger(version)) throw new Error('the transaction-response does not give the new version of the RequestGroup');
      await enqueueDmpPublication(deps.queues, number, version, 'deprecate');
    }
    return { revoked: plan.revokePrescription, outcome: toOperationOutcome([summary, ...plan.report]) };
  }
  throw HttpProblem.of(409, 'conflict', `prescription ${number} kept changing while it was being cancelled; nothing was cancelled: retry`);
}
