/**
 * The MessageDefinitions of the events $process-message accepts, written from the mapper's event
 * table (mappers/fhir-message/events.ts) so that what is announced is what is accepted. Served at
 * /fhir/MessageDefinition (gateway/routes/conformance.ts); the CapabilityStatement points at them.
 */
import type { MessageDefinition } from 'fhir/r4';
import {
  MESSAGE_DEFINITION_BASE,
  MESSAGE_EVENT_SYSTEM,
  MESSAGE_EVENTS,
  REPLACEMENT_EXTENSIONS,
} from '../../fhir/systems';
import { MESSAGE_EVENT_DEFINITIONS } from '../../mappers/fhir-message';

/** What each event is, for people (the resource types come from the event table). */
const DESCRIPTIONS: Readonly<Record<string, { title: string; description: string; focus: string }>> = {
  [MESSAGE_EVENTS.prescriptionCreate]: {
    title: 'Prescription create',
    description:
      'A prescriber software sends a new prescription (the resources of the vendor contract, fhir-message format); ' +
      'the response focuses on the stored RequestGroup, whose groupIdentifier is the prescription number to print. ' +
      'To replace (correct) a prescription nothing of which was dispensed, the MessageHeader carries the extension ' +
      `${REPLACEMENT_EXTENSIONS.replaces} whose valueReference.identifier names the replaced prescription ` +
      '({system urn:oid:1.2.250.1.215.500.1.1, value: its number}): the new RequestGroup then `replaces` the old one, ' +
      'which is deactivated (README "Replacing a prescription").',
    focus: 'RequestGroup',
  },
  [MESSAGE_EVENTS.dispenseRecord]: {
    title: 'Dispense record',
    description:
      'A pharmacy or another professional records what was dispensed or executed (MedicationDispense, ' +
      'SupplyDelivery, Procedure) for one prescription number — a line not delivered (declined / not-done with ' +
      'its reason), a dosage adapted with the prescriber agreement, or the correction of a stored record (sent back ' +
      'with status entered-in-error) included; the response focuses on the dispensing summary and the records as stored.',
    focus: 'MedicationDispense',
  },
  [MESSAGE_EVENTS.patientConsent]: {
    title: 'Patient consent',
    description:
      'The patient’s new choice on a stored prescription, as POST /prescriptions/{number}/consent: one Consent ' +
      '(policyRule topic consultation-delivrance or alimentation-dmp, provision.type deny or permit — deny only ' +
      'for alimentation-dmp) naming the prescription in provision.data.reference.identifier {system ' +
      'urn:oid:1.2.250.1.215.500.1.1, value <number>}. An objection to the DMP feed withdraws the published ' +
      'documents. The response focuses on the stored Consent.',
    focus: 'Consent',
  },
};

export const messageDefinitionUrl = (event: string): string => `${MESSAGE_DEFINITION_BASE}${event}`;

export function messageDefinitions(date: string): MessageDefinition[] {
  return Object.keys(MESSAGE_EVENT_DEFINITIONS).map((event) => {
    const about = DESCRIPTIONS[event];
    return {
      resourceType: 'MessageDefinition',
      id: event,
      url: messageDefinitionUrl(event),
      name: event.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
      ...(about ? { title: about.title, description: about.description } : {}),
      status: 'active',
      date,
      publisher: 'ordo-gateway',
      eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: event },
      category: 'consequence',
      ...(about ? { focus: [{ code: about.focus as never, min: 1 }] } : {}),
      responseRequired: 'always',
    };
  });
}
