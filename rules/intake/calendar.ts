/** Calendar checks on the canonical ISO shapes, with explanations for messages. */
import { daysInMonth } from '../../domain/calendar';

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const ISO_DATE_TIME =
  /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))$/;
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Why `value` is not a real YYYY-MM-DD calendar date, or undefined when it is one. */
export function calendarDateProblem(value: string): string | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return 'it is not a date in the form YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return `month ${match[2]} does not exist`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTH_NAMES[month - 1]} ${year} has ${days} days`;
  return undefined;
}

/** Why `value` is not a real RFC 3339 date-time with an offset, or undefined when it is one. */
export function dateTimeProblem(value: string): string | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return 'it is not an RFC 3339 date-time with an offset (e.g. 2026-10-14T09:32:00+02:00)';
  const dateProblem = calendarDateProblem(match[1]!);
  if (dateProblem) return dateProblem;
  if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4]) > 59) return 'the time of day does not exist';
  if (match[5] !== undefined && (Number(match[5]) > 23 || Number(match[6]) > 59))
    return 'the UTC offset is out of range';
  return undefined;
}
