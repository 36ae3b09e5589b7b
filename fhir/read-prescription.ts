/**
 * FHIR → canonical Prescription. Two users:
 *  - readPrescription: what HAPI stores (the shape of fhir/build-transaction.ts) back to the canonical
 *    model, for the PDF, the QR code and the CDA. readPrescription(build(p)) deep-equals p.
 *  - the fhir-message mapper, which checks a vendor message's structure first, then reads its
 *    resources with the per-resource readers below (the FHIR → canonical logic exists once).
 *
 * Readers are lenient (they assume the structure was checked) and return, beside the value, where
 * each canonical field sits in the resource: [canonical suffix, FHIRPath] pairs under `at`, the
 * FHIRPath of the resource, even for absent fields (the rules name them too).
 */
import type {
  CodeableConcept,
  Consent,
  DeviceRequest,
  DomainResource,
  Duration as FhirDuration,
  Extension,
  FhirResource,
  MedicationRequest,
  Organization as FhirOrganization,
  Patient as FhirPatient,
  Practitioner,
  RequestGroup,
  ServiceRequest,
} from 'fhir/r4';
import type { Outcome, Problem } from '../domain/problem';
import { ok, rejected } from '../domain/problem';
import {
  ACT_TYPES,
  type ActLine,
  type ActType,
  type ConsentChoices,
  type DeviceLine,
  type DrugLine,
  type Duration,
  type DurationUnit,
  type IsoDate,
  type Organization,
  type Patient,
  type PractitionerIdentity,
  type Prescriber,
  type Prescription,
  type PrescriptionContext,
  type PrescriptionLine,
  type StructuredPosology,
  type VendorFormat,
} from '../domain/prescription';
import { lineAldOverride } from '../domain/ald';
import { isFacilityTypeCode } from '../domain/facility-types';
import { PROFESSION_OF_G15_CODE, type Profession } from '../domain/professions';
import { treG15CodeOf } from '../domain/profession-titles';
import {
  ACT_TYPE_SYSTEM,
  AM_NUMBER_SYSTEM,
  AT_HOME_ROLE_CODE,
  CIP13_SYSTEM,
  CIS_SYSTEM,
  CONSENT_TOPICS,
  CONSENT_TOPIC_SYSTEM,
  CONTEXT_CODES,
  DEVICE_PARAMETER_SYSTEM,
  DEVICE_QUANTITY_CODE,
  EXTENSIONS,
  FINESS_SYSTEM,
  IDNATPS_SYSTEM,
  LPP_SYSTEM,
  INS_SYSTEM_VALUES,
  MESSAGE_ID_SYSTEM,
  NABM_SYSTEM,
  NGAP_SYSTEM,
  NON_SUBSTITUTION_REASON_SYSTEM,
  PRESCRIPTION_NUMBER_SYSTEM,
  ROLE_CODE_SYSTEM,
  RPPS_SYSTEM,
  SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM,
  TA_ASIP_SYSTEM,
  TRE_G15_SYSTEM,
  TRE_R02_SYSTEM,
  TRE_R38_SYSTEM,
  oidOf,
} from './systems';

/** [canonical path suffix, FHIRPath] pairs; the suffix is relative to the object read ('' = itself). */
export type FhirFieldPaths = Array<[canonical: string, fhirPath: string]>;
/** A value read from FHIR and, computed only when asked (rules rarely fail), where its fields sit. */
export interface Read<T> {
  value: T;
  paths: () => FhirFieldPaths;
}

export type RequestResource = MedicationRequest | DeviceRequest | ServiceRequest;
/** Finds a referenced resource: `urn:uuid:…` fullUrls in a Bundle, `Type/id` once stored. */
export type Resolver = (reference: string) => FhirResource | undefined;

// ---------------------------------------------------------------------------------------------
// The stored prescription

export interface StoredPrescription {
  /** `number` is always set: once stored, a prescription has its number, sent by the vendor or generated. */
  prescription: Prescription;
  number: string;
  requestGroupId?: string;
  /** The request of each line, in line order (`id` once stored on the server). */
  lineRequests: Array<{ resourceType: RequestResource['resourceType']; id?: string }>;
}

const VENDOR_FORMATS: readonly VendorFormat[] = ['epu-json', 'lgc-xml', 'fhir-message'];

/**
 * The canonical prescription from the resources of one stored prescription: its RequestGroup, the
 * requests, Patient, Practitioner(s), Organization and Consents. References are followed through `resolve`.
 */
export function readPrescription(resources: readonly FhirResource[], resolve: Resolver): Outcome<StoredPrescription> {
  const problems: Problem[] = [];
  const missing = (what: string, path: string): undefined => {
    problems.push({ code: 'not-found', message: `stored prescription: ${what} not found`, path });
    return undefined;
  };
  const follow = <T extends FhirResource['resourceType']>(type: T, reference: string | undefined, path: string) => {
    const found = reference !== undefined ? resolve(reference) : undefined;
    return found?.resourceType === type ? (found as Extract<FhirResource, { resourceType: T }>) : missing(type, path);
  };

  const group = resources.find((r): r is RequestGroup => r.resourceType === 'RequestGroup');
  if (!group) return rejected([{ code: 'not-found', message: 'stored prescription: RequestGroup not found' }]);

  const messageKey = group.identifier?.find((i) => i.system === MESSAGE_ID_SYSTEM)?.value;
  const parsedKey = messageKey !== undefined ? parseMessageKey(messageKey) : undefined;
  if (!parsedKey) missing('a message key', 'RequestGroup.identifier');
  const number = prescriptionNumberOf(group);
  if (number === undefined) missing('the prescription number', 'RequestGroup.groupIdentifier');

  const patient = follow('Patient', group.subject?.reference, 'RequestGroup.subject');
  const prescriber = follow('Practitioner', group.author?.reference, 'RequestGroup.author');
  const organizationRef = extensionsOf(group, EXTENSIONS.prescriberOrganization)[0]?.ext.valueReference?.reference;
  const organization = follow('Organization', organizationRef, 'RequestGroup.extension(prescriber-organization)');
  const locumRef = extensionsOf(group, EXTENSIONS.locumFor)[0]?.ext.valueReference?.reference;
  const replaced =
    locumRef !== undefined ? follow('Practitioner', locumRef, 'RequestGroup.extension(locum-for)') : undefined;

  // Only the choices about this prescription: a search may bring the patient's other Consents along.
  const aboutThisGroup = (c: Consent): boolean =>
    (c.provision?.data ?? []).some(
      (d) => d.reference.reference !== undefined && resolve(d.reference.reference) === group,
    );
  const consents = resources.filter((r): r is Consent => r.resourceType === 'Consent' && aboutThisGroup(r));
  const dispensingConsent = consents.find((c) => consentTopic(c) === CONSENT_TOPICS.dispensingView);
  if (!dispensingConsent) missing(`the ${CONSENT_TOPICS.dispensingView} Consent`, 'Consent');
  const dmpConsent = consents.find((c) => consentTopic(c) === CONSENT_TOPICS.dmp);

  const context = readContext([{ resource: group, at: '' }]).value;
  const lines: PrescriptionLine[] = [];
  const lineRequests: StoredPrescription['lineRequests'] = [];
  (group.action ?? []).forEach((action, i) => {
    const path = `RequestGroup.action[${i}].resource`;
    const request = action.resource?.reference !== undefined ? resolve(action.resource.reference) : undefined;
    if (!request || !isRequest(request)) return missing(`the request of line ${i + 1}`, path);
    const line = readLine(request, '', context.ald);
    if (!line) return missing(`the act type of line ${i + 1}`, path);
    lines.push(line.value);
    lineRequests.push({ resourceType: request.resourceType, ...(request.id !== undefined ? { id: request.id } : {}) });
  });

  if (
    problems.length > 0 ||
    !parsedKey ||
    number === undefined ||
    !patient ||
    !prescriber ||
    !organization ||
    !dispensingConsent
  ) {
    return rejected(problems);
  }
  const software = readSoftware(group);
  const prescription: Prescription = {
    messageId: parsedKey.messageId,
    sourceFormat: parsedKey.format,
    number,
    authoredOn: group.authoredOn ?? '',
    priority: group.priority ?? 'routine',
    prescriber: withStoredSpecialty(
      withProfession(readPractitioner(prescriber, '').value, storedProfessionOf(group)),
      group,
    ),
    ...(replaced ? { replacedPrescriber: practitionerIdentity(readPractitioner(replaced, '').value) } : {}),
    organization: withStoredFacilityType(readOrganization(organization, '').value, group),
    patient: readPatient(patient, '').value,
    consent: readConsentChoices({ resource: dispensingConsent, at: '' }, dmpConsent && { resource: dmpConsent, at: '' })
      .value,
    context,
    lines,
    ...(software ? { software } : {}),
  };
  return ok({ prescription, number, ...(group.id !== undefined ? { requestGroupId: group.id } : {}), lineRequests });
}

/** The number a stored header carries (RequestGroup.groupIdentifier). */
export const prescriptionNumberOf = (group: RequestGroup): string | undefined =>
  group.groupIdentifier?.system === PRESCRIPTION_NUMBER_SYSTEM ? group.groupIdentifier.value : undefined;

/**
 * The idempotency key of a vendor message, "<format>:<prescriber RPPS>:<messageId>": message ids
 * are unique per sender, so two prescribers' messages never share a key.
 */
export const messageKeyOf = (format: VendorFormat, prescriberRpps: string, messageId: string): string =>
  `${format}:${prescriberRpps}:${messageId}`;

/** A message key → its parts; the message id may itself contain colons (urn:uuid:…). */
export function parseMessageKey(key: string): { format: VendorFormat; messageId: string } | undefined {
  const match = /^([^:]+):(\d+):(.+)$/s.exec(key);
  const format = match?.[1] as VendorFormat | undefined;
  return match && format && VENDOR_FORMATS.includes(format) ? { format, messageId: match[3]! } : undefined;
}

/**
 * A Resolver over Bundle entries or stored resources: matches a reference against fullUrls and
 * against `Type/id` (with or without a base URL or a `/_history/n` suffix).
 */
export function resolverFor(entries: Iterable<{ fullUrl?: string; resource?: FhirResource }>): Resolver {
  const byKey = new Map<string, FhirResource>();
  for (const { fullUrl, resource } of entries) {
    if (!resource) continue;
    if (fullUrl !== undefined) byKey.set(fullUrl, resource);
    if (resource.id !== undefined) byKey.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  return (reference) => {
    const direct = byKey.get(reference);
    if (direct) return direct;
    const match = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
    return match ? byKey.get(match[1]!) : undefined;
  };
}

const isRequest = (r: FhirResource): r is RequestResource =>
  r.resourceType === 'MedicationRequest' || r.resourceType === 'DeviceRequest' || r.resourceType === 'ServiceRequest';

/** A replaced practitioner is an identity only: their specialty is not part of the prescription. */
export const practitionerIdentity = ({ rpps, family, given }: Prescriber): PractitionerIdentity => ({
  rpps,
  family,
  given,
});

/** The software that sent the prescription (its source-software extension), when it says. */
export function readSoftware(group: RequestGroup): Prescription['software'] | undefined {
  const parts = extensionsOf(group, EXTENSIONS.sourceSoftware)[0]?.ext.extension;
  if (!parts) return undefined;
  const name = parts.find((e) => e.url === 'name')?.valueString;
  const version = parts.find((e) => e.url === 'version')?.valueString;
  return { ...(name !== undefined ? { name } : {}), ...(version !== undefined ? { version } : {}) };
}

// ---------------------------------------------------------------------------------------------
// People, organisation, consents, context

export function readPatient(patient: FhirPatient, at: string): Read<Patient> {
  const insIndex = (patient.identifier ?? []).findIndex(
    (i) => i.system !== undefined && INS_SYSTEM_VALUES.includes(i.system),
  );
  const ins = patient.identifier?.[insIndex];
  const nameIndex = Math.max(
    0,
    (patient.name ?? []).findIndex((n) => n.use === 'official'),
  );
  const name = patient.name?.[nameIndex];
  const insAt = insIndex >= 0 ? `${at}.identifier[${insIndex}]` : `${at}.identifier`;
  return {
    value: {
      family: name?.family ?? '',
      given: (name?.given ?? []).join(' '),
      birthDate: patient.birthDate ?? '',
      gender: patient.gender ?? 'unknown',
      ins: { value: ins?.value ?? '', oid: oidOf(ins?.system) ?? '' },
    },
    paths: () => [
      ['', at],
      ['/family', `${at}.name[${nameIndex}].family`],
      ['/given', `${at}.name[${nameIndex}].given`],
      ['/birthDate', `${at}.birthDate`],
      ['/gender', `${at}.gender`],
      ['/ins', insAt],
      ['/ins/value', `${insAt}.value`],
      ['/ins/oid', `${insAt}.system`],
    ],
  };
}

/**
 * The signer's profession the gateway stored with the prescription (RequestGroup extension, from the access
 * token); undefined for a prescription stored before it was kept.
 */
export function storedProfessionOf(group: RequestGroup): Profession | undefined {
  const coding = extensionsOf(group, EXTENSIONS.prescriberProfession)[0]?.ext.valueCoding;
  if (coding?.system !== TRE_G15_SYSTEM || coding.code === undefined) return undefined;
  const profession = Object.hasOwn(PROFESSION_OF_G15_CODE, coding.code)
    ? PROFESSION_OF_G15_CODE[coding.code]
    : undefined;
  return profession !== undefined && treG15CodeOf(profession) === coding.code ? profession : undefined;
}

/**
 * The structure's type stored with the prescription (RequestGroup extension), rather than the shared
 * Organization's, which keeps the type it was created with.
 */
function withStoredFacilityType(organization: Organization, group: RequestGroup): Organization {
  const { facilityType: _shared, ...rest } = organization;
  const coding = extensionsOf(group, EXTENSIONS.facilityType)[0]?.ext.valueCoding;
  return coding?.system === TRE_R02_SYSTEM && isFacilityTypeCode(coding.code)
    ? { ...rest, facilityType: coding.code }
    : rest;
}

/** The signer's TRE_R38 specialty stored with the prescription, if the token named one. */
function withStoredSpecialty(prescriber: Prescriber, group: RequestGroup): Prescriber {
  const coding = extensionsOf(group, EXTENSIONS.prescriberSpecialty)[0]?.ext.valueCoding;
  return coding?.system === TRE_R38_SYSTEM && coding.code !== undefined
    ? { ...prescriber, specialtyCode: coding.code }
    : prescriber;
}

const withProfession = (prescriber: Prescriber, profession: Profession | undefined): Prescriber =>
  profession !== undefined ? { ...prescriber, profession } : prescriber;

/** RPPS from the RPPS identifier, else from the idNatPs ("8" + RPPS). */
export function readPractitioner(practitioner: Practitioner, at: string): Read<Prescriber> {
  const identifiers = practitioner.identifier ?? [];
  const rppsIndex = identifiers.findIndex((i) => i.system === RPPS_SYSTEM);
  const idNatPsIndex = identifiers.findIndex((i) => i.system === IDNATPS_SYSTEM);
  const fromIdNatPs = identifiers[idNatPsIndex]?.value;
  const rpps =
    identifiers[rppsIndex]?.value ?? (fromIdNatPs?.startsWith('8') ? fromIdNatPs.slice(1) : fromIdNatPs) ?? '';
  const usedIndex = rppsIndex >= 0 ? rppsIndex : idNatPsIndex;
  const name = practitioner.name?.[0];
  const specialty = practitioner.qualification?.[0]?.code.text;
  return {
    value: {
      rpps,
      family: name?.family ?? '',
      given: (name?.given ?? []).join(' '),
      ...(specialty !== undefined ? { specialty } : {}),
    },
    paths: () => [
      ['', at],
      ['/rpps', usedIndex >= 0 ? `${at}.identifier[${usedIndex}].value` : `${at}.identifier`],
      ['/family', `${at}.name[0].family`],
      ['/given', `${at}.name[0].given`],
      ['/specialty', `${at}.qualification[0].code.text`],
    ],
  };
}

export function readOrganization(organization: FhirOrganization, at: string): Read<Organization> {
  const identifiers = organization.identifier ?? [];
  const finessIndex = identifiers.findIndex((i) => i.system === FINESS_SYSTEM);
  const amIndex = identifiers.findIndex((i) => i.system === AM_NUMBER_SYSTEM);
  const finess = identifiers[finessIndex]?.value;
  const amNumber = identifiers[amIndex]?.value;
  const address = organization.address?.[0];
  const phoneIndex = (organization.telecom ?? []).findIndex((t) => t.system === 'phone');
  const phone = organization.telecom?.[phoneIndex]?.value;
  const type = facilityTypeCodingOf(organization);
  const identifierPath = (index: number): string =>
    index >= 0 ? `${at}.identifier[${index}].value` : `${at}.identifier`;
  return {
    value: {
      name: organization.name ?? '',
      ...(amNumber !== undefined ? { amNumber } : {}),
      ...(finess !== undefined ? { finess } : {}),
      ...(type && isFacilityTypeCode(type.code) ? { facilityType: type.code } : {}),
      ...(address
        ? { address: { lines: address.line ?? [], postalCode: address.postalCode ?? '', city: address.city ?? '' } }
        : {}),
      ...(phone !== undefined ? { phone } : {}),
    },
    paths: () => [
      ['', at],
      ['/name', `${at}.name`],
      ['/amNumber', identifierPath(amIndex)],
      ['/finess', identifierPath(finessIndex)],
      ['/facilityType', type ? `${at}.type[${type.typeIndex}].coding[${type.codingIndex}].code` : `${at}.type`],
      ['/address', `${at}.address[0]`],
      ['/address/lines', `${at}.address[0].line`],
      ['/address/postalCode', `${at}.address[0].postalCode`],
      ['/address/city', `${at}.address[0].city`],
      ['/phone', phoneIndex >= 0 ? `${at}.telecom[${phoneIndex}].value` : `${at}.telecom`],
    ],
  };
}

/** The Organization's TRE_R02 coding, if any, and where it is. */
export function facilityTypeCodingOf(
  organization: FhirOrganization,
): { code: string | undefined; typeIndex: number; codingIndex: number } | undefined {
  const types = organization.type ?? [];
  for (let typeIndex = 0; typeIndex < types.length; typeIndex++) {
    const codingIndex = codingIndexOf(types[typeIndex], TRE_R02_SYSTEM);
    if (codingIndex >= 0) return { code: types[typeIndex]!.coding![codingIndex]!.code, typeIndex, codingIndex };
  }
  return undefined;
}

const codingIndexOf = (concept: CodeableConcept | undefined, system: string): number =>
  (concept?.coding ?? []).findIndex((c) => c.system === system);

export const consentTopic = (consent: Consent): string | undefined =>
  consent.policyRule?.coding?.find((c) => c.system === CONSENT_TOPIC_SYSTEM)?.code;

/** A dateTime's date part: canonical dates are YYYY-MM-DD (partial dates are kept for the rules to report). */
export const datePart = (value: string): IsoDate => (value.length > 10 ? value.slice(0, 10) : value);

/**
 * The choices from the consultation-delivrance Consent and the optional alimentation-dmp one (absent = no
 * opposition).
 */
export function readConsentChoices(
  dispensing: { resource: Consent; at: string },
  dmp: { resource: Consent; at: string } | undefined,
): Read<ConsentChoices> {
  return {
    value: {
      informedOn: datePart(dispensing.resource.dateTime ?? ''),
      dispensingViewOptOut: dispensing.resource.provision?.type === 'deny',
      dmpOptOut: dmp?.resource.provision?.type === 'deny',
    },
    paths: () => [
      ['', dispensing.at],
      ['/informedOn', `${dispensing.at}.dateTime`],
      ['/dispensingViewOptOut', `${dispensing.at}.provision.type`],
      ['/dmpOptOut', dmp ? `${dmp.at}.provision.type` : dispensing.at],
    ],
  };
}

/** Extensions with a given URL and their index in `extension`. */
export function extensionsOf(resource: DomainResource, url: string): Array<{ ext: Extension; index: number }> {
  const found: Array<{ ext: Extension; index: number }> = [];
  (resource.extension ?? []).forEach((ext, index) => {
    if (ext.url === url) found.push({ ext, index });
  });
  return found;
}

/** Prescription-level flags: the union over the resources that carry them (vendors §4.4). */
export function readContext(
  carriers: ReadonlyArray<{ resource: DomainResource; at: string }>,
): Read<PrescriptionContext> {
  const firstAt = carriers[0]?.at ?? '';
  // Where each context code (and the work-accident date) is first found: FHIRPath of its extension.
  const found = new Map<string, string>();
  let workAccidentDate: { value: string; at: string } | undefined;
  for (const { resource, at } of carriers) {
    for (const { ext, index } of extensionsOf(resource, EXTENSIONS.prescriptionContext)) {
      const code = ext.valueCoding?.system === TA_ASIP_SYSTEM ? ext.valueCoding.code : undefined;
      if (code !== undefined && !found.has(code)) found.set(code, `${at}.extension[${index}]`);
    }
    const date = extensionsOf(resource, EXTENSIONS.workAccidentDate)[0];
    if (date && !workAccidentDate && date.ext.valueDate !== undefined) {
      workAccidentDate = { value: date.ext.valueDate, at: `${at}.extension[${date.index}].valueDate` };
    }
  }
  const flagPath = (code: string): string =>
    found.get(code) ?? `${firstAt}.extension('${EXTENSIONS.prescriptionContext}')`;
  return {
    value: {
      ald: found.has(CONTEXT_CODES.ald),
      ...(workAccidentDate ? { workAccidentDate: workAccidentDate.value } : {}),
      nonReimbursable: found.has(CONTEXT_CODES.nonReimbursable),
      prevention: found.has(CONTEXT_CODES.prevention),
    },
    paths: () => [
      ['', firstAt],
      ['/ald', flagPath(CONTEXT_CODES.ald)],
      ['/nonReimbursable', flagPath(CONTEXT_CODES.nonReimbursable)],
      ['/prevention', flagPath(CONTEXT_CODES.prevention)],
      [
        '/workAccidentDate',
        workAccidentDate?.at ??
          found.get(CONTEXT_CODES.workAccident) ??
          `${firstAt}.extension('${EXTENSIONS.workAccidentDate}')`,
      ],
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Lines

/**
 * A request as a line; given the prescription's ALD flag, the line keeps the request's own (its ALD context
 * coding) where it differs (domain/ald.ts).
 */
export function readLine(
  request: RequestResource,
  at: string,
  prescriptionAld?: boolean,
): Read<PrescriptionLine> | undefined {
  const line = readLineOfKind(request, at);
  if (!line || prescriptionAld === undefined) return line;
  const override = lineAldOverride(requestIsAld(request), prescriptionAld);
  if (override.ald === undefined) return line;
  const paths = line.paths;
  return { value: { ...line.value, ...override }, paths: () => [...paths(), ['/ald', `${at}.extension`]] };
}

function readLineOfKind(request: RequestResource, at: string): Read<PrescriptionLine> | undefined {
  switch (request.resourceType) {
    case 'MedicationRequest':
      return readDrugLine(request, at);
    case 'DeviceRequest':
      return readDeviceLine(request, at);
    case 'ServiceRequest':
      return readActLine(request, at);
  }
}

/** Whether a request carries the ALD context coding. */
const requestIsAld = (request: RequestResource): boolean =>
  extensionsOf(request, EXTENSIONS.prescriptionContext).some(
    ({ ext }) => ext.valueCoding?.system === TA_ASIP_SYSTEM && ext.valueCoding.code === CONTEXT_CODES.ald,
  );

/** Index of the first coding of `system`, -1 when none. */
export const codingIndex = (concept: CodeableConcept | undefined, system: string): number =>
  (concept?.coding ?? []).findIndex((c) => c.system === system);

const DURATION_UNITS: readonly DurationUnit[] = ['d', 'wk', 'mo', 'a'];
export const isDurationUnit = (code: string | undefined): code is DurationUnit =>
  code !== undefined && (DURATION_UNITS as readonly string[]).includes(code);

/** A UCUM Duration; `unit` of the canonical model is the UCUM code. */
function readDuration(duration: FhirDuration | undefined): Duration | undefined {
  if (!duration || duration.value === undefined || !isDurationUnit(duration.code)) return undefined;
  return { value: duration.value, unit: duration.code };
}

const durationPaths = (canonical: string, at: string): FhirFieldPaths => [
  [canonical, at],
  [`${canonical}/value`, `${at}.value`],
  [`${canonical}/unit`, `${at}.code`],
];

export function readDrugLine(request: MedicationRequest, at: string): Read<DrugLine> {
  const concept = request.medicationCodeableConcept;
  const cip13Index = codingIndex(concept, CIP13_SYSTEM);
  const cisIndex = codingIndex(concept, CIS_SYSTEM);
  const cip13 = concept?.coding?.[cip13Index]?.code;
  const cis = concept?.coding?.[cisIndex]?.code;
  const dosage = request.dosageInstruction?.[0];
  const repeat = dosage?.timing?.repeat;
  const dose = dosage?.doseAndRate?.[0]?.doseQuantity;
  const duration = readDuration(repeat?.boundsDuration);
  const structured: StructuredPosology | undefined =
    repeat?.frequency !== undefined || duration || dose
      ? {
          ...(dose?.value !== undefined ? { dosePerIntake: dose.value } : {}),
          ...(dose?.unit !== undefined ? { unit: dose.unit } : {}),
          ...(repeat?.frequency !== undefined ? { intakesPerDay: repeat.frequency } : {}),
          ...(duration ? { duration } : {}),
        }
      : undefined;
  const substitution = readSubstitution(request);
  const offLabel = extensionsOf(request, EXTENSIONS.offLabel)[0];
  const dosageAt = `${at}.dosageInstruction[0]`;
  const codePath = (index: number): string =>
    index >= 0 ? `${at}.medicationCodeableConcept.coding[${index}].code` : `${at}.medicationCodeableConcept.coding`;
  return {
    value: {
      kind: 'drug',
      ...(cip13 !== undefined ? { cip13 } : {}),
      ...(cis !== undefined ? { cis } : {}),
      ...(concept?.text !== undefined ? { label: concept.text } : {}),
      posology: { ...(dosage?.text !== undefined ? { text: dosage.text } : {}), ...(structured ? { structured } : {}) },
      ...(request.dispenseRequest?.quantity?.value !== undefined
        ? { quantity: request.dispenseRequest.quantity.value }
        : {}),
      renewals: request.dispenseRequest?.numberOfRepeatsAllowed ?? 0,
      nonSubstitutable: substitution.nonSubstitutable,
      ...(substitution.reason ? { nonSubstitutionReason: substitution.reason } : {}),
      offLabel: offLabel?.ext.valueBoolean === true,
    },
    paths: () => [
      ['', at],
      ['/kind', `${at}.resourceType`],
      ['/cip13', codePath(cip13Index)],
      ['/cis', codePath(cisIndex)],
      ['/label', `${at}.medicationCodeableConcept.text`],
      ['/posology', dosageAt],
      ['/posology/text', `${dosageAt}.text`],
      ['/posology/structured', dosageAt],
      ['/posology/structured/dosePerIntake', `${dosageAt}.doseAndRate[0].doseQuantity.value`],
      ['/posology/structured/unit', `${dosageAt}.doseAndRate[0].doseQuantity.unit`],
      ['/posology/structured/intakesPerDay', `${dosageAt}.timing.repeat.frequency`],
      ...durationPaths('/posology/structured/duration', `${dosageAt}.timing.repeat.boundsDuration`),
      ['/quantity', `${at}.dispenseRequest.quantity.value`],
      ['/renewals', `${at}.dispenseRequest.numberOfRepeatsAllowed`],
      ['/nonSubstitutable', substitution.flagPath(at)],
      ['/nonSubstitutionReason', `${at}.substitution.reason`],
      ['/nonSubstitutionReason/code', substitution.reasonCodePath(at)],
      ['/nonSubstitutionReason/text', `${at}.substitution.reason.text`],
      ['/offLabel', offLabel ? `${at}.extension[${offLabel.index}]` : `${at}.extension('${EXTENSIONS.offLabel}')`],
    ],
  };
}

/** Forbidden by allowedBoolean false or by allowedCodeableConcept N (v3-substanceAdminSubstitution), vendors §4.3. */
export const isSubstitutionForbidden = (substitution: MedicationRequest['substitution']): boolean =>
  substitution?.allowedBoolean === false ||
  (substitution?.allowedCodeableConcept?.coding ?? []).some(
    (c) => c.system === SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM && c.code === 'N',
  );

function readSubstitution(request: MedicationRequest) {
  const substitution = request.substitution;
  const reason = substitution?.reason;
  const ourIndex = codingIndex(reason, NON_SUBSTITUTION_REASON_SYSTEM);
  const code = reason?.coding?.[ourIndex]?.code;
  // A reason coded in another system still is a reason: keep its words as the text.
  const otherCoding = reason?.coding?.find(
    (c) => c.system !== NON_SUBSTITUTION_REASON_SYSTEM && (c.display ?? c.code) !== undefined,
  );
  const text = reason?.text ?? otherCoding?.display ?? otherCoding?.code;
  return {
    nonSubstitutable: isSubstitutionForbidden(substitution),
    reason:
      code !== undefined || text !== undefined
        ? { ...(code !== undefined ? { code } : {}), ...(text !== undefined ? { text } : {}) }
        : undefined,
    flagPath: (at: string): string =>
      substitution?.allowedCodeableConcept
        ? `${at}.substitution.allowedCodeableConcept`
        : `${at}.substitution.allowedBoolean`,
    reasonCodePath: (at: string): string =>
      ourIndex >= 0 ? `${at}.substitution.reason.coding[${ourIndex}].code` : `${at}.substitution.reason.coding`,
  };
}

/** Index of the device quantity parameter (device-parameter|quantity), -1 when none. */
export const deviceQuantityIndex = (request: DeviceRequest): number =>
  (request.parameter ?? []).findIndex(
    (p) =>
      codingIndex(p.code, DEVICE_PARAMETER_SYSTEM) >= 0 && p.code?.coding?.some((c) => c.code === DEVICE_QUANTITY_CODE),
  );

export function readDeviceLine(request: DeviceRequest, at: string): Read<DeviceLine> {
  const concept = request.codeCodeableConcept;
  const lppIndex = codingIndex(concept, LPP_SYSTEM);
  const lpp = concept?.coding?.[lppIndex]?.code;
  const quantityIndex = deviceQuantityIndex(request);
  const quantity = request.parameter?.[quantityIndex]?.valueQuantity?.value;
  const duration = readDuration(request.occurrenceTiming?.repeat?.boundsDuration);
  return {
    value: {
      kind: 'device',
      ...(lpp !== undefined ? { lpp } : {}),
      ...(concept?.text !== undefined ? { label: concept.text } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      ...(duration ? { duration } : {}),
    },
    paths: () => [
      ['', at],
      ['/kind', `${at}.resourceType`],
      [
        '/lpp',
        lppIndex >= 0 ? `${at}.codeCodeableConcept.coding[${lppIndex}].code` : `${at}.codeCodeableConcept.coding`,
      ],
      ['/label', `${at}.codeCodeableConcept.text`],
      ['/quantity', quantityIndex >= 0 ? `${at}.parameter[${quantityIndex}].valueQuantity.value` : `${at}.parameter`],
      ...durationPaths('/duration', `${at}.occurrenceTiming.repeat.boundsDuration`),
    ],
  };
}

/** [category index, coding index] of the act-type coding, or undefined. */
export function actTypeCoding(
  request: ServiceRequest,
): { category: number; coding: number; code: string | undefined } | undefined {
  const categories = request.category ?? [];
  for (let category = 0; category < categories.length; category++) {
    const coding = codingIndex(categories[category], ACT_TYPE_SYSTEM);
    if (coding >= 0) return { category, coding, code: categories[category]!.coding![coding]!.code };
  }
  return undefined;
}

export const isActType = (code: string | undefined): code is ActType =>
  code !== undefined && (ACT_TYPES as readonly string[]).includes(code);
const ACT_PERIOD_UNITS: ReadonlyArray<string> = ['d', 'wk', 'mo'];

/** Undefined when the request has no known act type (a stored request always has one). */
export function readActLine(request: ServiceRequest, at: string): Read<ActLine> | undefined {
  const actType = actTypeCoding(request);
  if (!actType || !isActType(actType.code)) return undefined;
  const codeSystem = actType.code === 'acteBiologieMedicale' ? NABM_SYSTEM : NGAP_SYSTEM;
  const codeIndex = codingIndex(request.code, codeSystem);
  const code = request.code?.coding?.[codeIndex]?.code;
  const timing = request.occurrenceTiming;
  const repeat = timing?.repeat;
  const periodUnit =
    repeat?.periodUnit !== undefined && ACT_PERIOD_UNITS.includes(repeat.periodUnit)
      ? (repeat.periodUnit as 'd' | 'wk' | 'mo')
      : undefined;
  const frequencyText = timing?.code?.text;
  const hasFrequency = repeat?.frequency !== undefined || periodUnit !== undefined || frequencyText !== undefined;
  const atHome = (request.locationCode ?? []).some((l) =>
    l.coding?.some((c) => c.system === ROLE_CODE_SYSTEM && c.code === AT_HOME_ROLE_CODE),
  );
  const start = repeat?.boundsPeriod?.start;
  const timingAt = `${at}.occurrenceTiming`;
  return {
    value: {
      kind: 'act',
      actType: actType.code,
      ...(code !== undefined ? { code } : {}),
      ...(request.code?.text !== undefined ? { label: request.code.text } : {}),
      ...(request.quantityQuantity?.value !== undefined ? { sessions: request.quantityQuantity.value } : {}),
      ...(hasFrequency
        ? {
            frequency: {
              ...(repeat?.frequency !== undefined ? { count: repeat.frequency } : {}),
              ...(periodUnit !== undefined ? { periodUnit } : {}),
              ...(frequencyText !== undefined ? { text: frequencyText } : {}),
            },
          }
        : {}),
      atHome,
      ...(start !== undefined ? { startDate: datePart(start) } : {}),
    },
    paths: () => [
      ['', at],
      ['/kind', `${at}.resourceType`],
      ['/actType', `${at}.category[${actType.category}].coding[${actType.coding}].code`],
      ['/code', codeIndex >= 0 ? `${at}.code.coding[${codeIndex}].code` : `${at}.code.coding`],
      ['/label', `${at}.code.text`],
      ['/sessions', `${at}.quantityQuantity.value`],
      ['/frequency', timingAt],
      ['/frequency/count', `${timingAt}.repeat.frequency`],
      ['/frequency/periodUnit', `${timingAt}.repeat.periodUnit`],
      ['/frequency/text', `${timingAt}.code.text`],
      ['/atHome', `${at}.locationCode`],
      ['/startDate', `${timingAt}.repeat.boundsPeriod.start`],
    ],
  };
}
