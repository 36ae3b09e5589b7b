/**
 * POST /prescriptions/{number}/cancel: the prescriber cancels what was not dispensed yet
 * (rules/dispensing/cancel-rules.ts), in one transaction with If-Match on every version read —
 * a dispense committing in between makes it start again on the new state. When the prescription
 * ends up revoked, its DMP document is deprecated (job queued, keyed by number and header version).
 */
import type { OperationOutcome } from 'fhir/r4';
import { parisDateOf } from '../../domain/paris-time';
import { ProblemError, toOperationOutcome, type Problem } from '../../domain/problem';
import { buildCancellationTransaction } from '../../fhir/dispensing/build-execution';
import { ownershipOf } from '../../fhir/ownership';
import { planCancellation } from '../../rules/dispensing/cancel-rules';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { appendOutbox, outboxJobs } from '../outbox/outbox-task';
import { withFreshReads } from './fresh-reads';
import { changing, loadForDispensing } from './lookup';

export interface CancelResult {
  outcome: OperationOutcome;
  /** The header was revoked by this request. */
  revoked: boolean;
}

const information = (message: string): Problem => ({
  code: 'informational',
  rule: 'D10',
  severity: 'information',
  message,
});

export function cancelPrescription(
  deps: Pick<UseCaseDeps, 'fhir' | 'now' | 'dmpQueue'>,
  caller: Caller,
  number: string,
): Promise<CancelResult> {
  return withFreshReads(async ({ index, write }) => {
    const { found, stored } = await loadForDispensing(deps, number, index === 0 ? caller.lookups : undefined);
    if (index === 0) caller.authorize.cancelPrescription(ownershipOf(found));
    const plan = planCancellation(stored.state, parisDateOf(deps.now()));
    if (plan.alreadyCancelled) {
      return {
        revoked: false,
        outcome: toOperationOutcome([information(`prescription ${number} was already cancelled`), ...plan.report]),
      };
    }
    if (plan.cancel.length === 0) {
      throw new ProblemError('conflict', [
        { code: 'conflict', rule: 'D10', message: `nothing on prescription ${number} can be cancelled` },
        ...plan.report,
      ]);
    }
    const tx = buildCancellationTransaction(stored, plan);
    // The new header version is the one read + 1: what the DMP deprecation publishes.
    const deprecation = plan.revokePrescription
      ? [{ number, version: Number(stored.headerVersion) + 1, action: 'deprecate' as const }]
      : [];
    caller.noteAccess({ number });
    appendOutbox(tx.bundle, outboxJobs(caller.auditRecord(), deprecation), {
      kind: 'cancellation',
      focus: `RequestGroup/${stored.header.id}`,
      now: deps.now(),
    });
    await write(() => changing(deps, number, () => deps.fhir.transaction(tx.bundle)));
    const summary = plan.revokePrescription
      ? information(`prescription ${number} is cancelled: its QR code is deactivated`)
      : information(`prescription ${number} stays active for what was partly dispensed`);
    for (const job of deprecation) await deps.dmpQueue.enqueue(job);
    return { revoked: plan.revokePrescription, outcome: toOperationOutcome([summary, ...plan.report]) };
  }, `prescription ${number} kept changing while it was being cancelled; nothing was cancelled: retry`);
}
