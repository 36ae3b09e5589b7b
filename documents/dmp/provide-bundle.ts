/**
 * The PDSm "comprehensive provide document bundle" (IHE MHD ITI-65 "Provide Document Bundle",
 * ANS PDSm `pdsm-comprehensive-provide-document-bundle`) that publishes one ordonnance: a FHIR
 * transaction with
 *
 *   Binary             the CDA document exactly as built (what a consumer retrieves and validates),
 *                      tagged with its uniqueId; conditional create on that tag
 *   DocumentReference  its document entry: masterIdentifier = uniqueId; conditional create on it
 *   Binary             the IHE DSG detached signature of the submission set (documents/signature)
 *   DocumentReference  its entry: format urn:ihe:iti:dsg:detached:2014, relatesTo signs → the CDA's
 *   List               the SubmissionSet, listing both entries; conditional create on its uniqueId
 *
 * No Patient entry (PDSm: entry[Patient] 0..0): subject = the INS as a logical reference. No
 * entryUUID identifier: the DMP assigns them (PDSm, annexe identifiants XDS ↔ FHIR); the urn:uuid
 * fullUrls only tie the entries together inside the bundle.
 *
 * Every entry is conditional on an identifier derived from number + version (ids.ts), so the
 * same publication posted twice stores nothing the second time: exactly one document, whatever
 * the number of retries. Pure: the submission time, the document and signature bytes come in.
 */
import { createHash } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  DocumentReference,
  FhirResource,
  List,
  Organization as FhirOrganization,
  Patient as FhirPatient,
  Practitioner,
  PractitionerRole,
  Reference,
} from 'fhir/r4';
import type { DmpDocumentKind } from '../cda/dmp-document';
import { epMedDmSubtypes } from '../cda/ep-med-dm';
import { validityEnd } from '../cda/hl7-time';
import { IDENTIFIER_ROOTS, LOINC } from '../cda/oids';
import { idNatPsFromRpps } from '../../domain/identifiers';
import { INS_OIDS, type Organization, type Patient, type Prescription } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { searchToken } from '../../fhir/build-transaction';
import { LOINC_SYSTEM, oidSystem } from '../../fhir/systems';
import { oidUrn, type PublicationIds } from './ids';
import {
  DMP_DOCUMENT_TAG_SYSTEM,
  DSG_XDS_CODES,
  MHD_EXTENSIONS,
  MHD_LIST_TYPES_SYSTEM,
  PROFILES,
  REFERENCE_ID_TYPE,
  RFC3986_SYSTEM,
  XDS_CODES,
  xdsAuthorProfession,
  xdsFacilityType,
} from './mhd';

export interface ProvideBundleInput {
  prescription: Prescription;
  number: string;
  ids: PublicationIds;
  /** OID of this gateway as an XDS source. */
  sourceOid: string;
  /** Which CDA document was built (decides the type code and the title). */
  kind: DmpDocumentKind;
  /** The CDA document exactly as published (the Binary's content). */
  content: Buffer;
  /** The IHE DSG detached signature of the submission set (its manifest names `content`). */
  signature: Buffer;
  /** When this publication was produced: CDA effectiveTime, submission time, entry date. */
  submittedAt: Date;
}

const TYPE_OF_KIND: Readonly<Record<DmpDocumentKind, { code: string; displayName: string }>> = {
  'ep-med-dm': LOINC.healthProductPrescription,
  'act-prescription': LOINC.careOrSpecialistPrescription,
};

/** Local ids of the resources contained in the DocumentReference and the List. */
const CONTAINED = { author: 'author', authorRole: 'author-role', practice: 'practice', patient: 'patient' } as const;
const local = (id: string) => ({ reference: `#${id}` });

const coding = (c: { system: string; code: string; display?: string }): CodeableConcept => ({
  coding: [{ system: c.system, code: c.code, ...(c.display !== undefined ? { display: c.display } : {}) }],
});

/** `_tag=<system>|<code>` as a query string, encoded like searchToken. */
function tagToken(system: string, code: string): string {
  return searchToken(system, code).replace(/^identifier=/, '_tag=');
}

/** SHA-1 of the document, base64 (Attachment.hash; XDS hash is the same digest in hex). */
export const attachmentHash = (content: Buffer): string => createHash('sha1').update(content).digest('base64');

/** sourcePatientInfo: the patient as the source knows them (contained). */
function patientResource(patient: Patient, id: string): FhirPatient {
  return {
    resourceType: 'Patient',
    id,
    identifier: [insIdentifier(patient)],
    name: [{ use: 'official', family: patient.family, given: [patient.given] }],
    gender: patient.gender,
    birthDate: patient.birthDate,
  };
}

/** The patient as PDSm references it: by INS, a logical reference (no Patient resource is sent). */
export function patientByIns(patient: Patient): Reference {
  return { type: 'Patient', identifier: insIdentifier(patient) };
}

const insIdentifier = (patient: Patient) => ({
  use: patient.ins.oid === INS_OIDS.nia ? ('temp' as const) : ('official' as const),
  system: oidSystem(patient.ins.oid),
  value: patient.ins.value,
});

/** The structure, by its idNatStruct ("1" + FINESS) when it has one (a numéro AM is not a structure id). */
function practiceResource(o: Organization): FhirOrganization {
  return {
    resourceType: 'Organization',
    id: CONTAINED.practice,
    ...(o.finess !== undefined
      ? { identifier: [{ system: oidSystem(IDENTIFIER_ROOTS.idNatStruct), value: `1${o.finess}` }] }
      : {}),
    name: o.name,
  };
}

/** The signing prescriber (idNatPs), the role that ties them to the practice, and the practice. */
function authorResources(p: Prescription): [Practitioner, PractitionerRole, FhirOrganization] {
  const profession = xdsAuthorProfession(p);
  return [
    {
      resourceType: 'Practitioner',
      id: CONTAINED.author,
      identifier: [{ system: oidSystem(IDENTIFIER_ROOTS.idNatPs), value: idNatPsFromRpps(p.prescriber.rpps) }],
      name: [{ family: p.prescriber.family, given: [p.prescriber.given] }],
    },
    {
      resourceType: 'PractitionerRole',
      id: CONTAINED.authorRole,
      practitioner: local(CONTAINED.author),
      organization: local(CONTAINED.practice),
      ...(profession ? { code: [coding(profession)] } : {}),
    },
    practiceResource(p.organization),
  ];
}

/** eP-MED-DM sub-types, as in the CDA serviceEvent: XDS eventCodeList. */
function eventCodes(p: Prescription, kind: DmpDocumentKind): CodeableConcept[] {
  if (kind !== 'ep-med-dm') return [];
  return epMedDmSubtypes(p).map((s) =>
    coding({ system: XDS_CODES.subtypeSystem, code: s.code, display: s.displayName }),
  );
}

const relatedPrescription = (number: string) => [
  { identifier: { type: coding(REFERENCE_ID_TYPE), system: PRESCRIPTION_NUMBER_SYSTEM, value: number } },
];

export function documentReferenceResource(input: ProvideBundleInput, refs: { binary: string }): DocumentReference {
  const { prescription: p, ids, kind } = input;
  const type = TYPE_OF_KIND[kind];
  const submitted = input.submittedAt.toISOString();
  const events = eventCodes(p, kind);
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [...PROFILES.documentReference] },
    contained: [...authorResources(p), patientResource(p.patient, CONTAINED.patient)],
    masterIdentifier: { system: RFC3986_SYSTEM, value: oidUrn(ids.documentOid) },
    status: 'current',
    type: coding({ system: LOINC_SYSTEM, code: type.code, display: type.displayName }),
    category: [coding(XDS_CODES.classCode)],
    subject: patientByIns(p.patient),
    date: submitted,
    author: [local(CONTAINED.authorRole)],
    authenticator: local(CONTAINED.author),
    custodian: local(CONTAINED.practice),
    securityLabel: [coding(XDS_CODES.confidentiality)],
    content: [
      {
        attachment: {
          contentType: 'text/xml',
          language: 'fr-FR',
          url: refs.binary,
          size: input.content.length,
          hash: attachmentHash(input.content),
          title: type.displayName,
          creation: submitted,
        },
        format: { system: XDS_CODES.formatCode.system, code: XDS_CODES.formatCode.code },
      },
    ],
    context: {
      ...(events.length > 0 ? { event: events } : {}),
      // Validity of the ordonnance: from its date-time to the last day it can be presented.
      period: { start: p.authoredOn, end: validityEnd(p.authoredOn) },
      facilityType: coding(xdsFacilityType(p)),
      practiceSetting: coding(XDS_CODES.practiceSetting),
      sourcePatientInfo: local(CONTAINED.patient),
      related: relatedPrescription(input.number),
    },
  };
}

/**
 * The entry of the submission set's signature (IHE DSG detached signature): its own document,
 * related to the CDA's entry by `signs` (XDS association "signs"), same patient and author.
 */
export function signatureReferenceResource(
  input: ProvideBundleInput,
  refs: { binary: string; signed: string },
): DocumentReference {
  const { prescription: p, ids } = input;
  const submitted = input.submittedAt.toISOString();
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [...PROFILES.documentReference] },
    contained: [...authorResources(p), patientResource(p.patient, CONTAINED.patient)],
    masterIdentifier: { system: RFC3986_SYSTEM, value: oidUrn(ids.signatureOid) },
    status: 'current',
    type: coding(DSG_XDS_CODES.typeCode),
    category: [coding(DSG_XDS_CODES.classCode)],
    subject: patientByIns(p.patient),
    date: submitted,
    author: [local(CONTAINED.authorRole)],
    custodian: local(CONTAINED.practice),
    relatesTo: [{ code: 'signs', target: { reference: refs.signed } }],
    securityLabel: [coding(XDS_CODES.confidentiality)],
    content: [
      {
        attachment: {
          contentType: 'text/xml',
          url: refs.binary,
          size: input.signature.length,
          hash: attachmentHash(input.signature),
          title: 'Signature du lot de soumission',
          creation: submitted,
        },
        format: { ...DSG_XDS_CODES.formatCode },
      },
    ],
    context: {
      event: [coding(DSG_XDS_CODES.purpose)],
      period: { start: submitted, end: submitted },
      facilityType: coding(xdsFacilityType(input.prescription)),
      practiceSetting: coding(XDS_CODES.practiceSetting),
      sourcePatientInfo: local(CONTAINED.patient),
      related: relatedPrescription(input.number),
    },
  };
}

function submissionSetResource(input: ProvideBundleInput, entries: readonly string[]): List {
  const { ids } = input;
  return {
    resourceType: 'List',
    meta: { profile: [...PROFILES.submissionSet] },
    contained: authorResources(input.prescription),
    extension: [
      { url: MHD_EXTENSIONS.sourceId, valueIdentifier: { value: oidUrn(input.sourceOid) } },
      { url: MHD_EXTENSIONS.designationType, valueCodeableConcept: coding(xdsFacilityType(input.prescription)) },
    ],
    identifier: [{ use: 'usual', system: RFC3986_SYSTEM, value: oidUrn(ids.submissionSetOid) }],
    status: 'current',
    mode: 'working',
    title: TYPE_OF_KIND[input.kind].displayName,
    code: coding({ system: MHD_LIST_TYPES_SYSTEM, code: 'submissionset' }),
    subject: patientByIns(input.prescription.patient),
    date: input.submittedAt.toISOString(),
    source: local(CONTAINED.authorRole),
    entry: entries.map((reference) => ({ item: { reference } })),
  };
}

function conditionalPost(fullUrl: string, resource: FhirResource, ifNoneExist: string): BundleEntry<FhirResource> {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist } };
}

const binaryResource = (uniqueId: string, content: Buffer, entry: string): FhirResource => ({
  resourceType: 'Binary',
  meta: { tag: [{ system: DMP_DOCUMENT_TAG_SYSTEM, code: uniqueId }] },
  contentType: 'text/xml',
  securityContext: { reference: entry },
  data: content.toString('base64'),
});

/** The conditions that make each entry idempotent, also used to find what a publication stored. */
export function entryConditions(input: Pick<ProvideBundleInput, 'ids'>) {
  const { ids } = input;
  return {
    binary: tagToken(DMP_DOCUMENT_TAG_SYSTEM, oidUrn(ids.documentOid)),
    documentReference: searchToken(RFC3986_SYSTEM, oidUrn(ids.documentOid)),
    signatureBinary: tagToken(DMP_DOCUMENT_TAG_SYSTEM, oidUrn(ids.signatureOid)),
    signatureReference: searchToken(RFC3986_SYSTEM, oidUrn(ids.signatureOid)),
    submissionSet: searchToken(RFC3986_SYSTEM, oidUrn(ids.submissionSetOid)),
  };
}

/** Index of each entry in the transaction (and in its response). */
export const ENTRY_INDEX = {
  binary: 0,
  documentReference: 1,
  signatureBinary: 2,
  signatureReference: 3,
  submissionSet: 4,
} as const;

export function buildProvideBundle(input: ProvideBundleInput): Bundle<FhirResource> {
  const { ids } = input;
  const urls = ids.fullUrls;
  const conditions = entryConditions(input);
  const entries: BundleEntry<FhirResource>[] = [
    conditionalPost(
      urls.binary,
      binaryResource(oidUrn(ids.documentOid), input.content, urls.documentReference),
      conditions.binary,
    ),
    conditionalPost(
      urls.documentReference,
      documentReferenceResource(input, { binary: urls.binary }),
      conditions.documentReference,
    ),
    conditionalPost(
      urls.signatureBinary,
      binaryResource(oidUrn(ids.signatureOid), input.signature, urls.signatureReference),
      conditions.signatureBinary,
    ),
    conditionalPost(
      urls.signatureReference,
      signatureReferenceResource(input, { binary: urls.signatureBinary, signed: urls.documentReference }),
      conditions.signatureReference,
    ),
    conditionalPost(
      urls.submissionSet,
      submissionSetResource(input, [urls.documentReference, urls.signatureReference]),
      conditions.submissionSet,
    ),
  ];
  return {
    resourceType: 'Bundle',
    meta: { profile: [...PROFILES.provideBundle] },
    type: 'transaction',
    timestamp: input.submittedAt.toISOString(),
    entry: entries,
  };
}
