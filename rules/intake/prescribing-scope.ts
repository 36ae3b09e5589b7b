/**
 * Prescribing scope: every line of a prescription must be within what the prescriber's profession
 * may prescribe (PROFESSION_TABLE, domain/professions.ts). The profession is the authenticated
 * principal's, never the payload's; the line is classified by what the payload says: its kind
 * (drug, device, act type) and, where the profession's right is a closed list, its product code
 * (CIP13 or CIS for a drug, LPP for a device) looked up in the lists of domain/prescribable-products.ts.
 * Pure: problems carry canonical paths (the line), which toVendorPaths turns into the vendor's.
 */
import type { Problem } from '../../domain/problem';
import type { PrescriptionLine } from '../../domain/prescription';
import {
  PROFESSION_TABLE,
  prescribingScopeOf,
  type LineKind,
  type PrescribingRight,
  type Profession,
} from '../../domain/professions';
import { lineName, linePath } from './describe';

/** A refusal of one line (rule A3), at its canonical path; `line` counts from 1. */
export type ScopeProblem = Problem & { path: string; line: number };

const KIND_NAMES: Readonly<Record<LineKind, string>> = {
  drug: 'drugs',
  device: 'medical devices',
  acteBiologieMedicale: 'biology acts',
  acteInfirmier: 'nursing acts',
  acteKinesitherapie: 'physiotherapy acts',
  actePedicurie: 'podiatry acts',
  acteOrthophonie: 'speech therapy acts',
  acteOrthoptie: 'orthoptics acts',
};

const lineKindOf = (line: PrescriptionLine): LineKind => (line.kind === 'act' ? line.actType : line.kind);

/** The product codes a line carries, as the scope lists know them. */
function productCodesOf(line: PrescriptionLine): { label: string; code: string }[] {
  if (line.kind === 'drug')
    return [
      ...(line.cip13 ? [{ label: 'CIP13', code: line.cip13 }] : []),
      ...(line.cis ? [{ label: 'CIS', code: line.cis }] : []),
    ];
  if (line.kind === 'device') return line.lpp ? [{ label: 'LPP', code: line.lpp }] : [];
  return [];
}

/** "a nurse (G15_60)": the profession as the refusal names it, with its TRE_G15 code when it has one. */
function professionName(profession: Profession): string {
  const words = profession.replace('-', ' ');
  const article = /^[aeiou]/.test(words) ? 'an' : 'a';
  const code = PROFESSION_TABLE[profession].g15Codes[0];
  return `${article} ${words}${code ? ` (G15_${code})` : ''}`;
}

function withCodes(line: PrescriptionLine, index: number): string {
  const codes = productCodesOf(line).map((c) => `${c.label} ${c.code}`);
  return `${lineName(line, index)}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
}

/** Why a line is outside a right ("… only from these lists: …: <line> is in none of them"), or undefined. */
function outsideRight(right: PrescribingRight, line: PrescriptionLine, index: number): string | undefined {
  if (right.open) return undefined;
  const codes = productCodesOf(line).map((c) => c.code);
  if (right.from.some(({ list }) => codes.some((code) => Object.hasOwn(list.codes, code)))) return undefined;
  const lists = right.from.map(({ list, source }) => `${list.name} (${source})`).join('; ');
  const what =
    codes.length === 0
      ? `${lineName(line, index)} has no product code to look up in them`
      : `${withCodes(line, index)} is in none of them (the gateway knows them by product code)`;
  return `may prescribe ${KIND_NAMES[lineKindOf(line)]} only from these lists: ${lists}: ${what}`;
}

/**
 * The lines the profession may not prescribe, one problem each (code `forbidden`), naming the rule
 * and the text it follows. A principal without a prescribing profession may prescribe nothing.
 */
export function checkPrescribingScope(
  lines: readonly PrescriptionLine[],
  profession: Profession | undefined,
): ScopeProblem[] {
  const scope = profession ? prescribingScopeOf(profession) : null;
  const problems: ScopeProblem[] = [];
  lines.forEach((line, index) => {
    const at = { path: linePath(index), line: index + 1 };
    if (!profession || !scope) {
      problems.push({
        code: 'forbidden',
        rule: 'A3',
        ...at,
        message: `${profession ? professionName(profession) : 'a caller without a profession'} may not prescribe: ${lineName(line, index)} is refused`,
      });
      return;
    }
    const kind = lineKindOf(line);
    const right = scope.rights[kind];
    if (!right) {
      problems.push({
        code: 'forbidden',
        rule: 'A3',
        ...at,
        message: `${professionName(profession)} may not prescribe ${KIND_NAMES[kind]}: ${lineName(line, index)} is outside that scope — ${scope.basis}`,
      });
      return;
    }
    const refusal = outsideRight(right, line, index);
    if (refusal)
      problems.push({ code: 'forbidden', rule: 'A3', ...at, message: `${professionName(profession)} ${refusal}` });
  });
  return problems;
}
