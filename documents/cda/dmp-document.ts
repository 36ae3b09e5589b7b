/**
 * Which DMP document an ordonnance gets: eP-MED-DM when it has a drug or device line (its act
 * lines, if any, ride along as narrative), else the act prescription document.
 */
import { buildActPrescriptionDocument } from './act-prescription';
import { buildEpMedDmDocument } from './ep-med-dm';
import { hasHealthProductLines } from './lines';
import { LOINC } from './oids';
import type { CdaDocumentInput } from './types';

export type DmpDocumentKind = 'ep-med-dm' | 'act-prescription';

export interface DmpDocument {
  kind: DmpDocumentKind;
  /** LOINC type code, also the XDS typeCode of the submission. */
  typeCode: string;
  xml: string;
}

export function buildDmpDocument(input: CdaDocumentInput): DmpDocument {
  return hasHealthProductLines(input.prescription.lines)
    ? { kind: 'ep-med-dm', typeCode: LOINC.healthProductPrescription.code, xml: buildEpMedDmDocument(input) }
    : {
        kind: 'act-prescription',
        typeCode: LOINC.careOrSpecialistPrescription.code,
        xml: buildActPrescriptionDocument(input),
      };
}
