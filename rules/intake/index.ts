/**
 * Business rules V3–V11 of the vendors README §5 on the canonical prescription, whatever the
 * vendor format. Schemas (V1, V2) are the mappers' job; V12 is the fhir-message mapper's.
 * Problems carry canonical paths; toVendorPaths turns them into the vendor's paths.
 */
import type { Prescription } from '../../domain/prescription';
import { parisDateOf } from '../../domain/paris-time';
import { dateTimeProblem } from './calendar';
import { biologyCodesAreValid, deviceCodesAreValid, drugCodesAreValid } from './code-rules';
import {
  actStartDatesAreReal,
  authoredOnIsValid,
  datesAreRealNotFutureNotAfterPrescription,
  messageTimestampIsValid,
} from './date-rules';
import {
  insKeyMatchesBody,
  insOidIsKnown,
  insValueIsWellFormed,
  prescriberRppsIsValid,
  replacedPrescriberRppsIsValid,
} from './identity-rules';
import { lineCountIsAllowed, linesHaveTheirRequiredFields, nonSubstitutableDrugsHaveAReason } from './line-rules';
import { quantitiesAreInRange } from './quantity-rules';
import { organizationHasAmNumberOrFiness, organizationIdentifiersAreWellFormed } from './structure-rules';
import type { Rule, RuleContext, RuleProblem } from './types';

export type { RuleProblem, RuleContext, Rule } from './types';
export { toVendorPaths } from './vendor-paths';
export { checkPrescribingScope, type ScopeProblem } from './prescribing-scope';

/** Every rule, in the order of the README table. */
const PRESCRIPTION_RULES: readonly Rule[] = [
  insValueIsWellFormed, // V3
  insKeyMatchesBody,
  insOidIsKnown,
  prescriberRppsIsValid, // V4
  replacedPrescriberRppsIsValid,
  drugCodesAreValid, // V5
  deviceCodesAreValid,
  biologyCodesAreValid,
  authoredOnIsValid, // V6
  messageTimestampIsValid,
  datesAreRealNotFutureNotAfterPrescription,
  actStartDatesAreReal,
  quantitiesAreInRange, // V7
  nonSubstitutableDrugsHaveAReason, // V8
  lineCountIsAllowed, // V9
  linesHaveTheirRequiredFields, // V10
  organizationHasAmNumberOrFiness, // V11
  organizationIdentifiersAreWellFormed,
];

function ruleContext(prescription: Prescription, now: Date, sentAt: string | undefined): RuleContext {
  const authoredOnValid = dateTimeProblem(prescription.authoredOn) === undefined;
  return {
    now,
    today: parisDateOf(now),
    ...(authoredOnValid ? { prescriptionDate: parisDateOf(Date.parse(prescription.authoredOn)) } : {}),
    ...(sentAt !== undefined ? { sentAt } : {}),
  };
}

/**
 * All problems at once (empty when the prescription passes every rule). Pure: `now` is given;
 * `sentAt` is the message's own timestamp when its format carries one (its canonical path is `/sentAt`).
 */
export function checkPrescriptionRules(prescription: Prescription, now: Date, sentAt?: string): RuleProblem[] {
  const context = ruleContext(prescription, now, sentAt);
  const problems: RuleProblem[] = [];
  const report = (problem: RuleProblem): void => {
    problems.push(problem);
  };
  for (const rule of PRESCRIPTION_RULES) rule(prescription, context, report);
  return problems;
}
