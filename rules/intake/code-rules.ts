/** V5: product and act codes of each line (CIP13 EAN-13 check digit, CIS, LPP, NABM shapes). */
import { CIP13_SHAPE, ean13CheckDigit, isValidCis, isValidLpp, isValidNabm } from '../../domain/identifiers';
import { lineName, linePath } from './describe';
import type { Rule } from './types';

export const drugCodesAreValid: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (line.kind !== 'drug') return;
    const name = lineName(line, index);
    if (line.cip13 !== undefined) {
      const path = `${linePath(index)}/cip13`;
      if (!CIP13_SHAPE.test(line.cip13)) {
        report({
          rule: 'V5',
          code: 'value',
          path,
          message: `CIP13 '${line.cip13}' of ${name} must be 13 digits starting with 340`,
        });
      } else {
        const expected = ean13CheckDigit(line.cip13.slice(0, 12));
        if (expected !== Number(line.cip13[12])) {
          report({
            rule: 'V5',
            code: 'value',
            path,
            message: `CIP13 ${line.cip13} of ${name} ends with ${line.cip13[12]} but the EAN-13 check digit of its first 12 digits is ${expected}`,
          });
        }
      }
    }
    if (line.cis !== undefined && !isValidCis(line.cis)) {
      report({
        rule: 'V5',
        code: 'value',
        path: `${linePath(index)}/cis`,
        message: `CIS '${line.cis}' of ${name} must be exactly 8 digits`,
      });
    }
  });
};

export const deviceCodesAreValid: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (line.kind === 'device' && line.lpp !== undefined && !isValidLpp(line.lpp)) {
      report({
        rule: 'V5',
        code: 'value',
        path: `${linePath(index)}/lpp`,
        message: `LPP code '${line.lpp}' of ${lineName(line, index)} must be 7 digits`,
      });
    }
  });
};

export const biologyCodesAreValid: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    if (
      line.kind === 'act' &&
      line.actType === 'acteBiologieMedicale' &&
      line.code !== undefined &&
      !isValidNabm(line.code)
    ) {
      report({
        rule: 'V5',
        code: 'value',
        path: `${linePath(index)}/code`,
        message: `NABM code '${line.code}' of ${lineName(line, index)} must be 4 digits`,
      });
    }
  });
};
