/** V11: the prescriber's structure is identified by a numéro AM, a FINESS, or both. */
import { isValidAmNumber, isValidFiness } from '../../domain/identifiers';
import { isBlank } from './describe';
import type { Rule } from './types';

export const organizationHasAmNumberOrFiness: Rule = ({ organization }, _context, report) => {
  if (!isBlank(organization.amNumber) || !isBlank(organization.finess)) return;
  report({
    rule: 'V11',
    code: 'required',
    path: '/organization',
    missing: ['/organization/amNumber', '/organization/finess'],
    message: "the prescriber's structure has neither a numéro AM nor a FINESS number; at least one is required",
  });
};

export const organizationIdentifiersAreWellFormed: Rule = ({ organization }, _context, report) => {
  const { amNumber, finess } = organization;
  if (amNumber !== undefined && !isBlank(amNumber) && !isValidAmNumber(amNumber)) {
    report({
      rule: 'V11',
      code: 'value',
      path: '/organization/amNumber',
      message: `numéro AM '${amNumber}' must be 9 digits`,
    });
  }
  if (finess !== undefined && !isBlank(finess) && !isValidFiness(finess)) {
    report({
      rule: 'V11',
      code: 'value',
      path: '/organization/finess',
      message: `FINESS '${finess}' must be 2 digits (or 2A/2B) followed by 7 digits`,
    });
  }
};
