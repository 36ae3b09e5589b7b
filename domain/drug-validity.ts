/**
 * The dates a drug line may be delivered on, per line and per delivery (Code de la santé publique):
 *
 *  - R.5132-22: the FIRST delivery only on a prescription less than three months old;
 *  - R.5132-22 + R.5132-21: renewals only within the treatment duration the prescription covers,
 *    which may not exceed twelve months;
 *  - R.5132-14: a renewal only after the delay the dosage and the quantities already delivered imply;
 *  - R.5132-12: one delivery covers at most four weeks or a month (three months for a quarterly
 *    pack), hence the one-month default for the duration of one delivery when the posology gives none.
 *
 * Every window counts from the PRESCRIPTION DATE (Europe/Paris calendar day), never from the first
 * delivery: R.5132-21 limits the treatment a prescription may be made for ("ne peut être faite pour
 * une durée de traitement supérieure à douze mois"), i.e. from the day it is made, and R.5132-22 ties
 * renewals to that same treatment period; neither text moves its start to the first delivery. It also
 * makes the window known at intake (stored in `dispenseRequest.validityPeriod`) and the same at every
 * counter. Pure.
 */
import { addMonths } from './calendar';
import type { Duration, IsoDate } from './prescription';

/** R.5132-22: months after the prescription date within which a drug is first delivered. */
export const FIRST_DELIVERY_MONTHS = 3;
/** R.5132-21: longest treatment a prescription covers, renewals included. */
export const MAX_TREATMENT_MONTHS = 12;
/** R.5132-12: what one delivery covers when the posology states no duration (four weeks or one month). */
export const DEFAULT_DELIVERY_DURATION: Duration = { value: 1, unit: 'mo' };
/** A month of supply counted in days for fractions of a delivery (R.5132-12: "mois de trente jours"). */
const DAYS_PER_MONTH = 30;

const DAY_MS = 86_400_000;

/** `date` plus `days` (calendar days, no time zone involved: the dates are already Paris days). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const minDate = (a: IsoDate, b: IsoDate): IsoDate => (a < b ? a : b);
export const maxDate = (a: IsoDate, b: IsoDate): IsoDate => (a > b ? a : b);

/**
 * `date` plus `fraction` × `duration`: whole months on the calendar (the 14th stays the 14th), what
 * is left of a month as days at 30 a month, rounded down (a fraction of a box is never counted long).
 */
export function addDuration(date: IsoDate, duration: Duration, fraction = 1): IsoDate {
  if (duration.unit === 'd' || duration.unit === 'wk') {
    const days = duration.value * (duration.unit === 'wk' ? 7 : 1) * fraction;
    return addDays(date, Math.floor(days + 1e-9));
  }
  const months = duration.value * (duration.unit === 'a' ? 12 : 1) * fraction;
  const whole = Math.floor(months + 1e-9);
  return addDays(addMonths(date, whole), Math.floor((months - whole) * DAYS_PER_MONTH + 1e-9));
}

/** R.5132-22: last day (inclusive) of the first delivery of a drug, from the prescription date. */
export const firstDeliveryDeadline = (prescriptionDate: IsoDate): IsoDate =>
  addMonths(prescriptionDate, FIRST_DELIVERY_MONTHS);

/** What set the end of the treatment window. */
export type TreatmentBound = 'duration' | 'twelve-months' | 'prescription';

export interface DrugValidity {
  /** The prescription date (Europe/Paris): where every window starts. */
  prescriptionDate: IsoDate;
  /** R.5132-22: last day the first delivery may be made. */
  firstDeliveryUntil: IsoDate;
  /** R.5132-21/22: last day a renewal may be made (the treatment the prescription covers). */
  treatmentEnd: IsoDate;
  treatmentBound: TreatmentBound;
  /** What one delivery of `perDelivery` boxes covers (the posology's duration, else one month). */
  perDeliveryDuration: Duration;
  /** false when perDeliveryDuration is the R.5132-12 default. */
  durationStated: boolean;
}

export interface DrugValidityInput {
  prescriptionDate: IsoDate;
  renewals: number;
  /** Duration of one delivery (StructuredPosology.duration / dispenseRequest.expectedSupplyDuration). */
  perDeliveryDuration?: Duration | undefined;
  /** A last day the prescription itself states (a stored `validityPeriod.end`): it can only shorten. */
  statedEnd?: IsoDate | undefined;
}

export function drugValidityOf(input: DrugValidityInput): DrugValidity {
  const { prescriptionDate, renewals, statedEnd } = input;
  const perDeliveryDuration = input.perDeliveryDuration ?? DEFAULT_DELIVERY_DURATION;
  const byDuration = addDuration(prescriptionDate, perDeliveryDuration, 1 + Math.max(0, renewals));
  const twelveMonths = addMonths(prescriptionDate, MAX_TREATMENT_MONTHS);
  let treatmentEnd = minDate(byDuration, twelveMonths);
  let treatmentBound: TreatmentBound = byDuration <= twelveMonths ? 'duration' : 'twelve-months';
  if (statedEnd !== undefined && statedEnd < treatmentEnd) {
    treatmentEnd = statedEnd;
    treatmentBound = 'prescription';
  }
  const firstDeadline = firstDeliveryDeadline(prescriptionDate);
  return {
    prescriptionDate,
    firstDeliveryUntil: statedEnd !== undefined ? minDate(firstDeadline, statedEnd) : firstDeadline,
    treatmentEnd,
    treatmentBound,
    perDeliveryDuration,
    durationStated: input.perDeliveryDuration !== undefined,
  };
}

/**
 * Last day any delivery of the line may be made: the first delivery's deadline or the treatment's end,
 * whichever is later (a one-week antibiotic may still be first delivered in its third month). What
 * intake stores as `dispenseRequest.validityPeriod.end`.
 */
export const lastDeliveryDay = (v: Pick<DrugValidity, 'firstDeliveryUntil' | 'treatmentEnd'>): IsoDate =>
  maxDate(v.firstDeliveryUntil, v.treatmentEnd);

export interface Delivery {
  /** Europe/Paris day it was handed over. */
  date: IsoDate;
  /** Boxes. */
  quantity: number;
}

/**
 * R.5132-14: first day the boxes delivered so far have run out, at the stated dosage: each delivery
 * covers (its boxes / boxes per delivery) × the duration of one delivery, from its own day or from
 * the day the earlier supply runs out, whichever is later (supply bought early adds up; a late
 * delivery does not earn a credit). Undefined when nothing was delivered.
 */
export function suppliedUntil(
  deliveries: readonly Delivery[],
  perDelivery: number,
  perDeliveryDuration: Duration,
): IsoDate | undefined {
  if (perDelivery <= 0) return undefined;
  let until: IsoDate | undefined;
  for (const d of [...deliveries].sort((a, b) => a.date.localeCompare(b.date))) {
    const from = until === undefined ? d.date : maxDate(until, d.date);
    until = addDuration(from, perDeliveryDuration, d.quantity / perDelivery);
  }
  return until;
}

/** "1 month", "4 weeks": a duration for messages. */
export function describeDuration(d: Duration): string {
  const labels: Record<Duration['unit'], [string, string]> = {
    d: ['day', 'days'],
    wk: ['week', 'weeks'],
    mo: ['month', 'months'],
    a: ['year', 'years'],
  };
  return `${d.value} ${labels[d.unit][d.value === 1 ? 0 : 1]}`;
}
