/** V3 (INS) and V4 (RPPS) on the people of the prescription. */
import { INS_OID_VALUES, INS_SHAPE, RPPS_SHAPE, insKey, isInsOid, luhnValid } from '../../domain/identifiers';
import { INS_OIDS, type PractitionerIdentity } from '../../domain/prescription';
import type { Report, Rule } from './types';

export const insValueIsWellFormed: Rule = ({ patient }, _context, report) => {
  const value = patient.ins.value;
  if (INS_SHAPE.test(value)) return;
  report({
    rule: 'V3',
    code: 'value',
    path: '/patient/ins/value',
    message:
      `INS '${value}' is not shaped like an INS matricule: expected 15 characters, a first digit 1-4, 7 or 8, ` +
      `4 digits, 2 digits or 2A/2B (Corsica), 6 digits and a 2-digit key`,
  });
};

export const insKeyMatchesBody: Rule = ({ patient }, _context, report) => {
  const { value, oid } = patient.ins;
  if (!INS_SHAPE.test(value)) return; // reported by insValueIsWellFormed
  const body = value.slice(0, 13);
  const expected = insKey(body);
  const key = Number(value.slice(13));
  if (key === expected) return;
  const kind = oid === INS_OIDS.nia ? 'NIA' : 'NIR';
  report({
    rule: 'V3',
    code: 'value',
    path: '/patient/ins/value',
    message: `INS key is ${value.slice(13)} but the ${kind} body ${body} gives ${String(expected).padStart(2, '0')} (97 − body mod 97${/2[AB]/.test(body.slice(5, 7)) ? ', with 2A read as 19 and 2B as 18' : ''})`,
  });
};

export const insOidIsKnown: Rule = ({ patient }, _context, report) => {
  if (isInsOid(patient.ins.oid)) return;
  report({
    rule: 'V3',
    code: 'value',
    path: '/patient/ins/oid',
    message: `INS OID '${patient.ins.oid}' is not one of the four INS OIDs (${INS_OID_VALUES.join(', ')})`,
  });
};

/** The digit that would make `first10` + digit pass Luhn. */
function luhnCheckDigit(first10: string): number {
  for (let digit = 0; digit <= 9; digit++) if (luhnValid(first10 + digit)) return digit;
  return 0;
}

function checkRpps(who: string, practitioner: PractitionerIdentity, path: string, report: Report): void {
  const { rpps } = practitioner;
  if (!RPPS_SHAPE.test(rpps)) {
    report({
      rule: 'V4',
      code: 'value',
      path,
      message: `${who} RPPS '${rpps}' must be 11 digits starting with 1 or 9`,
    });
  } else if (!luhnValid(rpps)) {
    report({
      rule: 'V4',
      code: 'value',
      path,
      message: `${who} RPPS ${rpps} fails the Luhn check (its first 10 digits give check digit ${luhnCheckDigit(rpps.slice(0, 10))}, not ${rpps[10]})`,
    });
  }
}

export const prescriberRppsIsValid: Rule = ({ prescriber }, _context, report) =>
  checkRpps('prescriber', prescriber, '/prescriber/rpps', report);

export const replacedPrescriberRppsIsValid: Rule = ({ replacedPrescriber }, _context, report) => {
  if (replacedPrescriber) checkRpps('replaced practitioner', replacedPrescriber, '/replacedPrescriber/rpps', report);
};
