/**
 * Every FHIR system, extension and profile URI the gateway writes or reads, as named constants.
 * Sources: docs/vendor-formats.md §2/§4 (vendor contract) and docs/domain-digest.md §3 (French systems).
 * Import from here rather than spelling a URI inline, so that a change is made once.
 */
import { INS_OIDS } from '../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../domain/prescription-number';
import { CANONICAL_BASE, RULES_CODE_SYSTEM } from '../domain/rule-codes';

export { PRESCRIPTION_NUMBER_SYSTEM };

/** `urn:oid:` + an OID, the FHIR way to name an OID-based system. */
/**
 * The one canonical base of every conformance resource the gateway defines (StructureDefinitions,
 * MessageDefinitions, CodeSystems, OperationDefinitions): each is served, without a token, at
 * `<gateway>/fhir/<Type>/<id>` (gateway/routes/conformance.ts). A canonical URL is an identity
 * stamped in stored data (meta.profile, extension urls), so it is a constant, not a per-deployment
 * setting. The `urn:example:eprescription:` URIs are the vendor contract's, kept as vendors send them;
 * the `urn:ordo-gateway:` ones are identifier systems (identities, not resources to resolve).
 * Defined in domain/rule-codes.ts, whose rules CodeSystem every OperationOutcome issue names.
 */
export { CANONICAL_BASE, RULES_CODE_SYSTEM };
export const PROFILE_BASE = `${CANONICAL_BASE}/StructureDefinition/`;
export const MESSAGE_DEFINITION_BASE = `${CANONICAL_BASE}/MessageDefinition/`;
export const OPERATION_DEFINITION_BASE = `${CANONICAL_BASE}/OperationDefinition/`;

export const oidSystem = (oid: string): string => `urn:oid:${oid}`;
/** The OID of an `urn:oid:` system, or undefined for any other URI. */
export const oidOf = (system: string | undefined): string | undefined =>
  system?.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : undefined;

// ---- Identifiers of people and organisations (digest §3.1–3.3) ----

export const INS_SYSTEMS = {
  nir: oidSystem(INS_OIDS.nir),
  nia: oidSystem(INS_OIDS.nia),
  nirTest: oidSystem(INS_OIDS.nirTest),
  nirDemo: oidSystem(INS_OIDS.nirDemo),
} as const;
export const INS_SYSTEM_VALUES: readonly string[] = Object.values(INS_SYSTEMS);
export const RPPS_SYSTEM = 'https://rpps.esante.gouv.fr';
/** idNatPs: "8" + RPPS for practitioners identified by their RPPS. */
export const IDNATPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';
/** FR Core has no slice for the Assurance Maladie number of a practice (digest §3.3). */
export const AM_NUMBER_SYSTEM = 'urn:example:eprescription:numero-am';
/** NOS TRE_G15 "ProfessionSante" (FR Core's Practitioner.qualification profession): the prescriber's profession. */
export const TRE_G15_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
/** NOS TRE_R38 "SpecialiteOrdinale": the prescriber's specialty, from the access token (domain/specialties.ts). */
export const TRE_R38_SYSTEM =
  'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
/** NOS TRE_R02 "SecteurActivite" (domain/facility-types.ts): Organization.type, what the structure is. */
export const TRE_R02_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite';

// ---- Product and act code systems (vendors §2.4, §4.3) ----

export const CIS_SYSTEM = 'urn:oid:1.2.250.1.213.2.3.1';
export const CIP13_SYSTEM = 'urn:oid:1.2.250.1.213.2.3.2';
export const LPP_SYSTEM = 'urn:oid:1.2.250.1.215.200.2.1';
export const NABM_SYSTEM = 'urn:example:eprescription:nabm';
export const NGAP_SYSTEM = 'urn:example:eprescription:ngap';
export const ACT_TYPE_SYSTEM = 'urn:example:eprescription:act-type';
export const DEVICE_PARAMETER_SYSTEM = 'urn:example:eprescription:device-parameter';
export const DEVICE_QUANTITY_CODE = 'quantity';
export const NON_SUBSTITUTION_REASON_SYSTEM = 'urn:example:eprescription:non-substitution-reason';
export const SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM =
  'http://terminology.hl7.org/CodeSystem/v3-substanceAdminSubstitution';
export const ROLE_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
/** v3-RoleCode for "patient's residence": the act is done at home. */
export const AT_HOME_ROLE_CODE = 'PTRES';
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

// ---- Prescription context (vendors §4.4, TA_ASIP) ----

export const TA_ASIP_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.322';
export const CONTEXT_CODES = {
  ald: 'MED-574',
  workAccident: 'GEN-180',
  prevention: 'GEN-295',
  nonReimbursable: 'GEN-181',
  offLabel: 'GEN-179',
} as const;
export const CONTEXT_DISPLAYS: Readonly<Record<string, string>> = {
  'MED-574': 'En rapport avec une ALD',
  'GEN-180': 'Accident du travail ou maladie professionnelle',
  'GEN-295': 'Prévention',
  'GEN-181': 'Non remboursable',
  'GEN-179': 'Hors AMM',
};

// ---- Consent (vendors §4.2) ----

export const CONSENT_TOPIC_SYSTEM = 'urn:example:eprescription:consent-topic';
export const CONSENT_TOPICS = {
  dispensingView: 'consultation-delivrance',
  dmp: 'alimentation-dmp',
} as const;
export type ConsentTopic = (typeof CONSENT_TOPICS)[keyof typeof CONSENT_TOPICS];
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const CONSENT_SCOPE_CODE = 'patient-privacy';
export const LOINC_SYSTEM = 'http://loinc.org';
/** LOINC "Patient consent". */
export const CONSENT_CATEGORY_LOINC = '59284-0';

// ---- Messaging (vendors §4.1) ----

export const MESSAGE_EVENT_SYSTEM = 'urn:example:eprescription:events';
export const MESSAGE_EVENTS = {
  prescriptionCreate: 'prescription-create',
  dispenseRecord: 'dispense-record',
  patientConsent: 'patient-consent',
} as const;

// ---- Extensions (vendors §2.2, §4.4, and the gateway's own) ----

export const EXTENSIONS = {
  prescriptionContext: 'urn:example:eprescription:extension:prescription-context',
  workAccidentDate: 'urn:example:eprescription:extension:work-accident-date',
  offLabel: 'urn:example:eprescription:extension:off-label',
  locumFor: 'urn:example:eprescription:extension:locum-for',
  /**
   * RequestGroup → the prescriber's Organization. RequestGroup has no element for it (author is the
   * Practitioner) and the Practitioner is shared across practices, so the link lives on the prescription.
   */
  prescriberOrganization: `${PROFILE_BASE}ordo-ext-prescriber-organization`,
  /** Exporting software (provenance only): complex extension with `name` and `version` (valueString). */
  sourceSoftware: `${PROFILE_BASE}ordo-ext-source-software`,
  /**
   * RequestGroup: the signer's profession (valueCoding TRE_G15), from the access token. Per prescription, as
   * the prescriber organization: the shared Practitioner may have been stored before its profession was known.
   */
  prescriberProfession: `${PROFILE_BASE}ordo-ext-prescriber-profession`,
  /** RequestGroup: the signer's specialty (valueCoding TRE_R38), from the access token, when it names one. */
  prescriberSpecialty: `${PROFILE_BASE}ordo-ext-prescriber-specialty`,
  /** RequestGroup: what the prescriber's structure is (valueCoding TRE_R02), as the vendor said it. */
  facilityType: `${PROFILE_BASE}ordo-ext-facility-type`,
} as const;

// ---- The gateway's own identifier systems (idempotent conditional creates) ----

/** RequestGroup.identifier: "<format>:<messageId>". */
export const MESSAGE_ID_SYSTEM = 'urn:ordo-gateway:message-id';
/**
 * RequestGroup.identifier: "<format>:<messageId>#<payload sha-256>". The transaction's conditional
 * create matches on it, so only the very same message is a replay; the same message id with
 * other content collides with the unique index on MESSAGE_ID_SYSTEM and the transaction fails whole.
 */
export const MESSAGE_CONTENT_SYSTEM = 'urn:ordo-gateway:message-content';
/** Request identifier: "<format>:<messageId>:<line number from 1>". */
export const MESSAGE_LINE_SYSTEM = 'urn:ordo-gateway:message-line';
/** Consent identifier: "<format>:<messageId>:<topic>". */
/**
 * The transactional outbox (usecases/outbox/outbox-task.ts): a Task of this code holds the jobs a
 * write owes the queues; its identifier makes the outbox entry of a replayed write the same one.
 */
export const OUTBOX_SYSTEM = 'urn:ordo-gateway:outbox';
export const OUTBOX_TASK_CODE = 'pending-jobs';
export const MESSAGE_CONSENT_SYSTEM = 'urn:ordo-gateway:message-consent';

// ---- Our profiles (profiles/structure-definitions) ----
export const PROFILES = {
  medicationRequest: `${PROFILE_BASE}ordo-medicationrequest`,
  deviceRequest: `${PROFILE_BASE}ordo-devicerequest`,
  serviceRequest: `${PROFILE_BASE}ordo-servicerequest`,
  requestGroup: `${PROFILE_BASE}ordo-requestgroup`,
  patient: `${PROFILE_BASE}ordo-patient`,
  practitioner: `${PROFILE_BASE}ordo-practitioner`,
  organization: `${PROFILE_BASE}ordo-organization`,
  consent: `${PROFILE_BASE}ordo-consent`,
} as const;

// ---- Dispensing and execution (README "Dispensing and execution") ----

/**
 * The gateway's extensions on dispensing/execution records and on the stored requests. Kept apart
 * from EXTENSIONS, which lists what a stored prescription carries at intake.
 */
export const EXECUTION_EXTENSIONS = {
  /**
   * Record (MedicationDispense, SupplyDelivery, Procedure) → the prescription: valueReference with
   * `identifier` = the prescription number (what a sender writes) and, once stored, `reference` =
   * RequestGroup/<id>, searchable as `<Type>?ordo-prescription=RequestGroup/<id>`.
   */
  prescription: `${PROFILE_BASE}ordo-ext-prescription`,
  /** SupplyDelivery → the DeviceRequest it fulfils (R4 SupplyDelivery.basedOn only targets SupplyRequest). */
  fulfils: `${PROFILE_BASE}ordo-ext-fulfils`,
  /**
   * On a stored request: how much of the line was dispensed or executed so far (valueInteger: boxes, devices,
   * sessions).
   */
  executedQuantity: `${PROFILE_BASE}ordo-ext-executed-quantity`,
  /**
   * On the stored RequestGroup: incremented by every change of the execution state (dispense,
   * execution, cancellation). Every such change updates the header with If-Match on the version
   * read, so that concurrent changes of one prescription are serialised by HAPI's versioning.
   */
  executionRevision: `${PROFILE_BASE}ordo-ext-execution-revision`,
  /**
   * On a MedicationDispense whose dosageInstruction differs from the prescribed one: the prescriber's
   * agreement (sub-extensions `prescriber` valueIdentifier RPPS, `agreedOn` valueDateTime).
   */
  dosageAgreement: `${PROFILE_BASE}ordo-ext-dosage-agreement`,
} as const;

/** HL7 v3 ActCode: the fill codes used for MedicationDispense.type (completeness of the dispensation). */
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** HL7 v3 ActReason: substitution reasons (CT, FP, OS, RR). */
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** NOS TRE_G15 ProfessionSante (the codes of PSC's codeProfession). */
export const PROFESSION_G15_SYSTEM =
  'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
/** The gateway's profession codes (domain/professions.ts), e.g. for a biologist whom TRE_G15 does not name. */
export const GATEWAY_PROFESSION_SYSTEM = 'urn:ordo-gateway:profession';

// ---- Replacement (README "Replacing a prescription") ----

export const REPLACEMENT_EXTENSIONS = {
  /**
   * On a replaced RequestGroup: the prescription that replaces it (valueReference: `reference`
   * RequestGroup/<id>, `identifier` = its number). The new one's standard `RequestGroup.replaces`
   * points back; this extension spares every lookup of the old number a search for it.
   */
  replacedBy: `${PROFILE_BASE}ordo-ext-replaced-by`,
  /**
   * On the MessageHeader of a prescription-create message: the prescription this message replaces
   * (valueReference.identifier = {PRESCRIPTION_NUMBER_SYSTEM, number}), like a RequestGroup.replaces
   * by identifier (the message carries the requests, not their RequestGroup).
   */
  replaces: `${PROFILE_BASE}ordo-ext-replaces`,
} as const;

/** The audit trail's own systems: written by usecases/audit/build-audit-event.ts, read by the console. */
export const AUDIT_EVENT_NAME_SYSTEM = 'urn:ordo-gateway:audit-event';
export const GATEWAY_ROLE_SYSTEM = 'urn:ordo-gateway:role';
/** Identifier system of an operator of the `ordo-admin` command, by the name they act under. */
export const OPERATOR_SYSTEM = 'urn:ordo-gateway:operator';
/** AuditEvent.entity.detail type carrying the request id. */
export const REQUEST_ID_DETAIL = 'x-request-id';
/**
 * AuditEvent.entity.detail types on the prescription's entity (fhir/audit-details.ts): the software
 * that sent a created prescription, and each line a dispense or execution recorded with how much.
 */
export const SOURCE_SOFTWARE_DETAIL = 'source-software';
export const EXECUTED_LINE_DETAIL = 'executed-line';
