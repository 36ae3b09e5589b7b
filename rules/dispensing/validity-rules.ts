/**
 * Validity per drug line and per delivery (the dates of domain/drug-validity.ts, articles of the Code
 * de la santé publique cited there and in the README, "Dispensing and execution › Validity"):
 *
 *  - the first delivery (nothing dispensed on the line yet) by the R.5132-22 deadline, 3 months after
 *    the prescription date; the rest of a partial first delivery by the line's last delivery day;
 *  - any box beyond the first delivery (a renewal) by the end of the treatment (R.5132-21/22);
 *  - a renewal before the supply already delivered runs out (R.5132-14) is accepted with a warning.
 *
 * Devices and acts have no expiry here (no such article applies to them; see the README). A drug line
 * read without `validity` (older unit fixtures) keeps the single `validUntil` bound. Pure.
 */
import type { Delivery } from '../../domain/drug-validity';
import { describeDuration, lastDeliveryDay, suppliedUntil } from '../../domain/drug-validity';
import type { IsoDate } from '../../domain/prescription';
import type { Problem } from '../../domain/problem';
import type { LineState } from './model';

/** Until when (and, for an early renewal, from when) the next delivery of a line is in time, and why. */
export interface DeliveryWindow {
  /** Last day (inclusive) the next delivery may be made. */
  until: IsoDate;
  /** The rule and its article. */
  rule: 'D6';
  reason: string;
  /** First day a renewal is not early (R.5132-14), when the next box starts a renewal. */
  from?: IsoDate;
  fromReason?: string;
}

const label = (line: LineState): string => `line ${line.index + 1} (${line.reference})`;
const boxes = (n: number): string => `${n} boîte${n > 1 ? 's' : ''}`;

function treatmentReason(line: LineState): string {
  const v = line.validity!;
  switch (v.treatmentBound) {
    case 'twelve-months':
      return `renewals within 12 months of the prescription date ${v.prescriptionDate} (CSP R.5132-21)`;
    case 'prescription':
      return 'renewals until the last day the prescription states (dispenseRequest.validityPeriod.end)';
    case 'duration': {
      const per = v.durationStated
        ? describeDuration(v.perDeliveryDuration)
        : `${describeDuration(v.perDeliveryDuration)} (no duration in the posology: one delivery covers at most a month, CSP R.5132-12)`;
      return `renewals within the treatment the prescription covers: ${per} per delivery × (1 + ${line.renewals} renewals) from the prescription date ${v.prescriptionDate} (CSP R.5132-22, R.5132-21)`;
    }
  }
}

const firstDeliveryReason = (line: LineState): string =>
  `first delivery within 3 months of the prescription date ${line.validity!.prescriptionDate} (CSP R.5132-22)`;

/** The supply delivered so far runs out on: (only meaningful when the next box starts a renewal). */
function renewalFrom(line: LineState, extra: readonly Delivery[] = []): IsoDate | undefined {
  const v = line.validity;
  if (!v) return undefined;
  return suppliedUntil([...(line.deliveries ?? []), ...extra], line.perDelivery, v.perDeliveryDuration);
}

/** Drugs: until when the next delivery may be made, and why. Undefined for devices and acts. */
export function nextDeliveryWindow(line: LineState): DeliveryWindow | undefined {
  if (line.kind !== 'drug') return undefined;
  const v = line.validity;
  if (!v) {
    return line.validUntil !== undefined
      ? { until: line.validUntil, rule: 'D6', reason: 'the validity period of the prescription' }
      : undefined;
  }
  if (line.executed === 0) return { until: v.firstDeliveryUntil, rule: 'D6', reason: firstDeliveryReason(line) };
  if (line.executed < line.perDelivery) {
    return {
      until: lastDeliveryDay(v),
      rule: 'D6',
      reason: `the rest of the first delivery, within the later of ${firstDeliveryReason(line)} and ${treatmentReason(line)}`,
    };
  }
  const window: DeliveryWindow = { until: v.treatmentEnd, rule: 'D6', reason: treatmentReason(line) };
  const startsRenewal = line.perDelivery > 0 && line.executed % line.perDelivery === 0;
  const from = startsRenewal && line.executed < line.prescribed ? renewalFrom(line) : undefined;
  if (from !== undefined) {
    window.from = from;
    window.fromReason = `the ${boxes(line.executed)} delivered cover the treatment until ${from} at the stated dosage: an earlier renewal is recorded with a warning (CSP R.5132-14)`;
  }
  return window;
}

export interface DeliveryCheck {
  /** Refusals (D6, 422). */
  problems: Problem[];
  /** Accepted, but said in the answer (D16). */
  warnings: Problem[];
}

/**
 * One delivery of `quantity` boxes on `date` (Europe/Paris day), `before` boxes having been dispensed
 * (stored + earlier in the same submission, those listed in `earlier`).
 */
export function checkDeliveryDate(
  line: LineState,
  delivery: { before: number; quantity: number; date: IsoDate; at: string },
  earlier: readonly Delivery[] = [],
): DeliveryCheck {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const { before, quantity, date, at } = delivery;
  if (line.kind !== 'drug') return { problems, warnings };
  const v = line.validity;
  if (!v) {
    if (line.validUntil !== undefined && date > line.validUntil) {
      problems.push({
        code: 'value',
        rule: 'D6',
        path: at,
        message: `${date} is after the last day ${label(line)} could be dispensed (${line.validUntil})`,
      });
    }
    return { problems, warnings };
  }
  const firstBoxes = before < line.perDelivery ? Math.min(quantity, line.perDelivery - before) : 0;
  const renewalBoxes = quantity - firstBoxes;
  if (before === 0 && date > v.firstDeliveryUntil) {
    problems.push({
      code: 'value',
      rule: 'D6',
      path: at,
      message: `first delivery of ${label(line)} on ${date}, after its last day ${v.firstDeliveryUntil}: ${firstDeliveryReason(line)}`,
    });
  } else if (before > 0 && firstBoxes > 0 && date > lastDeliveryDay(v)) {
    problems.push({
      code: 'value',
      rule: 'D6',
      path: at,
      message: `the rest of the first delivery of ${label(line)} on ${date}, after its last day ${lastDeliveryDay(v)}`,
    });
  }
  if (renewalBoxes > 0 && date > v.treatmentEnd) {
    problems.push({
      code: 'value',
      rule: 'D6',
      path: at,
      message: `renewal of ${label(line)} on ${date}, after the end of its treatment ${v.treatmentEnd}: ${treatmentReason(line)}`,
    });
  }
  const startsRenewal =
    before > 0 &&
    line.perDelivery > 0 &&
    Math.ceil((before + quantity) / line.perDelivery) > Math.ceil(before / line.perDelivery);
  if (problems.length === 0 && startsRenewal) {
    const from = renewalFrom(line, earlier);
    if (from !== undefined && date < from) {
      warnings.push({
        code: 'business-rule',
        severity: 'warning',
        rule: 'D16',
        path: at,
        message: `early renewal of ${label(line)} on ${date}: the ${boxes(before)} delivered cover the treatment until ${from} at the stated dosage (CSP R.5132-14); recorded`,
      });
    }
  }
  return { problems, warnings };
}
