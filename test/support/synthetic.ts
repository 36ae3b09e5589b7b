/**
 * Synthetic identifiers with valid check digits, unique per call, so that integration tests
 * never collide with data left by earlier runs. Place-of-birth code 999 is assigned to no
 * commune; RPPS numbers come from the 999… test range.
 */
import { randomInt } from 'node:crypto';
import { insKey, luhnValid } from '../../domain/identifiers';
import { INS_OIDS } from '../../domain/prescription';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** A NIR-shaped test INS: sex 1/2, year, month, department 99, commune 999, order, key. */
export function syntheticIns(): { value: string; oid: string } {
  const body = `${randomInt(1, 3)}${digits(2)}${String(randomInt(1, 13)).padStart(2, '0')}99999${digits(3)}`;
  return { value: body + String(insKey(body)).padStart(2, '0'), oid: INS_OIDS.nirTest };
}

/** An 11-digit RPPS of the 999 test range with a valid Luhn key. */
export function syntheticRpps(): string {
  const body = `999${digits(7)}`;
  for (let check = 0; check < 10; check++) if (luhnValid(body + check)) return body + check;
  throw new Error('unreachable: one Luhn key always fits');
}

/** A FINESS of the 99 range (no such department). */
export const syntheticFiness = (): string => `99${digits(7)}`;
