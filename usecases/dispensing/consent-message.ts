/**
 * $process-message, event `patient-consent`: the same as POST /prescriptions/{number}/consent,
 * carried in a FHIR message. The message Bundle holds the MessageHeader and one Consent whose
 * policyRule names the topic (consultation-delivrance or alimentation-dmp), provision.type says
 * the choice, and provision.data[].reference.identifier = {system urn:oid:1.2.250.1.215.500.1.1,
 * value <number>} names the prescription (as the stored Consents point at their RequestGroup).
 */
import type { Consent } from 'fhir/r4';
import { ProblemError, unwrap, type Problem } from '../../domain/problem';
import { readPatientChoice } from '../../fhir/dispensing/consent';
import { MESSAGE_EVENTS, PRESCRIPTION_NUMBER_SYSTEM } from '../../fhir/systems';
import { checkEnvelope } from '../../mappers/fhir-message/check-envelope';
import { readJson } from '../../mappers/shared/json-reader';
import type { MessageContext, MessageHandled } from '../messaging/message-context';
import { recordPatientChoice } from './consent';
import { normalizedNumber } from './lookup';

const invalid = (problem: Problem): ProblemError => new ProblemError('invalid', [problem]);

export async function patientConsent(body: Buffer, { deps, caller, log }: MessageContext): Promise<MessageHandled> {
  const json = unwrap(readJson(body));
  const envelope = unwrap(checkEnvelope(json, MESSAGE_EVENTS.patientConsent));
  const consents = envelope.entries.filter((e) => e.resource.resourceType === 'Consent');
  if (consents.length !== 1)
    throw invalid({
      code: 'structure',
      rule: 'D11',
      path: 'Bundle.entry',
      message: `a ${MESSAGE_EVENTS.patientConsent} message carries exactly one Consent, not ${consents.length}`,
    });
  const { resource, at } = consents[0]! as { resource: Consent; at: string };
  const data = resource.provision?.data ?? [];
  const index = data.findIndex((d) => d.reference?.identifier?.system === PRESCRIPTION_NUMBER_SYSTEM);
  const raw = data[index]?.reference?.identifier?.value;
  if (raw === undefined)
    throw invalid({
      code: 'required',
      rule: 'D11',
      path: `${at}.provision.data`,
      message: `the Consent names its prescription: provision.data.reference.identifier {system ${PRESCRIPTION_NUMBER_SYSTEM}, value <number>}`,
    });
  const number = normalizedNumber(raw, `${at}.provision.data[${index}].reference.identifier.value`);
  const choice = readPatientChoice(resource);
  if (!choice.ok)
    throw new ProblemError(
      'invalid',
      choice.problems.map((p) => (p.path ? { ...p, path: p.path.replace(/^Consent/, at) } : p)),
    );
  caller.noteAccess({ number });
  const stored = await recordPatientChoice(deps, caller, number, choice.value);
  log.info({ number, topic: choice.value.topic, objects: choice.value.objects }, 'patient choice recorded (message)');
  return { focus: [stored] };
}
