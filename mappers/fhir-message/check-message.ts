/**
 * All structural checks of a fhir-message payload (vendors §4 + V12), in order: envelope (and the
 * R4 JSON schema), then references/modifiers, participants, requests and the locum link. Returns
 * the resolved parts the mapping needs, or every problem found.
 */
import type { Consent, MessageHeader, Organization, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import type { Outcome } from '../../domain/problem';
import { ok, rejected } from '../../domain/problem';
import type { RequestResource } from '../../fhir/read-prescription';
import { MESSAGE_EVENTS } from '../../fhir/systems';
import type { IndexedEntry, MessageBundle } from './bundle-index';
import { checkEnvelope } from './check-envelope';
import { checkGraph } from './check-graph';
import { checkLocum, checkParticipants } from './check-participants';
import { checkRequests } from './check-requests';

export interface CheckedMessage {
  message: MessageBundle;
  header: IndexedEntry<MessageHeader>;
  patient: IndexedEntry<Patient>;
  organization: IndexedEntry<Organization>;
  prescriber: IndexedEntry<Practitioner>;
  prescriberRole?: IndexedEntry<PractitionerRole>;
  replaced?: IndexedEntry<Practitioner>;
  dispensingConsent: IndexedEntry<Consent>;
  dmpConsent?: IndexedEntry<Consent>;
  /** In Bundle order, which is the line order. */
  requests: IndexedEntry<RequestResource>[];
}

export function checkPrescriptionMessage(json: unknown): Outcome<CheckedMessage> {
  const envelope = checkEnvelope(json, MESSAGE_EVENTS.prescriptionCreate);
  if (!envelope.ok) return envelope;
  const message = envelope.value;

  const graphProblems = checkGraph(message);
  const { problems: participantProblems, participants } = checkParticipants(message);
  const { problems: requestProblems, findings } = checkRequests(message, participants.patient);
  const locum = findings.prescriber ? checkLocum(message, participants.practitioners, findings.prescriber) : undefined;
  const problems = [...graphProblems, ...participantProblems, ...requestProblems, ...(locum?.problems ?? [])];

  const { patient, organization, dispensingConsent, dmpConsent, header } = participants;
  const { prescriber, prescriberRole, requests } = findings;
  if (problems.length > 0 || !patient || !organization || !dispensingConsent || !prescriber) {
    // Every missing part has been reported by the check that looks for it.
    return rejected(problems);
  }
  return ok({
    message,
    header,
    patient,
    organization,
    prescriber,
    ...(prescriberRole ? { prescriberRole } : {}),
    ...(locum?.replaced ? { replaced: locum.replaced } : {}),
    dispensingConsent,
    ...(dmpConsent ? { dmpConsent } : {}),
    requests,
  });
}
