/**
 * Check digits of the French health identifiers (vendors README §5 V3–V5, §6).
 * Pure functions: each answers whether a value is well-formed and its key is right.
 */
import { INS_OIDS } from './prescription';

/** INS matricule: 13-character NIR/NIA body (2A/2B at positions 6-7 for Corsica), then a 2-digit key. */
export const INS_SHAPE = /^[1-478][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}$/;
export const RPPS_SHAPE = /^[19][0-9]{10}$/;
export const CIP13_SHAPE = /^340[0-9]{10}$/;

/** Key of a 13-character NIR/NIA body: 97 − (N mod 97), with 2A → 19 and 2B → 18 (Corsica). */
export function insKey(body13: string): number {
  const numeric = body13.slice(0, 5) + body13.slice(5, 7).replace('2A', '19').replace('2B', '18') + body13.slice(7);
  return 97 - Number(BigInt(numeric) % 97n);
}

export function isValidInsValue(value: string): boolean {
  if (!INS_SHAPE.test(value)) return false;
  return insKey(value.slice(0, 13)) === Number(value.slice(13));
}

export const INS_OID_VALUES: readonly string[] = Object.values(INS_OIDS);
export const isInsOid = (oid: string): boolean => INS_OID_VALUES.includes(oid);

/** Luhn over all digits (the last one is the check digit). */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** RPPS: 11 digits, first 1 or 9, Luhn-valid. */
export const isValidRpps = (rpps: string): boolean => RPPS_SHAPE.test(rpps) && luhnValid(rpps);

/** idNatPs of a practitioner identified by RPPS: "8" + RPPS. */
export const idNatPsFromRpps = (rpps: string): string => `8${rpps}`;

/** EAN-13 check digit of the first 12 digits: weights 1,3,1,3…, (10 − sum mod 10) mod 10. */
export function ean13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

export const isValidCip13 = (cip13: string): boolean =>
  CIP13_SHAPE.test(cip13) && ean13CheckDigit(cip13.slice(0, 12)) === Number(cip13[12]);

export const isValidCis = (cis: string): boolean => /^[0-9]{8}$/.test(cis);
export const isValidLpp = (lpp: string): boolean => /^[0-9]{7}$/.test(lpp);
export const isValidNabm = (code: string): boolean => /^[0-9]{4}$/.test(code);
export const isValidFiness = (finess: string): boolean => /^(?:[0-9]{2}|2A|2B)[0-9]{7}$/.test(finess);
export const isValidAmNumber = (am: string): boolean => /^[0-9]{9}$/.test(am);
