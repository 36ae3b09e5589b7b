/**
 * How long a prescription can be presented: the one place the validity periods are written.
 * CSP art. R.5132-22: a drug is first delivered only on a prescription less than three months old.
 */
import { addMonths } from './calendar';
import type { IsoDate } from './prescription';

export const DRUG_VALIDITY_MONTHS = 3;

/**
 * Last day (inclusive) a drug line can be delivered: its start date + DRUG_VALIDITY_MONTHS, clamped to the
 * month end.
 */
export const drugValidityEnd = (start: IsoDate): IsoDate => addMonths(start, DRUG_VALIDITY_MONTHS);
