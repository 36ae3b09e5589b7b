/**
 * Canonical prescription → FHIR R4 transaction Bundle, the shape stored in HAPI.
 * Pure: no clock, no randomness (fullUrls come from opts.newUuid). Downstream code (PDF, QR, CDA,
 * dispensing, DMP feed) reads this shape back with fhir/read-prescription.ts; change both together.
 *
 * STORED SHAPE (entry order below is fixed; idsFromTransactionResponse relies on it):
 *
 *  Patient          ordo-patient. identifier[0] = INS {use official (temp for the NIA .9), system urn:oid:<oid>},
 *                   name[0] {use official, family, given[0]}, gender, birthDate.
 *                   Conditional create: identifier=<ins system>|<ins value>.
 *  Practitioner     ordo-practitioner, the signing prescriber (the locum if any). identifier RPPS + idNatPs ("8"+RPPS),
 *                   name[0] {family, given[0]}, qualification[0].code.text = specialty, then a qualification
 *                   with the TRE_G15 profession coding when the profession is known (FR Core's shape; kept
 *                   when the Practitioner is created: what counts for the prescription is on the RequestGroup).
 *                   Conditional create: identifier=https://rpps.esante.gouv.fr|<rpps>.
 *  Practitioner     only for a locum: the replaced practitioner, same shape and conditional create.
 *  Organization     ordo-organization. name, identifier FINESS and/or numéro AM, type TRE_R02 when the vendor
 *                   said it (kept when created, as the Practitioner's qualification), address[0], telecom phone.
 *                   Conditional create on the FINESS if present, else on the numéro AM, else plain create.
 *  RequestGroup     ordo-requestgroup, the prescription header. identifier {urn:ordo-gateway:message-id, messageKey},
 *                   groupIdentifier {urn:oid:1.2.250.1.215.500.1.1, number}, status active, intent order, priority,
 *                   subject → Patient, authoredOn, author → prescriber, action[i].resource → request of line i.
 *                   Extensions: prescriber-organization (→ Organization),
 *                   locum-for (→ replaced Practitioner; per prescription, hence here and not on the shared
 *                   Practitioner), prescription-context codings + work-accident-date, source-software,
 *                   prescriber-profession (TRE_G15) and facility-type (TRE_R02) when known: per prescription, since
 *                   a shared Practitioner or Organization stored earlier keeps what it was created with.
 *                   A second identifier {urn:ordo-gateway:message-content, <messageKey>#<payload sha-256>}.
 *                   A plain create: the store's unique index on the message-id identifier makes a second
 *                   transaction of the same message (a replay, or the same key with other content) fail
 *                   whole, and intake tells the two apart by the message-content identifier. With
 *                   conditionalMessageEntries (the previous path): conditional create on
 *                   identifier=urn:ordo-gateway:message-content|<messageKey>#<sha-256>, as on the Consents and lines.
 *  Consent ×2       ordo-consent, topics consultation-delivrance then alimentation-dmp. status active, scope
 *                   patient-privacy, category LOINC 59284-0, patient → Patient, dateTime = informedOn,
 *                   policyRule.coding consent-topic|<topic>, provision.type deny (opposition) / permit,
 *                   provision.data[0] {meaning related, reference → RequestGroup}.
 *                   (R4 Consent.sourceReference only targets Consent|DocumentReference|Contract|QuestionnaireResponse,
 *                   so the link to the prescription is provision.data, searchable as Consent?data=.)
 *                   identifier {urn:ordo-gateway:message-consent, <messageKey>:<topic>}.
 *  one request per line, line order
 *                   MedicationRequest / DeviceRequest / ServiceRequest with our profile in meta.profile,
 *                   identifier {urn:ordo-gateway:message-line, <messageKey>:<line number from 1>} (a replayed
 *                   message never duplicates lines: its header fails the transaction), groupIdentifier (MR, DR) or requisition (SR) = number,
 *                   status active, intent order, priority, subject, requester → prescriber, authoredOn,
 *                   prescription-context / work-accident-date extensions on every request (the ALD coding
 *                   only on the lines in relation to the ALD: domain/ald.ts), and the line itself
 *                   (see drugRequest, deviceRequest, actRequest).
 *
 * All fullUrls are urn:uuid:<newUuid()>; entries reference each other by fullUrl, HAPI rewrites them to Type/id.
 */
import type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Consent,
  DeviceRequest,
  Dosage,
  Duration as FhirDuration,
  Extension,
  FhirResource,
  Identifier,
  MedicationRequest,
  Organization as FhirOrganization,
  Patient as FhirPatient,
  Practitioner,
  Reference,
  RequestGroup,
  ServiceRequest,
  TimingRepeat,
} from 'fhir/r4';
import {
  INS_OIDS,
  type ActLine,
  type DeviceLine,
  type DrugLine,
  type Duration,
  type IsoDate,
  type Organization,
  type Patient,
  type PractitionerIdentity,
  type Prescriber,
  type Prescription,
  type PrescriptionContext,
  type PrescriptionLine,
} from '../domain/prescription';
import { drugValidityOf, lastDeliveryDay } from '../domain/drug-validity';
import { lineIsAld } from '../domain/ald';
import { FACILITY_TYPES } from '../domain/facility-types';
import type { Profession } from '../domain/professions';
import { PROFESSION_WORDS, treG15CodeOf } from '../domain/profession-titles';
import { idNatPsFromRpps } from '../domain/identifiers';
import {
  ACT_TYPE_SYSTEM,
  AM_NUMBER_SYSTEM,
  AT_HOME_ROLE_CODE,
  CIP13_SYSTEM,
  CIS_SYSTEM,
  CONSENT_CATEGORY_LOINC,
  CONSENT_SCOPE_CODE,
  CONSENT_SCOPE_SYSTEM,
  CONSENT_TOPICS,
  CONSENT_TOPIC_SYSTEM,
  CONTEXT_CODES,
  CONTEXT_DISPLAYS,
  DEVICE_PARAMETER_SYSTEM,
  DEVICE_QUANTITY_CODE,
  EXTENSIONS,
  FINESS_SYSTEM,
  IDNATPS_SYSTEM,
  LOINC_SYSTEM,
  LPP_SYSTEM,
  MESSAGE_CONSENT_SYSTEM,
  MESSAGE_CONTENT_SYSTEM,
  MESSAGE_ID_SYSTEM,
  MESSAGE_LINE_SYSTEM,
  NABM_SYSTEM,
  NGAP_SYSTEM,
  NON_SUBSTITUTION_REASON_SYSTEM,
  PRESCRIPTION_NUMBER_SYSTEM,
  PROFILES,
  ROLE_CODE_SYSTEM,
  RPPS_SYSTEM,
  TA_ASIP_SYSTEM,
  TRE_G15_SYSTEM,
  TRE_R02_SYSTEM,
  TRE_R38_SYSTEM,
  UCUM_SYSTEM,
  type ConsentTopic,
  oidSystem,
} from './systems';
import { LINE_UNITS } from '../rules/dispensing/model';

export interface TransactionOptions {
  /** The prescription number: the vendor's when it sent one, else the one the gateway generated. */
  number: string;
  /** "<format>:<messageId>", the idempotency key. */
  messageKey: string;
  /** Hex SHA-256 of the vendor payload, to tell a replay (same key, same content) from a conflict. */
  payloadSha256: string;
  newUuid: () => string;
  /**
   * Whether the entries made from the message (header, Consents, lines) are conditional creates on
   * their message identifiers. Off by default: the store's unique index on the header's message id
   * makes a resent message fail whole (usecases/intake/store.ts answers it as a replay), so the
   * conditions would only cost a search each. On for the previous path (INTAKE_CONDITIONAL_CREATES)
   * and the benchmark's direct client.
   */
  conditionalMessageEntries?: boolean;
}

const DURATION_LABELS: Readonly<Record<Duration['unit'], string>> = { d: 'jour', wk: 'semaine', mo: 'mois', a: 'an' };

export type RequestResourceType = 'MedicationRequest' | 'DeviceRequest' | 'ServiceRequest';

export function buildPrescriptionTransaction(p: Prescription, opts: TransactionOptions): Bundle<FhirResource> {
  const url = (): string => `urn:uuid:${opts.newUuid()}`;
  const patientUrl = url();
  const prescriberUrl = url();
  const replacedUrl = p.replacedPrescriber ? url() : undefined;
  const organizationUrl = url();
  const requestGroupUrl = url();
  const consentUrls = [url(), url()] as const;
  const lineUrls = p.lines.map(() => url());
  const messageCondition = (system: string, value: string): string | undefined =>
    opts.conditionalMessageEntries ? searchToken(system, value) : undefined;

  const common: RequestCommon = {
    number: opts.number,
    messageKey: opts.messageKey,
    authoredOn: p.authoredOn,
    priority: p.priority,
    subject: { reference: patientUrl },
    requester: { reference: prescriberUrl },
    context: p.context,
    contextExtensions: contextExtensions(p.context),
  };

  const entries: BundleEntry<FhirResource>[] = [
    entry(patientUrl, patientResource(p.patient), searchToken(insSystem(p.patient), p.patient.ins.value)),
    entry(prescriberUrl, practitionerResource(p.prescriber), searchToken(RPPS_SYSTEM, p.prescriber.rpps)),
  ];
  if (p.replacedPrescriber && replacedUrl) {
    entries.push(
      entry(
        replacedUrl,
        practitionerResource(p.replacedPrescriber),
        searchToken(RPPS_SYSTEM, p.replacedPrescriber.rpps),
      ),
    );
  }
  entries.push(entry(organizationUrl, organizationResource(p.organization), organizationCondition(p.organization)));
  entries.push(
    entry(
      requestGroupUrl,
      requestGroupResource(p, opts, common, { organizationUrl, replacedUrl, lineUrls }),
      messageCondition(MESSAGE_CONTENT_SYSTEM, messageContentKey(opts)),
    ),
  );
  const consentTopics: [ConsentTopic, boolean][] = [
    [CONSENT_TOPICS.dispensingView, p.consent.dispensingViewOptOut],
    [CONSENT_TOPICS.dmp, p.consent.dmpOptOut],
  ];
  consentTopics.forEach(([topic, optOut], i) => {
    const consent = consentResource(topic, optOut, p.consent.informedOn, patientUrl, requestGroupUrl, opts.messageKey);
    entries.push(
      entry(consentUrls[i]!, consent, messageCondition(MESSAGE_CONSENT_SYSTEM, `${opts.messageKey}:${topic}`)),
    );
  });
  p.lines.forEach((line, i) => {
    const lineKey = lineIdentifierValue(opts.messageKey, i);
    entries.push(entry(lineUrls[i]!, requestResource(line, i, common), messageCondition(MESSAGE_LINE_SYSTEM, lineKey)));
  });

  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** Value of the header's identifier in MESSAGE_CONTENT_SYSTEM: the message key and the payload's hash. */
export const messageContentKey = (opts: Pick<TransactionOptions, 'messageKey' | 'payloadSha256'>): string =>
  `${opts.messageKey}#${opts.payloadSha256}`;

/** Value of a request's identifier in MESSAGE_LINE_SYSTEM: "<messageKey>:<line number from 1>". */
export const lineIdentifierValue = (messageKey: string, lineIndex: number): string => `${messageKey}:${lineIndex + 1}`;

// ---------------------------------------------------------------------------------------------
// Entries and conditional creates

function entry(fullUrl: string, resource: FhirResource, ifNoneExist: string | undefined): BundleEntry<FhirResource> {
  return {
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType, ...optional('ifNoneExist', ifNoneExist) },
  };
}

/**
 * `identifier=<system>|<value>` as a query string. FHIR search escapes `\ | , $` in token values;
 * the result is then URL-encoded, keeping ':' and '/' (legal in a query) so that systems and
 * urn:uuid message keys stay readable.
 */
export function searchToken(system: string, value: string): string {
  return `identifier=${queryText(system)}|${queryText(value.replace(/[\\|,$]/g, (c) => `\\${c}`))}`;
}

/** Characters that need no encoding in a query value; most systems and keys are only these (fast path). */
const QUERY_SAFE = /^[A-Za-z0-9._~:/-]*$/;
const queryText = (s: string): string =>
  QUERY_SAFE.test(s) ? s : encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2F/gi, '/');

function organizationCondition(o: Organization): string | undefined {
  if (o.finess !== undefined) return searchToken(FINESS_SYSTEM, o.finess);
  if (o.amNumber !== undefined) return searchToken(AM_NUMBER_SYSTEM, o.amNumber);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// People and organisation

const insSystem = (patient: Patient): string => oidSystem(patient.ins.oid);

function patientResource(patient: Patient): FhirPatient {
  return {
    resourceType: 'Patient',
    meta: { profile: [PROFILES.patient] },
    identifier: [
      {
        // FR Core: the NIA is a temporary identity, the NIR (and its test OIDs) official.
        use: patient.ins.oid === INS_OIDS.nia ? 'temp' : 'official',
        system: insSystem(patient),
        value: patient.ins.value,
      },
    ],
    name: [{ use: 'official', family: patient.family, given: [patient.given] }],
    gender: patient.gender,
    birthDate: patient.birthDate,
  };
}

function practitionerResource(practitioner: PractitionerIdentity | Prescriber): Practitioner {
  const specialty = 'specialty' in practitioner ? practitioner.specialty : undefined;
  const profession = 'profession' in practitioner ? practitioner.profession : undefined;
  const qualification = [
    ...(specialty !== undefined ? [{ code: { text: specialty } }] : []),
    ...(profession !== undefined ? professionQualification(profession) : []),
  ];
  return {
    resourceType: 'Practitioner',
    meta: { profile: [PROFILES.practitioner] },
    identifier: [
      { system: RPPS_SYSTEM, value: practitioner.rpps },
      { system: IDNATPS_SYSTEM, value: idNatPsFromRpps(practitioner.rpps) },
    ],
    name: [{ family: practitioner.family, given: [practitioner.given] }],
    ...(qualification.length > 0 ? { qualification } : {}),
  };
}

/** The TRE_G15 coding of a profession; none for a profession without a code of its own. */
function professionCoding(profession: Profession): Coding | undefined {
  const code = treG15CodeOf(profession);
  return code !== undefined
    ? { system: TRE_G15_SYSTEM, code, display: PROFESSION_WORDS[profession].authorCode?.displayName }
    : undefined;
}

/** FR Core's profession qualification. */
function professionQualification(profession: Profession): Practitioner['qualification'] & object {
  const coding = professionCoding(profession);
  return coding ? [{ code: { coding: [coding] } }] : [];
}

/** The signer's profession and the structure's type, on the RequestGroup. */
function prescriberExtensions(p: Prescription): Extension[] {
  const profession = p.prescriber.profession !== undefined ? professionCoding(p.prescriber.profession) : undefined;
  const type = p.organization.facilityType;
  const specialty = p.prescriber.specialtyCode;
  return [
    ...(profession ? [{ url: EXTENSIONS.prescriberProfession, valueCoding: profession }] : []),
    ...(specialty !== undefined
      ? [{ url: EXTENSIONS.prescriberSpecialty, valueCoding: { system: TRE_R38_SYSTEM, code: specialty } }]
      : []),
    ...(type !== undefined
      ? [
          {
            url: EXTENSIONS.facilityType,
            valueCoding: { system: TRE_R02_SYSTEM, code: type, display: FACILITY_TYPES[type] },
          },
        ]
      : []),
  ];
}

function organizationResource(o: Organization): FhirOrganization {
  const identifier: Identifier[] = [];
  if (o.finess !== undefined) identifier.push({ system: FINESS_SYSTEM, value: o.finess });
  if (o.amNumber !== undefined) identifier.push({ system: AM_NUMBER_SYSTEM, value: o.amNumber });
  return {
    resourceType: 'Organization',
    meta: { profile: [PROFILES.organization] },
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(o.facilityType !== undefined
      ? {
          type: [
            { coding: [{ system: TRE_R02_SYSTEM, code: o.facilityType, display: FACILITY_TYPES[o.facilityType] }] },
          ],
        }
      : {}),
    name: o.name,
    ...(o.phone !== undefined ? { telecom: [{ system: 'phone', value: o.phone }] } : {}),
    ...(o.address
      ? {
          address: [
            { line: [...o.address.lines], postalCode: o.address.postalCode, city: o.address.city, country: 'FR' },
          ],
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Prescription header and consents

interface HeaderLinks {
  organizationUrl: string;
  replacedUrl: string | undefined;
  lineUrls: string[];
}

function requestGroupResource(
  p: Prescription,
  opts: TransactionOptions,
  common: RequestCommon,
  links: HeaderLinks,
): RequestGroup {
  const extension: Extension[] = [
    { url: EXTENSIONS.prescriberOrganization, valueReference: { reference: links.organizationUrl } },
  ];
  if (links.replacedUrl) extension.push({ url: EXTENSIONS.locumFor, valueReference: { reference: links.replacedUrl } });
  extension.push(...common.contextExtensions);
  const software = softwareExtension(p.software);
  if (software) extension.push(software);
  extension.push(...prescriberExtensions(p));
  return {
    resourceType: 'RequestGroup',
    meta: { profile: [PROFILES.requestGroup] },
    extension,
    identifier: [
      { system: MESSAGE_ID_SYSTEM, value: opts.messageKey },
      { system: MESSAGE_CONTENT_SYSTEM, value: messageContentKey(opts) },
    ],
    groupIdentifier: numberIdentifier(opts.number),
    status: 'active',
    intent: 'order',
    priority: p.priority,
    subject: common.subject,
    authoredOn: p.authoredOn,
    author: common.requester,
    action: links.lineUrls.map((reference) => ({ resource: { reference } })),
  };
}

function softwareExtension(software: Prescription['software']): Extension | undefined {
  const parts: Extension[] = [];
  if (software?.name !== undefined) parts.push({ url: 'name', valueString: software.name });
  if (software?.version !== undefined) parts.push({ url: 'version', valueString: software.version });
  return parts.length > 0 ? { url: EXTENSIONS.sourceSoftware, extension: parts } : undefined;
}

function consentResource(
  topic: ConsentTopic,
  optOut: boolean,
  informedOn: IsoDate,
  patientUrl: string,
  requestGroupUrl: string,
  messageKey: string,
): Consent {
  return {
    resourceType: 'Consent',
    meta: { profile: [PROFILES.consent] },
    identifier: [{ system: MESSAGE_CONSENT_SYSTEM, value: `${messageKey}:${topic}` }],
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: CONSENT_SCOPE_CODE }] },
    category: [{ coding: [{ system: LOINC_SYSTEM, code: CONSENT_CATEGORY_LOINC }] }],
    patient: { reference: patientUrl },
    dateTime: informedOn,
    policyRule: { coding: [{ system: CONSENT_TOPIC_SYSTEM, code: topic }] },
    provision: {
      type: optOut ? 'deny' : 'permit',
      data: [{ meaning: 'related', reference: { reference: requestGroupUrl } }],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestCommon {
  number: string;
  messageKey: string;
  authoredOn: string;
  priority: Prescription['priority'];
  subject: Reference;
  requester: Reference;
  context: PrescriptionContext;
  /** The prescription's context flags (the header's); each request has its line's ALD flag instead. */
  contextExtensions: Extension[];
}

function requestResource(line: PrescriptionLine, index: number, prescription: RequestCommon): FhirResource {
  const ald = lineIsAld(prescription, line);
  const common =
    ald === prescription.context.ald
      ? prescription
      : { ...prescription, contextExtensions: contextExtensions({ ...prescription.context, ald }) };
  switch (line.kind) {
    case 'drug':
      return drugRequest(line, index, common);
    case 'device':
      return deviceRequest(line, index, common);
    case 'act':
      return actRequest(line, index, common);
  }
}

const numberIdentifier = (number: string): Identifier => ({ system: PRESCRIPTION_NUMBER_SYSTEM, value: number });
const lineIdentifier = (common: RequestCommon, index: number): Identifier[] => [
  { system: MESSAGE_LINE_SYSTEM, value: lineIdentifierValue(common.messageKey, index) },
];

/**
 * Context flags of the whole prescription, on the header and repeated on every request (vendors §4.4), but for
 * ALD, which a request carries when its line is in relation to the ALD.
 */
export function contextExtensions(context: PrescriptionContext): Extension[] {
  const codes: string[] = [];
  if (context.ald) codes.push(CONTEXT_CODES.ald);
  if (context.workAccidentDate !== undefined) codes.push(CONTEXT_CODES.workAccident);
  if (context.prevention) codes.push(CONTEXT_CODES.prevention);
  if (context.nonReimbursable) codes.push(CONTEXT_CODES.nonReimbursable);
  const extensions: Extension[] = codes.map((code) => ({
    url: EXTENSIONS.prescriptionContext,
    valueCoding: { system: TA_ASIP_SYSTEM, code, display: CONTEXT_DISPLAYS[code] },
  }));
  if (context.workAccidentDate !== undefined) {
    extensions.push({ url: EXTENSIONS.workAccidentDate, valueDate: context.workAccidentDate });
  }
  return extensions;
}

function drugRequest(line: DrugLine, index: number, common: RequestCommon): MedicationRequest {
  const extension = [...common.contextExtensions];
  if (line.offLabel) extension.push({ url: EXTENSIONS.offLabel, valueBoolean: true });
  const coding = [];
  if (line.cip13 !== undefined) coding.push({ system: CIP13_SYSTEM, code: line.cip13 });
  if (line.cis !== undefined) coding.push({ system: CIS_SYSTEM, code: line.cis });
  const dosage = dosageOf(line.posology);
  const validityStart = common.authoredOn.slice(0, 10);
  const perDeliveryDuration = line.posology.structured?.duration;
  const validity = drugValidityOf({ prescriptionDate: validityStart, renewals: line.renewals, perDeliveryDuration });
  return {
    resourceType: 'MedicationRequest',
    meta: { profile: [PROFILES.medicationRequest] },
    ...(extension.length > 0 ? { extension } : {}),
    identifier: lineIdentifier(common, index),
    groupIdentifier: numberIdentifier(common.number),
    status: 'active',
    intent: 'order',
    priority: common.priority,
    medicationCodeableConcept: codeableConcept(coding, line.label),
    subject: common.subject,
    authoredOn: common.authoredOn,
    requester: common.requester,
    ...(dosage ? { dosageInstruction: [dosage] } : {}),
    dispenseRequest: {
      // The whole window any delivery may be made in (domain/drug-validity.ts; README "Validity").
      validityPeriod: { start: validityStart, end: lastDeliveryDay(validity) },
      numberOfRepeatsAllowed: line.renewals,
      ...(line.quantity !== undefined ? { quantity: { value: line.quantity, unit: LINE_UNITS.drug } } : {}),
      // What one delivery covers (FHIR: "days supply per dispense"): the posology's duration.
      ...(perDeliveryDuration ? { expectedSupplyDuration: fhirDuration(perDeliveryDuration) } : {}),
    },
    ...substitutionOf(line),
  };
}

function dosageOf(posology: DrugLine['posology']): Dosage | undefined {
  const s = posology.structured;
  const repeat: TimingRepeat = {
    ...(s?.intakesPerDay !== undefined ? { frequency: s.intakesPerDay, period: 1, periodUnit: 'd' as const } : {}),
    ...(s?.duration ? { boundsDuration: fhirDuration(s.duration) } : {}),
  };
  const hasDose = s?.dosePerIntake !== undefined || s?.unit !== undefined;
  const dosage: Dosage = {
    ...optional('text', posology.text),
    ...(Object.keys(repeat).length > 0 ? { timing: { repeat } } : {}),
    ...(hasDose
      ? { doseAndRate: [{ doseQuantity: { ...optional('value', s?.dosePerIntake), ...optional('unit', s?.unit) } }] }
      : {}),
  };
  return Object.keys(dosage).length > 0 ? dosage : undefined;
}

/** Substitution is allowed by default; the element is written only when it is forbidden or a reason was given. */
function substitutionOf(line: DrugLine): Pick<MedicationRequest, 'substitution'> {
  const reason = line.nonSubstitutionReason;
  if (!line.nonSubstitutable && !reason) return {};
  const reasonCoding =
    reason?.code !== undefined ? [{ system: NON_SUBSTITUTION_REASON_SYSTEM, code: reason.code }] : [];
  return {
    substitution: {
      allowedBoolean: !line.nonSubstitutable,
      ...(reason ? { reason: codeableConcept(reasonCoding, reason.text) } : {}),
    },
  };
}

function deviceRequest(line: DeviceLine, index: number, common: RequestCommon): DeviceRequest {
  const coding = line.lpp !== undefined ? [{ system: LPP_SYSTEM, code: line.lpp }] : [];
  return {
    resourceType: 'DeviceRequest',
    meta: { profile: [PROFILES.deviceRequest] },
    ...(common.contextExtensions.length > 0 ? { extension: [...common.contextExtensions] } : {}),
    identifier: lineIdentifier(common, index),
    groupIdentifier: numberIdentifier(common.number),
    status: 'active',
    intent: 'order',
    priority: common.priority,
    codeCodeableConcept: codeableConcept(coding, line.label),
    ...(line.quantity !== undefined
      ? {
          parameter: [
            {
              code: { coding: [{ system: DEVICE_PARAMETER_SYSTEM, code: DEVICE_QUANTITY_CODE }] },
              valueQuantity: { value: line.quantity },
            },
          ],
        }
      : {}),
    subject: common.subject,
    ...(line.duration ? { occurrenceTiming: { repeat: { boundsDuration: fhirDuration(line.duration) } } } : {}),
    authoredOn: common.authoredOn,
    requester: common.requester,
  };
}

function actRequest(line: ActLine, index: number, common: RequestCommon): ServiceRequest {
  const codeSystem = line.actType === 'acteBiologieMedicale' ? NABM_SYSTEM : NGAP_SYSTEM;
  const coding = line.code !== undefined ? [{ system: codeSystem, code: line.code }] : [];
  const code = codeableConcept(coding, line.label);
  const timing = actTiming(line);
  return {
    resourceType: 'ServiceRequest',
    meta: { profile: [PROFILES.serviceRequest] },
    ...(common.contextExtensions.length > 0 ? { extension: [...common.contextExtensions] } : {}),
    identifier: lineIdentifier(common, index),
    requisition: numberIdentifier(common.number),
    status: 'active',
    intent: 'order',
    priority: common.priority,
    category: [{ coding: [{ system: ACT_TYPE_SYSTEM, code: line.actType }] }],
    ...(Object.keys(code).length > 0 ? { code } : {}),
    ...(line.sessions !== undefined ? { quantityQuantity: { value: line.sessions, unit: LINE_UNITS.act } } : {}),
    subject: common.subject,
    ...(timing ? { occurrenceTiming: timing } : {}),
    authoredOn: common.authoredOn,
    requester: common.requester,
    ...(line.atHome
      ? {
          locationCode: [
            { coding: [{ system: ROLE_CODE_SYSTEM, code: AT_HOME_ROLE_CODE, display: "patient's residence" }] },
          ],
        }
      : {}),
  };
}

function actTiming(line: ActLine): ServiceRequest['occurrenceTiming'] {
  const f = line.frequency;
  const repeat: TimingRepeat = {
    ...optional('frequency', f?.count),
    // FHIR tim-2: a period needs its unit, so period 1 is written only with a unit.
    ...(f?.periodUnit !== undefined ? { period: 1, periodUnit: f.periodUnit } : {}),
    ...(line.startDate !== undefined ? { boundsPeriod: { start: line.startDate } } : {}),
  };
  const hasRepeat = Object.keys(repeat).length > 0;
  if (!hasRepeat && f?.text === undefined) return undefined;
  return {
    ...(hasRepeat ? { repeat } : {}),
    ...(f?.text !== undefined ? { code: { text: f.text } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Small pieces

function codeableConcept(coding: { system: string; code: string }[], text: string | undefined): CodeableConcept {
  return { ...(coding.length > 0 ? { coding } : {}), ...optional('text', text) };
}

function fhirDuration(d: Duration): FhirDuration {
  return { value: d.value, unit: DURATION_LABELS[d.unit], system: UCUM_SYSTEM, code: d.unit };
}

/** `{ [key]: value }` when value is defined, else `{}`: FHIR JSON has no nulls nor undefined members. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
