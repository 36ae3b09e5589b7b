/** V8 (non-substitution reason), V9 (number of lines), V10 (required fields per line type). */
import type { ActLine, DeviceLine, DrugLine } from '../../domain/prescription';
import { PAYLOAD_LIMITS } from '../../domain/limits';
import { isBlank, lineName, linePath } from './describe';
import type { Report, Rule } from './types';

const NON_SUBSTITUTION_CODES = ['MTE', 'EFG', 'CIF'];

export const nonSubstitutableDrugsHaveAReason: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (line.kind !== 'drug') return;
    const reason = line.nonSubstitutionReason;
    const path = linePath(index);
    if (line.nonSubstitutable && isBlank(reason?.code) && isBlank(reason?.text)) {
      report({
        rule: 'V8',
        code: 'required',
        path,
        missing: [`${path}/nonSubstitutionReason`],
        message: `${lineName(line, index)} is non-substitutable but gives no reason (MTE, EFG or CIF)`,
      });
    }
    if (reason?.code !== undefined && !NON_SUBSTITUTION_CODES.includes(reason.code)) {
      report({
        rule: 'V8',
        code: 'value',
        path: `${path}/nonSubstitutionReason`,
        message: `non-substitution reason '${reason.code}' of ${lineName(line, index)} must be MTE, EFG or CIF`,
      });
    }
  });
};

export const lineCountIsAllowed: Rule = ({ lines }, _context, report) => {
  if (lines.length === 0) {
    report({
      rule: 'V9',
      code: 'required',
      path: '/lines',
      message: 'the prescription has no line; at least 1 is required',
    });
  } else if (lines.length > PAYLOAD_LIMITS.maxLines) {
    report({
      rule: 'V9',
      code: 'value',
      path: '/lines',
      message: `the prescription has ${lines.length} lines; at most ${PAYLOAD_LIMITS.maxLines} are allowed`,
    });
  }
};

/** A required field that is absent: the problem points at `owner` and lists the alternatives. */
function requireField(
  report: Report,
  present: boolean,
  owner: string,
  fields: readonly string[],
  message: string,
): void {
  if (!present)
    report({ rule: 'V10', code: 'required', path: owner, missing: fields.map((f) => `${owner}${f}`), message });
}

function checkDrug(line: DrugLine, index: number, report: Report): void {
  const owner = linePath(index);
  const name = lineName(line, index);
  requireField(
    report,
    !isBlank(line.cip13) || !isBlank(line.cis),
    owner,
    ['/cip13', '/cis'],
    `${name} has no product code (CIP13 or CIS)`,
  );
  requireField(report, !isBlank(line.label), owner, ['/label'], `${name} has no label`);
  const { text, structured } = line.posology;
  requireField(
    report,
    !isBlank(text) || structured !== undefined,
    owner,
    ['/posology/text', '/posology/structured'],
    `${name} has no posology (free text or structured)`,
  );
  if (structured) {
    const at = `${owner}/posology/structured`;
    requireField(
      report,
      structured.dosePerIntake !== undefined,
      at,
      ['/dosePerIntake'],
      `structured posology of ${name} has no dose per intake`,
    );
    requireField(report, !isBlank(structured.unit), at, ['/unit'], `structured posology of ${name} has no dose unit`);
    requireField(
      report,
      structured.intakesPerDay !== undefined,
      at,
      ['/intakesPerDay'],
      `structured posology of ${name} has no number of intakes per day`,
    );
  }
  requireField(report, line.quantity !== undefined, owner, ['/quantity'], `${name} has no quantity (number of boxes)`);
}

function checkDevice(line: DeviceLine, index: number, report: Report): void {
  const owner = linePath(index);
  const name = lineName(line, index);
  requireField(report, !isBlank(line.label), owner, ['/label'], `${name} has no label`);
  requireField(report, line.quantity !== undefined, owner, ['/quantity'], `${name} has no quantity`);
}

function checkAct(line: ActLine, index: number, report: Report): void {
  const owner = linePath(index);
  const name = lineName(line, index);
  if (line.actType === 'acteBiologieMedicale') {
    requireField(report, !isBlank(line.code), owner, ['/code'], `${name} has no NABM code`);
  } else {
    requireField(report, line.sessions !== undefined, owner, ['/sessions'], `${name} has no number of sessions`);
  }
  requireField(report, !isBlank(line.label), owner, ['/label'], `${name} has no label`);
}

export const linesHaveTheirRequiredFields: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (line.kind === 'drug') checkDrug(line, index, report);
    else if (line.kind === 'device') checkDevice(line, index, report);
    else checkAct(line, index, report);
  });
};
