/**
 * V6 dates: (a) real calendar dates, (b) not in the future, (c) not after the prescription date,
 * (d) act start dates may be in the future. Date-only values are compared with today's date in
 * Europe/Paris; the authoredOn instant with the receiver clock plus 5 minutes of tolerance.
 */
import type { Prescription } from '../../domain/prescription';
import { calendarDateProblem, dateTimeProblem } from './calendar';
import { lineName, linePath } from './describe';
import type { Rule } from './types';

export const CLOCK_TOLERANCE_MS = 5 * 60_000;

/** Date-only fields of the prescription and the limits they obey. */
const DATE_FIELDS: ReadonlyArray<{ path: string; label: string; get: (p: Prescription) => string | undefined }> = [
  { path: '/patient/birthDate', label: 'birth date', get: (p) => p.patient.birthDate },
  { path: '/consent/informedOn', label: 'date the patient was informed', get: (p) => p.consent.informedOn },
  { path: '/context/workAccidentDate', label: 'work accident date', get: (p) => p.context.workAccidentDate },
];

export const authoredOnIsValid: Rule = ({ authoredOn }, { now }, report) => {
  const problem = dateTimeProblem(authoredOn);
  if (problem) {
    report({
      rule: 'V6',
      code: 'value',
      path: '/authoredOn',
      message: `prescription date '${authoredOn}' is not a real date-time: ${problem}`,
    });
    return;
  }
  if (Date.parse(authoredOn) > now.getTime() + CLOCK_TOLERANCE_MS) {
    report({
      rule: 'V6',
      code: 'value',
      path: '/authoredOn',
      message: `prescription date ${authoredOn} is in the future (receiver clock ${now.toISOString()}, 5 minutes of tolerance)`,
    });
  }
};

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

/** Start dates may be in the future (V6d) but must exist. */
export const actStartDatesAreReal: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (line.kind !== 'act' || line.startDate === undefined) return;
    const problem = calendarDateProblem(line.startDate);
    if (problem) {
      report({
        rule: 'V6',
        code: 'value',
        path: `${linePath(index)}/startDate`,
        message: `start date '${line.startDate}' of ${lineName(line, index)} is not a real calendar date: ${problem}`,
      });
    }
  });
};
