/**
 * IHE MHD / ANS PDSm names: profiles, extensions, code systems and the XDS codes of an
 * ordonnance, as written in the provide bundle (sources: PDSm 3.x FSH profiles
 * `ansforge/IG-fhir-partage-de-documents-de-sante`, IHE MHD 4.2, the ANS eP-MED-DM XDM example
 * METADATA.XML — docs/domain-digest.md §4.2).
 */
import { AMBULATORY_SETTING, authorProfession, facilityType } from '../cda/header';
import type { DocumentReference, Parameters } from 'fhir/r4';
import type { Prescription } from '../../domain/prescription';
import type { CodedValue } from '../cda/types';
import { oidSystem, TA_ASIP_SYSTEM } from '../../fhir/systems';

export const RFC3986_SYSTEM = 'urn:ietf:rfc:3986';

const MHD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/';
const PDSM = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/';

export const PROFILES = {
  provideBundle: [`${MHD}IHE.MHD.Comprehensive.ProvideBundle`, `${PDSM}pdsm-comprehensive-provide-document-bundle`],
  submissionSet: [`${MHD}IHE.MHD.Comprehensive.SubmissionSet`, `${PDSM}pdsm-submissionset-comprehensive`],
  documentReference: [`${MHD}IHE.MHD.Comprehensive.DocumentReference`, `${PDSM}pdsm-comprehensive-document-reference`],
} as const;

/** PDSm_IsDeleted: a logically deleted entry (XDS availabilityStatus Deleted). */
export const PDSM_IS_DELETED = `${PDSM}pdsm-ext-is-deleted`;

export const MHD_EXTENSIONS = {
  sourceId: `${MHD}ihe-sourceId`,
  designationType: `${MHD}ihe-designationType`,
} as const;

export const MHD_LIST_TYPES_SYSTEM = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes';

/** XDS referenceIdList type of an order number (the prescription number). */
export const REFERENCE_ID_TYPE = { system: RFC3986_SYSTEM, code: 'urn:ihe:iti:xds:2013:order' } as const;

export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

/** The XDS metadata repeats the CDA header: its codes as FHIR codings. */
const fromCda = (value: CodedValue) => ({
  system: oidSystem(value.codeSystem),
  code: value.code,
  display: value.displayName,
});

/** XDS codes of an ordonnance (ANS eP-MED-DM XDM example). */
export const XDS_CODES = {
  classCode: { system: 'urn:oid:1.2.250.1.213.1.1.4.1', code: '42', display: 'Prescription' },
  formatCode: { system: 'urn:oid:1.2.250.1.213.1.1.4.2.282', code: 'urn:ihe:pharm:pre:2010' },
  confidentiality: { system: CONFIDENTIALITY_SYSTEM, code: 'N', display: 'normal' },
  practiceSetting: fromCda(AMBULATORY_SETTING),
  /** TA_ASIP: prescription sub-types, also in the CDA serviceEvent. */
  subtypeSystem: TA_ASIP_SYSTEM,
} as const;

const MOS = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;

/**
 * XDS codes of the IHE DSG detached signature of a submission set (IHE ITI TF-3 §5.5 metadata,
 * as the DMP's signed submission sets carry them; ANS nomenclatures TRE_A10, TRE_A11, TRE_A12).
 */
export const DSG_XDS_CODES = {
  classCode: {
    system: MOS('TRE_A10-NomenclatureURN'),
    code: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1',
    display: 'Digital Signature',
  },
  typeCode: { system: MOS('TRE_A12-NomenclatureASTM'), code: 'E1762', display: 'Full Document' },
  formatCode: {
    system: MOS('TRE_A11-IheFormatCode'),
    code: 'urn:ihe:iti:dsg:detached:2014',
    display: 'DSG Detached Document',
  },
  /** ASTM E1762 signature purpose, as the signature's CommitmentTypeIndication (documents/signature). */
  purpose: { system: 'urn:oid:1.2.840.10065.1.12', code: '1.2.840.10065.1.12.1.14', display: 'Source Signature' },
} as const;
/** healthcareFacilityTypeCode (and the SubmissionSet's designationType): the structure's type, as the CDA's. */
export const xdsFacilityType = (p: Prescription) => fromCda(facilityType(p));
/** authorSpecialty: the prescriber's profession, as the CDA author's code; none for a profession without one. */
export const xdsAuthorProfession = (p: Prescription) => {
  const code = authorProfession(p);
  return code && fromCda(code);
};

/**
 * The gateway's own tag on the Binary it publishes: code = the document uniqueId. Binary has no
 * identifier element, so this tag is what makes its conditional create possible (`_tag=`).
 */
export const DMP_DOCUMENT_TAG_SYSTEM = 'urn:ordo-gateway:dmp-document';

/**
 * Token search parameters of the stand-in document sharing server (profiles/search-parameters):
 * the documents of an INS (`subject.identifier`: the provide bundle references the patient by INS,
 * PDSm has no Patient entry) and of a prescription number (`context.related.identifier`).
 */
export const DMP_SEARCH = {
  subjectIdentifier: 'subject-identifier',
  relatedIdentifier: 'related-identifier',
} as const;

/** Whether a DMP entry is a prescription document (its XDS class), not the signature of its submission set. */
export const isPrescriptionDocument = (doc: DocumentReference): boolean =>
  (doc.category ?? []).some((c) =>
    (c.coding ?? []).some((x) => x.system === XDS_CODES.classCode.system && x.code === XDS_CODES.classCode.code),
  );

/** FHIRPath Patch (PDSm flux 03): the entry is no longer valid — XDS availabilityStatus Deprecated. */
export const SUPERSEDE_PATCH: Parameters = {
  resourceType: 'Parameters',
  parameter: [
    {
      name: 'operation',
      part: [
        { name: 'type', valueCode: 'replace' },
        { name: 'path', valueString: 'DocumentReference.status' },
        { name: 'value', valueCode: 'superseded' },
      ],
    },
  ],
};
