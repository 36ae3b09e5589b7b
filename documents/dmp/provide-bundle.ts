/**
 * The PDSm "comprehensive provide document bundle" (IHE MHD ITI-65) that publishes one signed
 * ordonnance document: a FHIR transaction with
 *
 *   Patient            conditional create on the INS (the document sharing server must know the
 *                      patient; PDSm itself expects the patient to exist already — see README)
 *   Binary             the signed document (XAdES enveloping signature around the CDA), tagged
 *                      with the document uniqueId; conditional create on that tag
 *   DocumentReference  the document entry: masterIdentifier = uniqueId; conditional create on it
 *   List               the SubmissionSet; conditional create on its uniqueId
 *
 * Every entry is conditional on an identifier derived from number + version (ids.ts), so the
 * same publication posted twice stores nothing the second time: exactly one document, whatever
 * the number of retries. Pure: the submission time and the document bytes come in.
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
import { oidUrn, uuidUrn, type PublicationIds } from './ids';
import {
  DMP_DOCUMENT_TAG_SYSTEM,
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
  /** The signed document exactly as published (the Binary's content). */
  content: Buffer;
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

function patientResource(patient: Patient, id?: string): FhirPatient {
  return {
    resourceType: 'Patient',
    ...(id !== undefined ? { id } : {}),
    identifier: [
      {
        use: patient.ins.oid === INS_OIDS.nia ? 'temp' : 'official',
        system: oidSystem(patient.ins.oid),
        value: patient.ins.value,
      },
    ],
    name: [{ use: 'official', family: patient.family, given: [patient.given] }],
    gender: patient.gender,
    birthDate: patient.birthDate,
  };
}

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

export function documentReferenceResource(
  input: ProvideBundleInput,
  refs: { patient: string; binary: string },
): DocumentReference {
  const { prescription: p, ids, kind } = input;
  const type = TYPE_OF_KIND[kind];
  const submitted = input.submittedAt.toISOString();
  const events = eventCodes(p, kind);
  return {
    resourceType: 'DocumentReference',
    meta: { profile: [...PROFILES.documentReference] },
    contained: [...authorResources(p), patientResource(p.patient, CONTAINED.patient)],
    masterIdentifier: { system: RFC3986_SYSTEM, value: oidUrn(ids.documentOid) },
    identifier: [{ use: 'official', system: RFC3986_SYSTEM, value: uuidUrn(ids.documentEntryUuid) }],
    status: 'current',
    type: coding({ system: LOINC_SYSTEM, code: type.code, display: type.displayName }),
    category: [coding(XDS_CODES.classCode)],
    subject: { reference: refs.patient },
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
      related: [
        { identifier: { type: coding(REFERENCE_ID_TYPE), system: PRESCRIPTION_NUMBER_SYSTEM, value: input.number } },
      ],
    },
  };
}

function submissionSetResource(input: ProvideBundleInput, refs: { patient: string; documentReference: string }): List {
  const { ids } = input;
  return {
    resourceType: 'List',
    meta: { profile: [...PROFILES.submissionSet] },
    contained: authorResources(input.prescription),
    extension: [
      { url: MHD_EXTENSIONS.sourceId, valueIdentifier: { value: oidUrn(input.sourceOid) } },
      { url: MHD_EXTENSIONS.designationType, valueCodeableConcept: coding(xdsFacilityType(input.prescription)) },
    ],
    identifier: [
      { use: 'usual', system: RFC3986_SYSTEM, value: oidUrn(ids.submissionSetOid) },
      { use: 'official', system: RFC3986_SYSTEM, value: uuidUrn(ids.submissionSetEntryUuid) },
    ],
    status: 'current',
    mode: 'working',
    title: TYPE_OF_KIND[input.kind].displayName,
    code: coding({ system: MHD_LIST_TYPES_SYSTEM, code: 'submissionset' }),
    subject: { reference: refs.patient },
    date: input.submittedAt.toISOString(),
    source: local(CONTAINED.authorRole),
    entry: [{ item: { reference: refs.documentReference } }],
  };
}

function conditionalPost(fullUrl: string, resource: FhirResource, ifNoneExist: string): BundleEntry<FhirResource> {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist } };
}

/** The conditions that make each entry idempotent, also used to find what a publication stored. */
export function entryConditions(input: Pick<ProvideBundleInput, 'ids' | 'prescription'>) {
  const { ids, prescription: p } = input;
  return {
    patient: searchToken(oidSystem(p.patient.ins.oid), p.patient.ins.value),
    binary: tagToken(DMP_DOCUMENT_TAG_SYSTEM, oidUrn(ids.documentOid)),
    documentReference: searchToken(RFC3986_SYSTEM, oidUrn(ids.documentOid)),
    submissionSet: searchToken(RFC3986_SYSTEM, oidUrn(ids.submissionSetOid)),
  };
}

/** Index of each entry in the transaction (and in its response). */
export const ENTRY_INDEX = { patient: 0, binary: 1, documentReference: 2, submissionSet: 3 } as const;

export function buildProvideBundle(input: ProvideBundleInput): Bundle<FhirResource> {
  const { ids } = input;
  const urls = {
    patient: uuidUrn(ids.patientUuid),
    binary: uuidUrn(ids.binaryUuid),
    documentReference: uuidUrn(ids.documentEntryUuid),
    submissionSet: uuidUrn(ids.submissionSetEntryUuid),
  };
  const conditions = entryConditions(input);
  return {
    resourceType: 'Bundle',
    meta: { profile: [...PROFILES.provideBundle] },
    type: 'transaction',
    timestamp: input.submittedAt.toISOString(),
    entry: [
      conditionalPost(urls.patient, patientResource(input.prescription.patient), conditions.patient),
      conditionalPost(
        urls.binary,
        {
          resourceType: 'Binary',
          meta: { tag: [{ system: DMP_DOCUMENT_TAG_SYSTEM, code: oidUrn(ids.documentOid) }] },
          contentType: 'text/xml',
          securityContext: { reference: urls.documentReference },
          data: input.content.toString('base64'),
        },
        conditions.binary,
      ),
      conditionalPost(
        urls.documentReference,
        documentReferenceResource(input, { patient: urls.patient, binary: urls.binary }),
        conditions.documentReference,
      ),
      conditionalPost(
        urls.submissionSet,
        submissionSetResource(input, { patient: urls.patient, documentReference: urls.documentReference }),
        conditions.submissionSet,
      ),
    ],
  };
}
