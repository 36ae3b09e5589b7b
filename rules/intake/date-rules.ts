/**
 * V6 dates: (a) real calendar dates, (b) not in the future, (c) not after the prescription date,
 * (d) act start dates may be in the future. Date-only values are compared with today's date in
 * Europe/Paris; instants (the prescription date, the message timestamp) with the receiver clock
 * plus a few minutes of tolerance. Every date must also be plausible (domain/limits.ts
 * DATE_LIMITS): no date before 1900, no instant before the e-prescription service, act starts
 * within a few years of the prescription date.
 */
import { addMonths } from '../../domain/calendar';
import { DATE_LIMITS } from '../../domain/limits';
import type { Prescription } from '../../domain/prescription';
import { calendarDateProblem, dateTimeProblem } from './calendar';
import { lineName, linePath } from './describe';
import type { Report, Rule } from './types';

const TOLERANCE_MINUTES = DATE_LIMITS.clockToleranceMs / 60_000;

/** Date-only fields of the prescription and the limits they obey. */
const DATE_FIELDS: ReadonlyArray<{ path: string; label: string; get: (p: Prescription) => string | undefined }> = [
  { path: '/patient/birthDate', label: 'birth date', get: (p) => p.patient.birthDate },
  { path: '/consent/informedOn', label: 'date the patient was informed', get: (p) => p.consent.informedOn },
  { path: '/context/workAccidentDate', label: 'work accident date', get: (p) => p.context.workAccidentDate },
];

const EARLIEST_INSTANT_MS = Date.parse(DATE_LIMITS.earliestInstant);

/**
 * An instant the sender gave (prescription date, message timestamp): a real date-time, not ahead of
 * the receiver clock by more than the tolerance, not before DATE_LIMITS.earliestInstant.
 */
function checkInstant(value: string, path: string, label: string, now: Date, report: Report): void {
  const problem = dateTimeProblem(value);
  if (problem) {
    report({ rule: 'V6', code: 'value', path, message: `${label} '${value}' is not a real date-time: ${problem}` });
    return;
  }
  const instant = Date.parse(value);
  if (instant > now.getTime() + DATE_LIMITS.clockToleranceMs) {
    report({
      rule: 'V6',
      code: 'value',
      path,
      message: `${label} ${value} is in the future (receiver clock ${now.toISOString()}, ${TOLERANCE_MINUTES} minutes of tolerance)`,
    });
  } else if (instant < EARLIEST_INSTANT_MS) {
    report({
      rule: 'V6',
      code: 'value',
      path,
      message: `${label} ${value} is before ${DATE_LIMITS.earliestInstant.slice(0, 10)}, when e-prescriptions began: check the year`,
    });
  }
}

export const authoredOnIsValid: Rule = ({ authoredOn }, { now }, report) =>
  checkInstant(authoredOn, '/authoredOn', 'prescription date', now, report);

/** The message's own timestamp, when the format carries one (fhir-message Bundle.timestamp). */
export const messageTimestampIsValid: Rule = (_prescription, { now, sentAt }, report) => {
  if (sentAt !== undefined) checkInstant(sentAt, '/sentAt', 'message timestamp', now, report);
};

const beforeEarliest = (label: string, value: string): string =>
  `${label} ${value} is before ${DATE_LIMITS.earliestDate}: check the year`;

export const datesAreRealNotFutureNotAfterPrescription: Rule = (prescription, { today, prescriptionDate }, report) => {
  for (const { path, label, get } of DATE_FIELDS) {
    const value = get(prescription);
    if (value === undefined) continue;
    const problem = calendarDateProblem(value);
    if (problem) {
      report({
        rule: 'V6',
        code: 'value',
        path,
        message: `${label} '${value}' is not a real calendar date: ${problem}`,
      });
    } else if (value < DATE_LIMITS.earliestDate) {
      report({ rule: 'V6', code: 'value', path, message: beforeEarliest(label, value) });
    } else if (value > today) {
      report({
        rule: 'V6',
        code: 'value',
        path,
        message: `${label} ${value} is in the future (today is ${today} in Europe/Paris)`,
      });
    } else if (prescriptionDate !== undefined && value > prescriptionDate) {
      report({
        rule: 'V6',
        code: 'value',
        path,
        message: `${label} ${value} is after the prescription date ${prescriptionDate}`,
      });
    }
  }
};

/** Start dates may be in the future (V6d) but must exist, and be plausible. */
export const actStartDatesAreReal: Rule = ({ lines }, { prescriptionDate }, report) => {
  const latest =
    prescriptionDate === undefined
      ? undefined
      : addMonths(prescriptionDate, DATE_LIMITS.maxStartMonthsAfterPrescription);
  lines.forEach((line, index) => {
    if (line.kind !== 'act' || line.startDate === undefined) return;
    const path = `${linePath(index)}/startDate`;
    const label = `start date of ${lineName(line, index)}`;
    const problem = calendarDateProblem(line.startDate);
    if (problem) {
      report({
        rule: 'V6',
        code: 'value',
        path,
        message: `start date '${line.startDate}' of ${lineName(line, index)} is not a real calendar date: ${problem}`,
      });
    } else if (line.startDate < DATE_LIMITS.earliestDate) {
      report({ rule: 'V6', code: 'value', path, message: beforeEarliest(label, line.startDate) });
    } else if (latest !== undefined && line.startDate > latest) {
      report({
        rule: 'V6',
        code: 'value',
        path,
        message: `${label} ${line.startDate} is more than ${DATE_LIMITS.maxStartMonthsAfterPrescription} months after the prescription date ${prescriptionDate}`,
      });
    }
  });
};
