/**
 * OIDs and codes written in the CDA documents, named once. Values are those of the ANS eP-MED-DM
 * 2024.01 examples and IG (profiles/ans-cda/examples, docs/domain-digest.md §1.7, §4).
 */
import { CONTEXT_CODES } from '../../fhir/systems';

export const CODE_SYSTEMS = {
  loinc: '2.16.840.1.113883.6.1',
  confidentiality: '2.16.840.1.113883.5.25',
  administrativeGender: '2.16.840.1.113883.5.1',
  actCode: '2.16.840.1.113883.5.4',
  substanceAdminSubstitution: '2.16.840.1.113883.5.1070',
  /** TA_ASIP: context flags (ALD, AT/MP…) and prescription sub-types. */
  terminologieCisis: '1.2.250.1.213.1.1.4.322',
  /** G15 professions / specialties (RASS). */
  professions: '1.2.250.1.213.1.1.4.5',
  healthcareFacilityType: '1.2.250.1.71.4.2.4',
  practiceSetting: '1.2.250.1.213.1.1.4.9',
  /** functionCode system of the IG's "prescripteur remplacé" participant (code 353). */
  participantFunction: '1.2.250.1.213.1.6.1.107',
  cis: '1.2.250.1.213.2.3.1',
  cip: '1.2.250.1.213.2.3.2',
  lpp: '1.2.250.1.215.200.2.1',
  iheActCode: '1.3.6.1.4.1.19376.1.5.3.2',
  /** EDQM Standard Terms (units of presentation such as "Boîte"). */
  edqm: '0.4.0.127.0.16.1.1.2.1',
} as const;

export const IDENTIFIER_ROOTS = {
  /** idNatPs ("8" + RPPS for a practitioner). */
  idNatPs: '1.2.250.1.71.4.2.1',
  /** idNatStruct ("1" + FINESS for an organisation with a FINESS number). */
  idNatStruct: '1.2.250.1.71.4.2.2',
  /** The e-prescription number (SEL-SFG-023), in serviceEvent/id. */
  prescriptionNumber: '1.2.250.1.215.500.1.1',
} as const;

export const HEADER_TEMPLATES = {
  hl7France: '2.16.840.1.113883.2.8.2.1',
  ciSis: '1.2.250.1.213.1.1.1.1',
  ihePharmPre: '1.3.6.1.4.1.19376.1.9.1.1.1',
  ihePcc: '1.3.6.1.4.1.19376.1.5.3.1.1.1',
  epMedDm: '1.2.250.1.213.1.1.1.39',
} as const;
export const EP_MED_DM_VERSION = '2024.01';

export const SECTION_TEMPLATES = {
  ihePrescription: '1.3.6.1.4.1.19376.1.9.1.2.1',
  medications: '1.2.250.1.213.1.1.2.171',
  devices: '1.2.250.1.213.1.1.2.222',
  code2d: '1.2.250.1.213.1.1.2.223',
  pdfCopy: '1.2.250.1.213.1.1.2.243',
  /** FR-Commentaire-non-code: free narrative, used for lines the document does not cover. */
  comment: '1.2.250.1.213.1.1.2.73',
  cdaSection: '2.16.840.1.113883.10.12.201',
  iheCardDocumentSummary: '1.3.6.1.4.1.19376.1.4.1.2.16',
} as const;

export const ENTRY_TEMPLATES = {
  ccdMedicationActivity: '2.16.840.1.113883.10.20.1.24',
  iheMedication: '1.3.6.1.4.1.19376.1.5.3.1.4.7',
  ihePrescriptionItem: '1.3.6.1.4.1.19376.1.9.1.3.2',
  frTraitementPrescrit: '1.2.250.1.213.1.1.3.83',
  /** IHE PRE: dosage instructions carried in structured form. */
  structuredDosage: '1.3.6.1.4.1.19376.1.9.1.3.6',
  /** IHE PCC: "normal" dosing (no subordinate administrations). */
  normalDosing: '1.3.6.1.4.1.19376.1.5.3.1.4.7.1',
  ccdProduct: '2.16.840.1.113883.10.20.1.53',
  iheProduct: '1.3.6.1.4.1.19376.1.5.3.1.4.7.2',
  frProduitDeSante: '1.2.250.1.213.1.1.3.43',
  iheMedicine: '1.3.6.1.4.1.19376.1.9.1.3.1',
  iheAmount: '1.3.6.1.4.1.19376.1.9.1.3.8',
  frQuantiteDeProduit: '1.2.250.1.213.1.1.3.86',
  iheSubstitution: '1.3.6.1.4.1.19376.1.9.1.3.9.1',
  frAutorisationSubstitution: '1.2.250.1.213.1.1.3.87',
  iheSimpleObservation: '1.3.6.1.4.1.19376.1.5.3.1.4.13',
  frSimpleObservation: '1.2.250.1.213.1.1.3.48',
  ccdSupplyActivity: '2.16.840.1.113883.10.20.1.34',
  frDispositifMedical: '1.2.250.1.213.1.1.3.20',
  ccdObservationMedia: '2.16.840.1.113883.10.12.304',
  frImageIllustrative: '1.2.250.1.213.1.1.3.103',
  frDocumentAttache: '1.2.250.1.213.1.1.3.18',
  frTypeDocumentAttache: '1.2.250.1.213.1.1.3.48.18',
} as const;

/** The FR-Simple-observation flags of a prescribed line: templateId, TA_ASIP code, label. */
export const CONTEXT_FLAGS = {
  ald: { template: '1.2.250.1.213.1.1.3.48.13', code: CONTEXT_CODES.ald, displayName: 'En rapport avec une ALD' },
  workAccident: {
    template: '1.2.250.1.213.1.1.3.48.14',
    code: CONTEXT_CODES.workAccident,
    displayName: 'En rapport avec un accident du travail ou une maladie professionnelle',
  },
  prevention: {
    template: '1.2.250.1.213.1.1.3.48.34',
    code: CONTEXT_CODES.prevention,
    displayName: 'En rapport avec la prévention',
  },
  nonReimbursable: {
    template: '1.2.250.1.213.1.1.3.48.15',
    code: CONTEXT_CODES.nonReimbursable,
    displayName: 'Non remboursable',
  },
  offLabel: {
    template: '1.2.250.1.213.1.1.3.48.12',
    code: CONTEXT_CODES.offLabel,
    displayName: 'Hors Autorisation de Mise sur le Marché (AMM)',
  },
} as const;
export type ContextFlag = keyof typeof CONTEXT_FLAGS;

/** eP-MED-DM sub-types (documentationOf/serviceEvent classCode INFO), IG value set. */
export const PRESCRIPTION_SUBTYPES = {
  bizone: { code: 'MED-1096', displayName: 'Prescription bizone' },
  urgent: { code: 'MED-1095', displayName: 'Exécution en urgence' },
} as const;

export const LOINC = {
  healthProductPrescription: { code: '57833-6', displayName: 'Prescription de produits de santé' },
  careOrSpecialistPrescription: {
    code: '57832-8',
    displayName: 'Prescription pour examen de diagnostic ou soins spécialisés',
  },
  prescriptions: { code: '57828-6', displayName: 'Prescriptions' },
  devices: { code: '46264-8', displayName: 'Dispositifs médicaux' },
  barcode: { code: '57723-9', displayName: 'Numéro de code à barres unique' },
  documentCopy: { code: '55108-5', displayName: 'Copie du document' },
  attachedDocument: { code: '55107-7', displayName: 'Document attaché' },
  documentType: { code: '69764-9', displayName: 'Type de document' },
  comment: { code: '55112-7', displayName: 'Commentaire' },
  planOfCare: { code: '18776-5', displayName: 'Plan de soins' },
} as const;

/** EDQM unit of presentation "Boîte": the canonical quantity of a drug line is a number of boxes. */
export const EDQM_BOX = '30009000';
