/** DMP copy of an ordonnance as a CDA R2 document (README.md beside this file). */
export { buildActPrescriptionDocument } from './act-prescription';
export { buildDmpDocument, type DmpDocument, type DmpDocumentKind } from './dmp-document';
export { oidFromUuid } from './document-ids';
export { buildEpMedDmDocument } from './ep-med-dm';
export { hasHealthProductLines, linesByKind } from './lines';
export type { CdaDocumentInput, CodedValue, CustodianOrganization, InstanceIdentifier } from './types';
