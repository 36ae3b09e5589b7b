/**
 * When a prescriber may replace a prescription by a corrected one (README "Replacing a
 * prescription"). Pure: `today` (YYYY-MM-DD, Europe/Paris) is given.
 *
 * Only an active prescription of which nothing was dispensed or executed is replaced: what was
 * handed over belongs to the old one and cannot move to the new one, so a started prescription is
 * cancelled (what remains) and prescribed anew. A replaced prescription is not replaced twice:
 * the correction of a correction is a replacement of the newest one.
 */
import type { Problem } from '../../domain/problem';
import type { LineState, PrescriptionState } from './model';
import { lineLabel, lineStatusOf, plural, prescriptionStatusOf } from './status';

export interface ReplacementPlan {
  /** Why the prescription cannot be replaced (conflict problems); empty when it can. */
  refusal: Problem[];
  /** The lines whose request is revoked with the prescription (those not cancelled yet). */
  revoke: LineState[];
}

const conflict = (message: string): Problem => ({ code: 'conflict', rule: 'D17', message });

export function planReplacement(state: PrescriptionState, today: string): ReplacementPlan {
  const verdict = prescriptionStatusOf(state, today);
  const { number } = state;
  if (state.replacedBy !== undefined) {
    return {
      refusal: [
        conflict(
          `prescription ${number} was already replaced by prescription ${state.replacedBy}: replace ${state.replacedBy} instead`,
        ),
      ],
      revoke: [],
    };
  }
  const started = state.lines.filter((line) => line.executed > 0);
  if (started.length > 0) {
    return {
      refusal: [
        conflict(
          `prescription ${number} cannot be replaced: it was partly dispensed or executed; cancel what remains (POST /prescriptions/${number}/cancel) and prescribe anew`,
        ),
        ...started.map((line) =>
          conflict(`${lineLabel(line)}: ${plural(line.executed, line.unit)} dispensed or executed`),
        ),
      ],
      revoke: [],
    };
  }
  if (verdict.status !== 'active') {
    return {
      refusal: [
        conflict(
          `prescription ${number} cannot be replaced: it is ${verdict.status} (${verdict.reason ?? 'not active'}); prescribe anew`,
        ),
      ],
      revoke: [],
    };
  }
  return { refusal: [], revoke: state.lines.filter((line) => lineStatusOf(line, today).status !== 'cancelled') };
}
