/**
 * Correcting a record entered by mistake (rule D15, access rule A9): the structure that recorded a
 * dispense, delivery or session marks it `entered-in-error`; its quantity returns to the line, and a
 * line (and prescription) that had become completed by it is active again. Pure: the records to
 * correct, who asks and the clock come in; a decision goes out.
 *
 * The window is 24 hours after the record was stored: a correction is for a typing mistake noticed
 * at the counter, at the day's closing or the next morning — not for taking back a delivery made
 * days ago (what was handed over stays handed over: a return is another matter). A rolling 24 hours
 * rather than "the same day" so that a record typed at 23:55 can still be put right.
 */
import type { CorrectionDecision, CorrectionTarget, Corrector } from './correction-model';
import type { Problem } from '../../domain/problem';
import type { PrescriptionState } from './model';
import { lineLabel } from './status';

export const CORRECTION_WINDOW_HOURS = 24;
const WINDOW_MS = CORRECTION_WINDOW_HOURS * 3_600_000;

export type { CorrectionDecision, CorrectionTarget, Corrector };

/** Whether the corrector is who recorded: the same structure (FINESS or numéro AM), else the same professional. */
function recordedBy(target: CorrectionTarget, corrector: Corrector): boolean {
  const by = target.recordedBy;
  if (by.finess !== undefined || by.am !== undefined) {
    return (
      (by.finess !== undefined && by.finess === corrector.finess) || (by.am !== undefined && by.am === corrector.am)
    );
  }
  return by.rpps !== undefined && by.rpps === corrector.rpps;
}

export function checkCorrection(
  state: PrescriptionState,
  targets: readonly CorrectionTarget[],
  corrector: Corrector,
  now: Date,
): CorrectionDecision {
  const forbidden: Problem[] = [];
  const conflicts: Problem[] = [];
  const executed = new Map<string, number>();
  const toCorrect: CorrectionTarget[] = [];
  for (const target of targets) {
    if (target.alreadyCorrected) continue;
    if (!recordedBy(target, corrector)) {
      forbidden.push({
        code: 'forbidden',
        rule: 'A9',
        path: target.at,
        message: `access refused: ${target.reference} was recorded by another ${target.recordedBy.finess !== undefined || target.recordedBy.am !== undefined ? 'structure' : 'professional'}; only they may correct it`,
      });
      continue;
    }
    const recordedAt = Date.parse(target.recordedAt);
    if (!(now.getTime() - recordedAt <= WINDOW_MS)) {
      conflicts.push({
        code: 'conflict',
        rule: 'D15',
        path: target.at,
        message: `${target.reference} was recorded at ${target.recordedAt}: a record can be corrected within ${CORRECTION_WINDOW_HOURS} hours of being recorded (a typing mistake), not after`,
      });
      continue;
    }
    toCorrect.push(target);
    if (target.quantity === 0) continue;
    const line = state.lines.find((l) => l.reference === target.lineReference);
    if (!line) {
      conflicts.push({
        code: 'conflict',
        rule: 'D15',
        path: target.at,
        message: `${target.reference} names no line of prescription ${state.number}`,
      });
      continue;
    }
    const before = executed.get(line.reference) ?? line.executed;
    if (before < target.quantity) {
      // The stored total is below what the record says was dispensed: the store is inconsistent; refuse rather than go negative.
      conflicts.push({
        code: 'conflict',
        rule: 'D15',
        path: target.at,
        message: `${lineLabel(line)} counts ${before} dispensed, fewer than the ${target.quantity} of ${target.reference}`,
      });
      continue;
    }
    executed.set(line.reference, before - target.quantity);
  }
  if (forbidden.length > 0) return { ok: false, kind: 'forbidden', problems: forbidden };
  if (conflicts.length > 0) return { ok: false, kind: 'conflict', problems: conflicts };
  return { ok: true, toCorrect, executed };
}
