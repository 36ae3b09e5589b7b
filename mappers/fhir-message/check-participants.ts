/**
 * fhir-message participants (vendors §4.2, V2, V12): one Patient with one INS, 1..2 Practitioners
 * identified by RPPS and/or idNatPs (agreeing), 0..1 PractitionerRole, one Organization (the
 * MessageHeader.sender), 1..2 Consents of which consultation-delivrance, and the locum link.
 * Check digits, dates and the AM/FINESS requirement are business rules (rules/intake), not here.
 */
import type { RuleCode } from '../../domain/rule-codes';
import type { Consent, MessageHeader, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import { FACILITY_TYPE_CODES, isFacilityTypeCode } from '../../domain/facility-types';
import type { Problem } from '../../domain/problem';
import { consentTopic, extensionsOf, facilityTypeCodingOf } from '../../fhir/read-prescription';
import {
  CONSENT_CATEGORY_LOINC,
  CONSENT_SCOPE_CODE,
  CONSENT_SCOPE_SYSTEM,
  CONSENT_TOPICS,
  CONSENT_TOPIC_SYSTEM,
  EXTENSIONS,
  IDNATPS_SYSTEM,
  INS_SYSTEM_VALUES,
  LOINC_SYSTEM,
  RPPS_SYSTEM,
} from '../../fhir/systems';
import { entriesOfType, resolveEntry, resolveOfType, type IndexedEntry, type MessageBundle } from './bundle-index';

export interface Participants {
  header: IndexedEntry<MessageHeader>;
  patient?: IndexedEntry<Patient>;
  organization?: IndexedEntry<Organization>;
  practitioners: IndexedEntry<Practitioner>[];
  role?: IndexedEntry<PractitionerRole>;
  dispensingConsent?: IndexedEntry<Consent>;
  dmpConsent?: IndexedEntry<Consent>;
}

type Add = (code: Problem['code'], rule: RuleCode, message: string, path: string) => void;
const collector =
  (problems: Problem[]): Add =>
  (code, rule, message, path) =>
    problems.push({ code, rule, message, path });

/** Call after checkEnvelope: the first entry is the MessageHeader. */
export function checkParticipants(message: MessageBundle): { problems: Problem[]; participants: Participants } {
  const problems: Problem[] = [];
  const add = collector(problems);
  const header = message.entries[0] as IndexedEntry<MessageHeader>;
  const patient = checkPatient(message, add);
  const organization = checkOrganization(message, header, add);
  const practitioners = checkPractitioners(message, add);
  const role = checkRole(message, organization, add);
  const consents = checkConsents(message, patient, add);
  checkHeaderLinks(message, header, add);
  return { problems, participants: { header, patient, organization, practitioners, role, ...consents } };
}

function exactlyOne<T extends IndexedEntry>(found: T[], what: string, rule: RuleCode, add: Add): T | undefined {
  if (found.length === 0) add('required', rule, `the message has no ${what}`, 'Bundle.entry');
  found
    .slice(1)
    .forEach((extra) => add('structure', rule, `a message carries exactly one ${what}, this is another one`, extra.at));
  return found[0];
}

function checkPatient(message: MessageBundle, add: Add): IndexedEntry<Patient> | undefined {
  const patient = exactlyOne(entriesOfType(message, 'Patient'), 'Patient', 'V12', add);
  if (!patient) return undefined;
  const { resource, at } = patient;
  const insCount = (resource.identifier ?? []).filter(
    (i) => i.system !== undefined && INS_SYSTEM_VALUES.includes(i.system),
  ).length;
  if (insCount !== 1) {
    add(
      'structure',
      'V12',
      `the Patient carries exactly one INS identifier (systems ${INS_SYSTEM_VALUES.join(', ')}), found ${insCount}`,
      `${at}.identifier`,
    );
  }
  const nameIndex = Math.max(
    0,
    (resource.name ?? []).findIndex((n) => n.use === 'official'),
  );
  const name = resource.name?.[nameIndex];
  if (name?.family === undefined)
    add('required', 'V2', 'the Patient name needs a family name', `${at}.name[${nameIndex}].family`);
  if ((name?.given ?? []).length === 0)
    add('required', 'V2', 'the Patient name needs a given name', `${at}.name[${nameIndex}].given`);
  if (resource.gender === undefined) add('required', 'V2', 'Patient.gender is required', `${at}.gender`);
  if (resource.birthDate === undefined) add('required', 'V2', 'Patient.birthDate is required', `${at}.birthDate`);
  return patient;
}

function checkOrganization(
  message: MessageBundle,
  header: IndexedEntry<MessageHeader>,
  add: Add,
): IndexedEntry<Organization> | undefined {
  const organization = exactlyOne(entriesOfType(message, 'Organization'), 'Organization', 'V2', add);
  if (!organization) return undefined;
  if (organization.resource.name === undefined)
    add('required', 'V2', 'Organization.name is required', `${organization.at}.name`);
  const type = facilityTypeCodingOf(organization.resource);
  if (type && !isFacilityTypeCode(type.code)) {
    add(
      'value',
      'V2',
      `the structure's type (TRE_R02) must be one of ${FACILITY_TYPE_CODES.join(', ')}`,
      `${organization.at}.type[${type.typeIndex}].coding[${type.codingIndex}].code`,
    );
  }
  const sender = header.resource.sender?.reference;
  if (sender === undefined) {
    add('required', 'V2', "MessageHeader.sender (the prescriber's Organization) is required", `${header.at}.sender`);
  } else if (sender !== organization.fullUrl && message.byFullUrl.has(sender)) {
    add('value', 'V2', 'MessageHeader.sender must reference the Organization', `${header.at}.sender.reference`);
  }
  return organization;
}

function checkPractitioners(message: MessageBundle, add: Add): IndexedEntry<Practitioner>[] {
  const practitioners = entriesOfType(message, 'Practitioner');
  if (practitioners.length === 0)
    add('required', 'V2', 'the message has no Practitioner (the prescriber)', 'Bundle.entry');
  if (practitioners.length > 2) {
    practitioners
      .slice(2)
      .forEach((p) =>
        add('structure', 'V2', 'at most 2 Practitioners: the prescriber and, for a locum, the replaced one', p.at),
      );
  }
  for (const { resource, at } of practitioners) {
    const identifiers = resource.identifier ?? [];
    const rppsIndex = identifiers.findIndex((i) => i.system === RPPS_SYSTEM);
    const idNatPsIndex = identifiers.findIndex((i) => i.system === IDNATPS_SYSTEM);
    const rpps = identifiers[rppsIndex]?.value;
    const idNatPs = identifiers[idNatPsIndex]?.value;
    if (rpps === undefined && idNatPs === undefined) {
      add(
        'required',
        'V2',
        `a Practitioner is identified by ${RPPS_SYSTEM} and/or ${IDNATPS_SYSTEM} ("8" + RPPS)`,
        `${at}.identifier`,
      );
    } else if (idNatPs !== undefined && !idNatPs.startsWith('8')) {
      add('value', 'V2', `idNatPs '${idNatPs}' is not "8" + RPPS`, `${at}.identifier[${idNatPsIndex}].value`);
    } else if (rpps !== undefined && idNatPs !== undefined && idNatPs !== `8${rpps}`) {
      add(
        'value',
        'V2',
        `RPPS '${rpps}' and idNatPs '${idNatPs}' do not designate the same practitioner (idNatPs = "8" + RPPS)`,
        `${at}.identifier[${idNatPsIndex}].value`,
      );
    }
    const name = resource.name?.[0];
    if (name?.family === undefined)
      add('required', 'V2', 'the Practitioner name needs a family name', `${at}.name[0].family`);
    if ((name?.given ?? []).length === 0)
      add('required', 'V2', 'the Practitioner name needs a given name', `${at}.name[0].given`);
  }
  return practitioners;
}

function checkRole(
  message: MessageBundle,
  organization: IndexedEntry<Organization> | undefined,
  add: Add,
): IndexedEntry<PractitionerRole> | undefined {
  const roles = entriesOfType(message, 'PractitionerRole');
  roles.slice(1).forEach((r) => add('structure', 'V2', 'at most one PractitionerRole', r.at));
  const role = roles[0];
  if (!role) return undefined;
  if (!resolveOfType(message, role.resource.practitioner?.reference, 'Practitioner')) {
    add(
      'required',
      'V2',
      'PractitionerRole.practitioner must reference the prescriber Practitioner',
      `${role.at}.practitioner`,
    );
  }
  const roleOrganization = role.resource.organization?.reference;
  if (roleOrganization !== undefined && organization && roleOrganization !== organization.fullUrl) {
    add(
      'value',
      'V2',
      'PractitionerRole.organization must be the MessageHeader.sender Organization',
      `${role.at}.organization.reference`,
    );
  }
  return role;
}

const KNOWN_TOPICS: readonly string[] = Object.values(CONSENT_TOPICS);

function checkConsents(
  message: MessageBundle,
  patient: IndexedEntry<Patient> | undefined,
  add: Add,
): Pick<Participants, 'dispensingConsent' | 'dmpConsent'> {
  const byTopic = new Map<string, IndexedEntry<Consent>>();
  for (const consent of entriesOfType(message, 'Consent')) {
    const { resource, at } = consent;
    const topic = consentTopic(resource);
    if (topic === undefined || !KNOWN_TOPICS.includes(topic)) {
      add(
        'value',
        'V2',
        `Consent.policyRule needs a coding ${CONSENT_TOPIC_SYSTEM} with code ${KNOWN_TOPICS.join(' or ')}`,
        `${at}.policyRule`,
      );
    } else if (byTopic.has(topic)) {
      add('structure', 'V2', `a second Consent for topic ${topic}`, at);
    } else {
      byTopic.set(topic, consent);
    }
    if (resource.status !== 'active') add('value', 'V2', `Consent.status must be 'active'`, `${at}.status`);
    if (!resource.scope?.coding?.some((c) => c.system === CONSENT_SCOPE_SYSTEM && c.code === CONSENT_SCOPE_CODE)) {
      add('value', 'V2', `Consent.scope must be ${CONSENT_SCOPE_SYSTEM}|${CONSENT_SCOPE_CODE}`, `${at}.scope`);
    }
    if (
      !resource.category?.some((cat) =>
        cat.coding?.some((c) => c.system === LOINC_SYSTEM && c.code === CONSENT_CATEGORY_LOINC),
      )
    ) {
      add('value', 'V2', `Consent.category must include LOINC ${CONSENT_CATEGORY_LOINC}`, `${at}.category`);
    }
    if (patient && resource.patient?.reference !== patient.fullUrl) {
      add('value', 'V12', 'Consent.patient must reference the Patient of the message', `${at}.patient`);
    }
    if (resource.dateTime === undefined)
      add('required', 'V2', 'Consent.dateTime (the date the patient was informed) is required', `${at}.dateTime`);
    const type = resource.provision?.type;
    if (type !== 'deny' && type !== 'permit')
      add('required', 'V2', "Consent.provision.type must be 'deny' (opposition) or 'permit'", `${at}.provision.type`);
  }
  const dispensingConsent = byTopic.get(CONSENT_TOPICS.dispensingView);
  if (!dispensingConsent) {
    add('required', 'V12', `a Consent for topic ${CONSENT_TOPICS.dispensingView} is required`, 'Bundle.entry');
  }
  const dmpConsent = byTopic.get(CONSENT_TOPICS.dmp);
  return { ...(dispensingConsent ? { dispensingConsent } : {}), ...(dmpConsent ? { dmpConsent } : {}) };
}

/** MessageHeader.author → a Practitioner or PractitionerRole, focus → requests (both optional). */
function checkHeaderLinks(message: MessageBundle, header: IndexedEntry<MessageHeader>, add: Add): void {
  const author = resolveEntry(message, header.resource.author?.reference);
  if (
    author &&
    author.resource.resourceType !== 'Practitioner' &&
    author.resource.resourceType !== 'PractitionerRole'
  ) {
    add(
      'value',
      'V2',
      'MessageHeader.author must reference the prescriber (Practitioner or PractitionerRole)',
      `${header.at}.author.reference`,
    );
  }
  (header.resource.focus ?? []).forEach((focus, k) => {
    const target = resolveEntry(message, focus.reference);
    const type = target?.resource.resourceType;
    if (target && type !== 'MedicationRequest' && type !== 'DeviceRequest' && type !== 'ServiceRequest') {
      add(
        'value',
        'V2',
        `MessageHeader.focus references the requests, not a ${type}`,
        `${header.at}.focus[${k}].reference`,
      );
    }
  });
}

/**
 * The locum link (vendors §2.2, §4.2): the prescriber may carry locum-for → the replaced
 * Practitioner; a second Practitioner is accepted only as that replaced one.
 */
export function checkLocum(
  message: MessageBundle,
  practitioners: IndexedEntry<Practitioner>[],
  prescriber: IndexedEntry<Practitioner>,
): { problems: Problem[]; replaced?: IndexedEntry<Practitioner> } {
  const problems: Problem[] = [];
  const add = collector(problems);
  const links = extensionsOf(prescriber.resource, EXTENSIONS.locumFor);
  links
    .slice(1)
    .forEach(({ index }) =>
      add(
        'structure',
        'V2',
        'a locum replaces one practitioner: one locum-for extension',
        `${prescriber.at}.extension[${index}]`,
      ),
    );
  let replaced: IndexedEntry<Practitioner> | undefined;
  const link = links[0];
  if (link) {
    const path = `${prescriber.at}.extension[${link.index}].valueReference`;
    replaced = resolveOfType(message, link.ext.valueReference?.reference, 'Practitioner');
    if (!replaced)
      add('value', 'V2', 'locum-for must reference the replaced Practitioner, an entry of the Bundle', path);
    else if (replaced === prescriber) add('value', 'V2', 'a locum cannot replace themself', path);
  }
  for (const other of practitioners) {
    if (other === prescriber || other === replaced) continue;
    add(
      'structure',
      'V2',
      'a second Practitioner is only accepted as the one the locum replaces (extension locum-for on the prescriber)',
      other.at,
    );
  }
  for (const other of practitioners) {
    if (other === prescriber) continue;
    for (const { index } of extensionsOf(other.resource, EXTENSIONS.locumFor)) {
      add(
        'structure',
        'V2',
        'locum-for belongs on the prescriber (the requester), not on the replaced practitioner',
        `${other.at}.extension[${index}]`,
      );
    }
  }
  return { problems, ...(replaced && replaced !== prescriber ? { replaced } : {}) };
}
