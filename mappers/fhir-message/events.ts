/**
 * The message events of the fhir-message format (vendors §4.1–4.2), as data: adding an event
 * (e.g. dispense-record) is adding a row here and a mapper for it, nothing else changes.
 * Also reads what the gateway's $process-message needs before mapping (event, ids for reliable messaging).
 */
import type { Outcome } from '../../domain/problem';
import { ok, rejected } from '../../domain/problem';
import { MESSAGE_EVENTS, MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { readJson } from '../shared/json-reader';

export interface MessageEventDefinition {
  /** Resource types a message of this event may carry; any other type is rejected (V2). */
  allowedResourceTypes: readonly string[];
}

const PRESCRIPTION_RESOURCE_TYPES = [
  'MessageHeader',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Consent',
  'MedicationRequest',
  'DeviceRequest',
  'ServiceRequest',
] as const;

/** dispense-record: what was dispensed or executed, by whom (README "Dispensing and execution"). */
const DISPENSE_RECORD_RESOURCE_TYPES = [
  'MessageHeader',
  'MedicationDispense',
  'SupplyDelivery',
  'Procedure',
  'Practitioner',
  'Organization',
] as const;

/** patient-consent: the patient's new choice on a stored prescription, one Consent (POST …/consent). */
const PATIENT_CONSENT_RESOURCE_TYPES = ['MessageHeader', 'Consent'] as const;

/** Events by code in MESSAGE_EVENT_SYSTEM. */
export const MESSAGE_EVENT_DEFINITIONS: Readonly<Record<string, MessageEventDefinition>> = {
  [MESSAGE_EVENTS.prescriptionCreate]: { allowedResourceTypes: PRESCRIPTION_RESOURCE_TYPES },
  [MESSAGE_EVENTS.dispenseRecord]: { allowedResourceTypes: DISPENSE_RECORD_RESOURCE_TYPES },
  [MESSAGE_EVENTS.patientConsent]: { allowedResourceTypes: PATIENT_CONSENT_RESOURCE_TYPES },
};

export const isSupportedEvent = (system: string | undefined, code: string | undefined): boolean =>
  system === MESSAGE_EVENT_SYSTEM && code !== undefined && Object.hasOwn(MESSAGE_EVENT_DEFINITIONS, code);

/** What reliable messaging needs from a message, read leniently (absent parts are undefined). */
export interface MessageInfo {
  /** Bundle.id: the sender's id of this message instance (FHIR messaging: replays carry the same id). */
  bundleId?: string;
  /** Bundle.identifier: the idempotency key of vendors §1. */
  identifier?: { system?: string; value?: string };
  messageHeaderId?: string;
  /** MessageHeader.eventCoding of the first entry. */
  event?: { system?: string; code?: string };
  /** True when the event is in MESSAGE_EVENT_DEFINITIONS. */
  supported: boolean;
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** MessageInfo of a parsed JSON value; never throws. */
export function messageInfoOf(json: unknown): MessageInfo {
  const bundle = asRecord(json);
  const identifier = asRecord(bundle?.identifier);
  const firstEntry = Array.isArray(bundle?.entry) ? asRecord(bundle.entry[0]) : undefined;
  const header = asRecord(firstEntry?.resource);
  const isHeader = header?.resourceType === 'MessageHeader';
  const eventCoding = isHeader ? asRecord(header.eventCoding) : undefined;
  const event = eventCoding ? { system: asString(eventCoding.system), code: asString(eventCoding.code) } : undefined;
  const info: MessageInfo = { supported: isSupportedEvent(event?.system, event?.code) };
  const bundleId = asString(bundle?.id);
  if (bundleId !== undefined) info.bundleId = bundleId;
  if (identifier) info.identifier = { system: asString(identifier.system), value: asString(identifier.value) };
  const headerId = isHeader ? asString(header.id) : undefined;
  if (headerId !== undefined) info.messageHeaderId = headerId;
  if (event) info.event = event;
  return info;
}

/** MessageInfo of a request body; `malformed` problems (V1) when it is not JSON. */
export function readMessageInfo(body: Uint8Array): Outcome<MessageInfo> {
  const parsed = readJson(body);
  return parsed.ok ? ok(messageInfoOf(parsed.value)) : rejected(parsed.problems);
}
