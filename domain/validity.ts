/**
 * How long an ordonnance can be presented for its first delivery (CSP art. R.5132-22: a drug is first
 * delivered only on a prescription less than three months old) — the validity period the documents
 * (CDA, DMP) give. The per-line, per-delivery rules (renewals, treatment duration, twelve months, the
 * delay between deliveries) are in ./drug-validity.ts.
 */
export {
  FIRST_DELIVERY_MONTHS as DRUG_VALIDITY_MONTHS,
  firstDeliveryDeadline as drugValidityEnd,
} from './drug-validity';
