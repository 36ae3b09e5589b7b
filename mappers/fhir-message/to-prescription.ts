/**
 * A checked fhir-message → canonical Prescription + SourceMap (canonical JSON pointer → FHIRPath
 * such as `Bundle.entry[6].resource.medicationCodeableConcept.coding[0].code`). The FHIR reading
 * itself is fhir/read-prescription's; this file only adds what is specific to a message: the
 * idempotency key, the number and priority spread over the requests, the locum on the prescriber,
 * the specialty possibly on a PractitionerRole, the software in MessageHeader.source.
 */
import { PRIORITIES, type Prescription, type PrescriptionLine, type SourceMap } from '../../domain/prescription';
import type { Problem } from '../../domain/problem';
import type { MessageHeader } from 'fhir/r4';
import {
  isWellFormedNumber,
  normalizePrescriptionNumber,
  PRESCRIPTION_NUMBER_SYSTEM,
} from '../../domain/prescription-number';
import { REPLACEMENT_EXTENSIONS } from '../../fhir/systems';
import {
  practitionerIdentity,
  readConsentChoices,
  readContext,
  readLine,
  readOrganization,
  readPatient,
  readPractitioner,
  type FhirFieldPaths,
} from '../../fhir/read-prescription';
import type { MapResult } from '../mapper';
import type { CheckedMessage } from './check-message';
import { numberOf } from './check-requests';
import { lazySourceMap } from './lazy-source-map';

export function toPrescription(checked: CheckedMessage): MapResult {
  const { message, header, patient, organization, prescriber, prescriberRole, replaced, requests } = checked;
  // [canonical base, paths] sections, turned into the SourceMap only if someone reads it.
  const sections: Array<[string, () => FhirFieldPaths]> = [];
  const record = (canonicalBase: string, paths: () => FhirFieldPaths): void => {
    sections.push([canonicalBase, paths]);
  };

  const first = requests[0]!;
  const withNumber = requests.find((r) => numberOf(r.resource));
  const sentNumber = withNumber ? numberOf(withNumber.resource) : undefined;
  const mostUrgent = requests.reduce(
    (best, r) => (rank(r.resource.priority) > rank(best.resource.priority) ? r : best),
    first,
  );
  record('', () => [
    ['', 'Bundle'],
    ['/messageId', 'Bundle.identifier.value'],
    ['/sourceFormat', 'Bundle'],
    [
      '/number',
      withNumber && sentNumber ? `${withNumber.at}.${sentNumber.element}.value` : `${first.at}.groupIdentifier`,
    ],
    ['/authoredOn', `${first.at}.authoredOn`],
    ['/priority', `${mostUrgent.at}.priority`],
    ['/lines', 'Bundle.entry'],
    ['/software', `${header.at}.source`],
    ['/sentAt', 'Bundle.timestamp'],
  ]);

  const prescriberRead = readPractitioner(prescriber.resource, prescriber.at);
  record('/prescriber', prescriberRead.paths);
  const roleSpecialty = prescriberRole?.resource.specialty?.[0]?.text;
  if (prescriberRead.value.specialty === undefined && roleSpecialty !== undefined && prescriberRole) {
    prescriberRead.value.specialty = roleSpecialty;
    const roleAt = prescriberRole.at;
    record('/prescriber', () => [['/specialty', `${roleAt}.specialty[0].text`]]);
  }
  const replacedRead = replaced ? readPractitioner(replaced.resource, replaced.at) : undefined;
  if (replacedRead) record('/replacedPrescriber', replacedRead.paths);
  const organizationRead = readOrganization(organization.resource, organization.at);
  record('/organization', organizationRead.paths);
  const patientRead = readPatient(patient.resource, patient.at);
  record('/patient', patientRead.paths);
  const consentRead = readConsentChoices(checked.dispensingConsent, checked.dmpConsent);
  record('/consent', consentRead.paths);
  const contextRead = readContext(requests);
  record('/context', contextRead.paths);

  const lines: PrescriptionLine[] = [];
  const problems: Problem[] = [];
  requests.forEach((request, i) => {
    const line = readLine(request.resource, request.at, contextRead.value.ald);
    if (!line) {
      problems.push({
        code: 'structure',
        rule: 'V2',
        message: 'this request cannot be read as a prescription line',
        path: request.at,
      });
      return;
    }
    lines.push(line.value);
    record(`/lines/${i}`, line.paths);
  });
  const replacement = replacedNumberOf(header.resource, header.at);
  if (replacement?.problem) problems.push(replacement.problem);
  if (replacement?.number !== undefined) record('', () => [['/replaces', replacement.at]]);
  if (problems.length > 0) return { ok: false, kind: 'invalid', problems };

  const source = header.resource.source;
  const softwareName = source?.software ?? source?.name;
  const prescription: Prescription = {
    // checkEnvelope and checkRequests guarantee the identifier and the authoredOn.
    messageId: message.bundle.identifier!.value!,
    sourceFormat: 'fhir-message',
    ...(sentNumber ? { number: normalizePrescriptionNumber(sentNumber.value) } : {}),
    ...(replacement?.number !== undefined ? { replaces: replacement.number } : {}),
    authoredOn: first.resource.authoredOn!,
    priority: PRIORITIES[rank(mostUrgent.resource.priority)]!,
    prescriber: prescriberRead.value,
    ...(replacedRead ? { replacedPrescriber: practitionerIdentity(replacedRead.value) } : {}),
    organization: organizationRead.value,
    patient: patientRead.value,
    consent: consentRead.value,
    context: contextRead.value,
    lines,
    ...(softwareName !== undefined || source?.version !== undefined
      ? {
          software: {
            ...(softwareName !== undefined ? { name: softwareName } : {}),
            ...(source?.version !== undefined ? { version: source.version } : {}),
          },
        }
      : {}),
  };
  const sourceMap = lazySourceMap(() => {
    const map: SourceMap = {};
    for (const [base, paths] of sections) for (const [canonical, fhirPath] of paths()) map[base + canonical] = fhirPath;
    return map;
  });
  // checkEnvelope guarantees the timestamp.
  return { ok: true, value: { prescription, sourceMap, sentAt: message.bundle.timestamp! } };
}

/**
 * The prescription this message replaces: MessageHeader extension ordo-ext-replaces, whose
 * valueReference names it by number as RequestGroup.replaces would (README "Replacing a prescription").
 */
function replacedNumberOf(
  header: MessageHeader,
  at: string,
): { number?: string; at: string; problem?: Problem } | undefined {
  const index = (header.extension ?? []).findIndex((e) => e.url === REPLACEMENT_EXTENSIONS.replaces);
  if (index < 0) return undefined;
  const identifier = header.extension![index]!.valueReference?.identifier;
  const valueAt = `${at}.extension[${index}].valueReference.identifier`;
  const number = identifier?.value !== undefined ? normalizePrescriptionNumber(identifier.value) : undefined;
  if (identifier?.system !== PRESCRIPTION_NUMBER_SYSTEM || number === undefined || !isWellFormedNumber(number)) {
    return {
      at: valueAt,
      problem: {
        code: 'value',
        rule: 'D17',
        path: valueAt,
        message: `the replaced prescription is named by valueReference.identifier {system ${PRESCRIPTION_NUMBER_SYSTEM}, value: its number}`,
      },
    };
  }
  return { number, at: `${valueAt}.value` };
}

/** Index in PRIORITIES; an absent priority is routine. */
const rank = (priority: string | undefined): number =>
  Math.max(0, PRIORITIES.indexOf((priority ?? 'routine') as Prescription['priority']));
