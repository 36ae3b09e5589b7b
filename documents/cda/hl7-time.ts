/**
 * HL7 v3 TS values (YYYYMMDD[HHMMSS±ZZZZ]) from the canonical model's ISO strings, and the
 * validity period of a prescription.
 *
 * Times stay in the offset the prescriber wrote them in (CI-SIS: "en temps local du producteur");
 * a `Date` (an instant without zone) is written in Europe/Paris time, the zone of the service.
 */
import type { IsoDate, IsoDateTime } from '../../domain/prescription';
import { parisDateTimeOf } from '../../domain/paris-time';
import { drugValidityEnd } from '../../domain/validity';

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

/** An instant as Paris wall-clock time with its offset: 2026-10-20T14:05:00Z → "20261020160500+0200". */
export const hl7InstantInParis = (instant: Date): string => hl7DateTime(parisDateTimeOf(instant));

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

/** Last day the ordonnance can be presented (domain/validity.ts), from its calendar date. */
export const validityEnd = (authoredOn: IsoDateTime): IsoDate => drugValidityEnd(localDateOf(authoredOn));

export function validityPeriod(authoredOn: IsoDateTime): ValidityPeriod {
  return {
    low: hl7DateTime(authoredOn),
    high: hl7Date(validityEnd(authoredOn)),
  };
}
