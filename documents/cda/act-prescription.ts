/**
 * The DMP copy of an ordonnance with acts only (biology, nursing, physiotherapy…). No eP-MED-DM
 * volet applies, and the repository holds no schematron for another act volet, so this is a plain
 * CI-SIS-headed CDA R2 document (HL7 France + CI-SIS templateIds only) valid against
 * CDA_extended.xsd, coded LOINC 57832-8. Rationale in documents/cda/README.md.
 */
import { clinicalDocument } from './clinical-document';
import { templateIds } from './datatypes';
import { documentHeader, type DocumentKind } from './header';
import { linesByKind } from './lines';
import { HEADER_TEMPLATES, LOINC } from './oids';
import { prescribedActsSection } from './sections/acts';
import { code2dSection, pdfCopySection } from './sections/attachments';
import type { CdaDocumentInput } from './types';

export function buildActPrescriptionDocument(input: CdaDocumentInput): string {
  const { drugs, devices, acts } = linesByKind(input.prescription.lines);
  if (acts.length === 0) throw new RangeError('no act line to put in an act prescription document');
  if (drugs.length > 0 || devices.length > 0) {
    throw new RangeError('drug and device lines belong in the eP-MED-DM document; use buildEpMedDmDocument');
  }
  const kind: DocumentKind = {
    templateIds: templateIds(HEADER_TEMPLATES.hl7France, HEADER_TEMPLATES.ciSis),
    code: LOINC.careOrSpecialistPrescription,
    title: 'Prescription d’actes',
    subtypes: [],
  };
  return clinicalDocument(documentHeader(input, kind), [
    code2dSection(input.documentId, input.qrPng),
    prescribedActsSection(input.documentId, acts),
    pdfCopySection(input.documentId, input.pdf),
  ]);
}
