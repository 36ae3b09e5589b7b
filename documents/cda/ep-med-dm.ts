/**
 * The DMP copy of an ordonnance with drugs and/or devices: CDA R2 level 3, ANS eP-MED-DM 2024.01.
 * Pure: the same input always gives the same bytes.
 */
import type { Prescription } from '../../domain/prescription';
import { isBizone } from '../../domain/ald';
import { clinicalDocument } from './clinical-document';
import { templateIds } from './datatypes';
import { documentHeader, type DocumentKind } from './header';
import { hl7Date, hl7DateTime, localDateOf } from './hl7-time';
import { linesByKind } from './lines';
import { EP_MED_DM_VERSION, HEADER_TEMPLATES, LOINC, PRESCRIPTION_SUBTYPES } from './oids';
import { actsCommentSection } from './sections/acts';
import { code2dSection, pdfCopySection } from './sections/attachments';
import { deviceSection } from './sections/devices';
import { medicationSection } from './sections/medications';
import type { CdaDocumentInput, SectionInput } from './types';
import { el } from './xml';

/** The eP-MED-DM sub-types of an ordonnance (serviceEvent here, XDS eventCodeList in the provide bundle). */
export function epMedDmSubtypes(p: Prescription): DocumentKind['subtypes'] {
  return [
    // The ALD ordonnance is the "bizone" form (two zones: related / unrelated to the ALD).
    ...(isBizone(p) ? [PRESCRIPTION_SUBTYPES.bizone] : []),
    ...(p.priority !== 'routine' ? [PRESCRIPTION_SUBTYPES.urgent] : []),
  ];
}

export function buildEpMedDmDocument(input: CdaDocumentInput): string {
  const p = input.prescription;
  const { drugs, devices, acts } = linesByKind(p.lines);
  if (drugs.length === 0 && devices.length === 0) {
    throw new RangeError('eP-MED-DM needs at least one drug or device line; use buildActPrescriptionDocument');
  }
  const sectionInput: SectionInput = {
    prescription: p,
    documentId: input.documentId,
    authored: hl7DateTime(p.authoredOn),
    startDate: hl7Date(localDateOf(p.authoredOn)),
  };
  const kind: DocumentKind = {
    templateIds: [
      ...templateIds(
        HEADER_TEMPLATES.hl7France,
        HEADER_TEMPLATES.ciSis,
        HEADER_TEMPLATES.ihePharmPre,
        HEADER_TEMPLATES.ihePcc,
      ),
      el('templateId', { root: HEADER_TEMPLATES.epMedDm, extension: EP_MED_DM_VERSION }),
    ],
    code: LOINC.healthProductPrescription,
    title: 'Prescription de médicaments et/ou de dispositifs médicaux',
    subtypes: epMedDmSubtypes(p),
  };
  return clinicalDocument(documentHeader(input, kind), [
    code2dSection(input.documentId, input.qrPng),
    drugs.length > 0 && medicationSection(drugs, sectionInput),
    devices.length > 0 && deviceSection(devices, sectionInput),
    acts.length > 0 && actsCommentSection(input.documentId, acts),
    pdfCopySection(input.documentId, input.pdf),
  ]);
}
