/**
 * The business rules of recording a dispense or an execution. Pure: the stored state, what was
 * submitted (already structurally checked, fhir/dispensing/read-submission.ts) and the clock come in;
 * a decision goes out: refused with problems and the kind of refusal, or accepted with the new
 * executed quantity of every line touched and the completeness code of every drug dispense.
 *
 * Refusals: forbidden, the performer's profession does not execute that line kind (the same table
 * as the token check, domain/professions.ts); invalid, something in the submission is wrong
 * whatever the state (unknown line, dates, substitution); conflict, the prescription's current
 * state does not allow it (deactivated prescription or line, more than what remains) — also what
 * the loser of two concurrent dispenses of the last box gets.
 */
import type { Coding } from 'fhir/r4';
import type { Problem, Refusal } from '../../domain/problem';
import { parisDateOf } from '../../domain/paris-time';
import { EXECUTABLE_LINES, type Profession } from '../../domain/professions';
import { DATE_LIMITS } from '../../domain/limits';
import { RECORD_FOR_REQUEST, type LineState, type PrescriptionState, type RecordType } from './model';
import { lineLabel, lineStatusOf, plural, prescriptionStatusOf } from './status';
import { checkDeliveryDate } from './validity-rules';
import type { Delivery } from '../../domain/drug-validity';
import type { DispensedDosage } from './dosage-rules';

/** Completeness of a drug dispense (v3 ActCode fill codes, the content of jdv-completude-dispensation-cisis). */
export const FILL_CODES = {
  FFC: 'First Fill - Complete',
  FFP: 'First Fill - Partial',
  RFC: 'Refill - Complete',
  RFP: 'Refill - Partial',
} as const;
export type FillCode = keyof typeof FILL_CODES;
export const isFillCode = (code: string | undefined): code is FillCode =>
  code !== undefined && Object.hasOwn(FILL_CODES, code);

/** One dispense, delivery or session, as read from the submission; `…At` are FHIRPaths in the submission. */
export interface ExecutionItem {
  recordType: RecordType;
  at: string;
  /** The request it executes, as sent (`Type/id`, possibly absolute or versioned). */
  lineReference: string | undefined;
  lineReferenceAt: string;
  /** Boxes, devices, or 1 for a session. */
  quantity: number;
  quantityAt: string;
  /** Handed over / performed: a date or an RFC 3339 date-time. */
  when: string;
  whenAt: string;
  /** Drugs: the product handed over, and whether it was declared a substitution. */
  product?: { codings: Coding[]; at: string };
  wasSubstituted?: { value: boolean; at: string };
  /**
   * Nothing was delivered or done (MedicationDispense declined, Procedure not-done, with a reason): the
   * record is kept, it counts nothing and the line stays dispensable (README "Counter outcomes").
   */
  notDone?: boolean;
  /** Drugs: the dosage handed over with the product, and the prescriber's agreement if declared. */
  dosage?: DispensedDosage;
}

/** Who performs: from the access token, or declared in the submission when there is no token. */
export interface ExecutionPerformer {
  rpps: string;
  profession?: Profession;
  source: 'token' | 'declared';
  /** Where the declared profession is (or should be). */
  professionAt?: string;
}

export type ExecutionDecision =
  | {
      ok: true;
      /** New executed quantity per line reference (`Type/id`), for the lines touched only. */
      executed: Map<string, number>;
      /** Per item: its line, and for drugs the completeness code the gateway records. */
      items: Array<{ line: LineState; fill?: FillCode }>;
      /** Accepted but worth saying (an early renewal, D16): severity warning. */
      warnings: Problem[];
      /** Drugs: the deliveries this submission adds, per line reference (dates and boxes). */
      delivered: Map<string, Delivery[]>;
    }
  | Refusal<'forbidden' | 'conflict' | 'invalid'>;

const REFERENCE = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
/** `Type/id` of a literal reference (relative, absolute, or versioned). */
export const referenceKey = (reference: string): string | undefined => REFERENCE.exec(reference)?.[1];

function describePrescribed(line: LineState): string {
  if (line.kind !== 'drug' || line.renewals === 0) return `${plural(line.prescribed, line.unit)} prescribed`;
  return `${plural(line.prescribed, line.unit)} prescribed: ${line.perDelivery} per delivery × (1 + ${plural(line.renewals, 'renewal')})`;
}

/** Paris calendar date of a date or date-time value. */
const dateOf = (value: string): string => (value.length === 10 ? value : parisDateOf(Date.parse(value)));

function isInFuture(value: string, now: Date): boolean {
  if (value.length === 10) return value > parisDateOf(now);
  return Date.parse(value) > now.getTime() + DATE_LIMITS.clockToleranceMs;
}

/** Whether the dispensed product visibly differs from the prescribed one: same code system, no common code. */
function productDiffers(prescribed: readonly Coding[], dispensed: readonly Coding[]): boolean {
  for (const d of dispensed) {
    if (!d.system || !d.code) continue;
    const sameSystem = prescribed.filter((p) => p.system === d.system);
    if (sameSystem.length > 0 && !sameSystem.some((p) => p.code === d.code)) {
      // Another code of the same system may still match (a coding list can repeat a system).
      const anyMatch = dispensed.some((o) => o.system === d.system && sameSystem.some((p) => p.code === o.code));
      if (!anyMatch) return true;
    }
  }
  return false;
}

/** The fill code of a drug dispense given what the line had before it. */
export function fillCodeOf(line: LineState, before: number, quantity: number): FillCode {
  const first = before < line.perDelivery;
  const complete = line.perDelivery > 0 && (before + quantity) % line.perDelivery === 0;
  return first ? (complete ? 'FFC' : 'FFP') : complete ? 'RFC' : 'RFP';
}

export function checkExecution(
  state: PrescriptionState,
  items: readonly ExecutionItem[],
  performer: ExecutionPerformer,
  now: Date,
): ExecutionDecision {
  const today = parisDateOf(now);
  const verdict = prescriptionStatusOf(state, today);
  if (verdict.qrDeactivated) {
    return {
      ok: false,
      kind: 'conflict',
      problems: [
        {
          code: 'conflict',
          rule: 'D7',
          message: `prescription ${state.number} is ${verdict.status} (${verdict.reason}): its QR code is deactivated and nothing more can be dispensed or executed`,
        },
      ],
    };
  }

  const forbidden: Problem[] = [];
  const invalid: Problem[] = [];
  const conflicts: Problem[] = [];
  const warnings: Problem[] = [];
  /** Deliveries earlier in this submission, per line (the delay between renewals counts them). */
  const earlierDeliveries = new Map<string, Delivery[]>();
  const executed = new Map<string, number>();
  const decided: Array<{ line: LineState; fill?: FillCode }> = [];
  const byReference = new Map(state.lines.map((l) => [l.reference, l]));
  const prescriptionDate = dateOf(state.authoredOn);

  items.forEach((item) => {
    const key = item.lineReference !== undefined ? referenceKey(item.lineReference) : undefined;
    const line = key !== undefined ? byReference.get(key) : undefined;
    if (!line) {
      const candidates = state.lines
        .filter((l) => RECORD_FOR_REQUEST[l.requestType] === item.recordType)
        .map((l) => l.reference);
      invalid.push({
        code: 'value',
        rule: 'D3',
        path: item.lineReferenceAt,
        message:
          candidates.length > 0
            ? `'${item.lineReference ?? ''}' is not a line of prescription ${state.number}; a ${item.recordType} executes one of ${candidates.join(', ')}`
            : `prescription ${state.number} has no line a ${item.recordType} can execute`,
      });
      return;
    }
    if (RECORD_FOR_REQUEST[line.requestType] !== item.recordType) {
      invalid.push({
        code: 'value',
        rule: 'D3',
        path: item.lineReferenceAt,
        message: `${lineLabel(line)} is executed with a ${RECORD_FOR_REQUEST[line.requestType]}, not a ${item.recordType}`,
      });
      return;
    }

    if (performer.source === 'declared') {
      if (!performer.profession) {
        invalid.push({
          code: 'required',
          rule: 'D2',
          ...(performer.professionAt ? { path: performer.professionAt } : {}),
          message:
            "the performer's profession is required to record a dispense or an execution (Practitioner.qualification)",
        });
      } else if (!EXECUTABLE_LINES[performer.profession].includes(line.kind)) {
        forbidden.push({
          code: 'forbidden',
          rule: 'A8',
          ...(performer.professionAt ? { path: performer.professionAt } : {}),
          message: `a ${performer.profession} does not dispense or execute ${line.kind} lines (${lineLabel(line)})`,
        });
      }
    }

    const lineVerdict = lineStatusOf(line, today);
    if (lineVerdict.status !== 'active') {
      conflicts.push({
        code: 'conflict',
        rule: 'D7',
        path: item.lineReferenceAt,
        message: `${lineVerdict.reason}: nothing more can be recorded on it`,
      });
      return;
    }

    // A line not delivered is recorded on an active line and leaves its quantity untouched.
    if (item.notDone) {
      decided.push({ line });
      return;
    }
    const before = executed.get(line.reference) ?? line.executed;
    const after = before + item.quantity;
    if (after > line.prescribed) {
      const left = line.prescribed - before;
      conflicts.push({
        code: 'conflict',
        rule: 'D4',
        path: item.quantityAt,
        message:
          `${lineLabel(line)}: ${plural(item.quantity, line.unit)} recorded but only ${left} remain ` +
          `(${describePrescribed(line)}; ${line.executed} already dispensed or executed${before > line.executed ? `, ${before - line.executed} earlier in this submission` : ''})`,
      });
      return;
    }
    executed.set(line.reference, after);

    if (isInFuture(item.when, now)) {
      invalid.push({
        code: 'value',
        rule: 'D5',
        path: item.whenAt,
        message: `${item.when} is in the future (receiver clock ${now.toISOString()})`,
      });
    } else if (dateOf(item.when) < prescriptionDate) {
      invalid.push({
        code: 'value',
        rule: 'D5',
        path: item.whenAt,
        message: `${item.when} is before the prescription date (${prescriptionDate})`,
      });
    } else {
      const date = dateOf(item.when);
      const earlier = earlierDeliveries.get(line.reference) ?? [];
      const validity = checkDeliveryDate(line, { before, quantity: item.quantity, date, at: item.whenAt }, earlier);
      invalid.push(...validity.problems);
      warnings.push(...validity.warnings);
      earlierDeliveries.set(line.reference, [...earlier, { date, quantity: item.quantity }]);
    }

    if (line.kind === 'drug') {
      const substituted = item.wasSubstituted?.value === true;
      if (substituted && line.nonSubstitutable) {
        invalid.push({
          code: 'business-rule',
          rule: 'D8',
          path: item.wasSubstituted!.at,
          message: `the prescriber marked ${lineLabel(line)} "non substituable": the prescribed product must be dispensed`,
        });
      } else if (!substituted && item.product && productDiffers(line.productCodes, item.product.codings)) {
        invalid.push({
          code: 'business-rule',
          rule: 'D8',
          path: item.product.at,
          message: `the product dispensed differs from the one prescribed on ${lineLabel(line)}: declare the substitution (substitution.wasSubstituted true, with its type and reason)`,
        });
      }
    }
    decided.push({ line, ...(line.kind === 'drug' ? { fill: fillCodeOf(line, before, item.quantity) } : {}) });
  });

  if (forbidden.length > 0) return { ok: false, kind: 'forbidden', problems: forbidden };
  if (invalid.length > 0) return { ok: false, kind: 'invalid', problems: [...invalid, ...conflicts] };
  if (conflicts.length > 0) return { ok: false, kind: 'conflict', problems: conflicts };
  return { ok: true, executed, items: decided, warnings, delivered: earlierDeliveries };
}
