/**
 * HL7 v3 TS values (YYYYMMDD[HHMMSS±ZZZZ]) from the canonical model's ISO strings, and the
 * validity period of a prescription.
 *
 * Times stay in the offset the prescriber wrote them in (CI-SIS: "en temps local du producteur");
 * a `Date` (an instant without zone) is written in Europe/Paris time, the zone of the service.
 */
import type { IsoDate, IsoDateTime } from '../../domain/prescription';
import { addMonths } from '../../domain/calendar';

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-10-20T16:05:00+02:00" → "20261020160500+0200". */
export function hl7DateTime(value: IsoDateTime): string {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) throw new RangeError(`not an RFC 3339 date-time with offset: ${value}`);
  const [, y, mo, d, h, mi, s = '00', zone] = m;
  return `${y}${mo}${d}${h}${mi}${s}${zone === 'Z' ? '+0000' : zone!.replace(':', '')}`;
}

/** "1977-07-14" → "19770714". */
export function hl7Date(value: IsoDate): string {
  const m = ISO_DATE.exec(value);
  if (!m) throw new RangeError(`not an ISO date: ${value}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** The calendar date part of a date-time, in its own offset: "2026-10-20T23:30:00+02:00" → "2026-10-20". */
export function localDateOf(value: IsoDateTime): IsoDate {
  if (!ISO_DATE_TIME.test(value)) throw new RangeError(`not an RFC 3339 date-time with offset: ${value}`);
  return value.slice(0, 10);
}

const PARIS_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** An instant as Paris wall-clock time with its offset: 2026-10-20T14:05:00Z → "20261020160500+0200". */
export function hl7InstantInParis(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid Date');
  const parts = Object.fromEntries(PARIS_PARTS.formatToParts(instant).map((p) => [p.type, p.value]));
  // longOffset is "GMT+02:00", or plain "GMT" at offset zero.
  const offset = parts.timeZoneName === 'GMT' ? '+0000' : parts.timeZoneName!.slice(3).replace(':', '');
  return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}${offset}`;
}

/** How long an ordonnance can be presented for dispensing (CSP: within three months of its date). */
const VALIDITY_MONTHS = 3;

export interface ValidityPeriod {
  /** The prescription's date-time, as authored. */
  low: string;
  /**
   * Last day of validity, at day precision: an HL7 interval's high bound is inclusive, so the whole
   * day is covered, and no offset has to be guessed for a wall-clock time three months away
   * (a daylight-saving change may lie in between).
   */
  high: string;
}

/** Last day the ordonnance can be presented: its calendar date + VALIDITY_MONTHS, clamped to the month end. */
export const validityEnd = (authoredOn: IsoDateTime): IsoDate => addMonths(localDateOf(authoredOn), VALIDITY_MONTHS);

export function validityPeriod(authoredOn: IsoDateTime): ValidityPeriod {
  return {
    low: hl7DateTime(authoredOn),
    high: hl7Date(validityEnd(authoredOn)),
  };
}
