/**
 * What a prescriber's cancellation does, line by line. Pure.
 *
 *  - a line nothing was dispensed or executed on (active or expired) is cancelled (request `revoked`;
 *    a MedicationRequest `cancelled`, its value set having no `revoked`);
 *  - a partly dispensed line cannot be cancelled: what was handed over cannot be taken back and the
 *    rest stays dispensable (the prescriber is told, line by line);
 *  - a fully dispensed line stays completed, an already cancelled line stays cancelled;
 *  - the prescription (RequestGroup) becomes `revoked` when nothing dispensable remains afterwards.
 */
import type { Problem } from '../../domain/problem';
import type { LineState, PrescriptionState } from './model';
import { isCancelledStatus, lineLabel, lineStatusOf } from './status';

export interface CancellationPlan {
  /** Lines to revoke now. */
  cancel: LineState[];
  /** Whether the header becomes revoked (nothing dispensable remains). */
  revokePrescription: boolean;
  /** The prescription was already cancelled: nothing to do (a repeated request). */
  alreadyCancelled: boolean;
  /** What happens to each line, for the answer (severity information or warning). */
  report: Problem[];
}

export function planCancellation(state: PrescriptionState, today: string): CancellationPlan {
  const headerRevoked = isCancelledStatus(state.headerStatus);
  const cancel: LineState[] = [];
  const report: Problem[] = [];
  let remainsDispensable = false;
  for (const line of state.lines) {
    const { status } = lineStatusOf(line, today);
    const label = lineLabel(line);
    if (status === 'cancelled') {
      report.push({
        code: 'informational',
        rule: 'D10',
        severity: 'information',
        message: `${label} was already cancelled`,
      });
    } else if (status === 'completed') {
      report.push({
        code: 'informational',
        rule: 'D10',
        severity: 'information',
        message: `${label} was fully dispensed or executed: nothing left to cancel`,
      });
    } else if (line.executed > 0) {
      remainsDispensable ||= status === 'active';
      report.push({
        code: 'business-rule',
        rule: 'D10',
        severity: 'warning',
        message: `${label} was partly dispensed or executed (${line.executed} of ${line.prescribed} ${line.unit}): a line already started cannot be cancelled, the rest remains dispensable`,
      });
    } else {
      cancel.push(line);
      report.push({ code: 'informational', rule: 'D10', severity: 'information', message: `${label} is cancelled` });
    }
  }
  return {
    cancel,
    revokePrescription: !headerRevoked && !remainsDispensable && cancel.length > 0,
    alreadyCancelled: headerRevoked && cancel.length === 0,
    report,
  };
}
