/**
 * The I/O half of intake: store a checked prescription in one FHIR transaction, idempotently.
 *
 * - The same vendor message sent again (same key, same bytes) returns the first result and
 *   creates nothing; the same key with other content is a 409.
 * - Several gateway processes may receive the same message at once: every entry of the
 *   transaction is a conditional create and the store holds a unique index on the message key
 *   and on the number, so exactly one transaction wins; the others find the winner and answer
 *   as a replay.
 * - A vendor-supplied number must not belong to another prescription (409).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { generatePrescriptionNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { FhirServerError, type FhirClient } from '../../fhir/client';
import { idsFromTransactionResponse, parseLocation } from '../../fhir/build-transaction';
import { EXTENSIONS } from '../../fhir/systems';
import { HttpProblem } from '../http-problem';
import { findHeaderByMessageKey, findHeaderByNumber, numberOf } from '../prescriptions/repository';
import { buildTransaction, type CheckedPayload } from './prepare';

export interface IntakeDeps {
  fhir: FhirClient;
  now: () => Date;
  numberIssuer: number;
  newUuid?: () => string;
}

export interface RequestIds {
  MedicationRequest: string[];
  DeviceRequest: string[];
  ServiceRequest: string[];
}

export interface IntakeResult {
  /** false when the message had already been accepted (idempotent replay). */
  created: boolean;
  number: string;
  status: string;
  requestGroupId: string;
  resources: RequestIds;
  /** Whether the patient let the prescription feed the DMP (decides the publish job). */
  dmpAllowed: boolean;
}

const payloadHashOf = (header: RequestGroup): string | undefined =>
  header.extension?.find((e) => e.url === EXTENSIONS.payloadSha256)?.valueString;

function conflictingContent(messageKey: string): HttpProblem {
  const id = messageKey.slice(messageKey.indexOf(':') + 1);
  return HttpProblem.of(409, 'conflict', `message id ${id} was already used for a prescription with different content; send a new message id`);
}

/** The answer for an already stored prescription, from its header alone. */
function resultFromHeader(header: RequestGroup, dmpAllowed: boolean): IntakeResult {
  const resources: RequestIds = { MedicationRequest: [], DeviceRequest: [], ServiceRequest: [] };
  for (const action of header.action ?? []) {
    const target = action.resource?.reference ? parseLocation(action.resource.reference) : undefined;
    if (target && target.resourceType in resources) resources[target.resourceType as keyof RequestIds].push(target.id);
  }
  return { created: false, number: numberOf(header) ?? '', status: header.status, requestGroupId: header.id ?? '', resources, dmpAllowed };
}

function replayOf(header: RequestGroup, checked: CheckedPayload): IntakeResult {
  if (payloadHashOf(header) !== checked.payloadSha256) throw conflictingContent(checked.messageKey);
  return resultFromHeader(header, !checked.prescription.consent.dmpOptOut);
}

async function chooseNumber(deps: IntakeDeps, checked: CheckedPayload): Promise<string> {
  const sent = checked.prescription.number;
  if (sent === undefined) {
    return generatePrescriptionNumber({ issuedOn: deps.now(), issuer: deps.numberIssuer, random: randomBytes(8) });
  }
  const number = normalizePrescriptionNumber(sent);
  if (await findHeaderByNumber(deps.fhir, number)) {
    throw HttpProblem.of(409, 'duplicate', `prescription number ${number} already belongs to another prescription`);
  }
  return number;
}

/** Index of the RequestGroup entry in our transaction (fixed by the builder, looked up to stay robust). */
const headerEntryIndex = (tx: Bundle<FhirResource>): number => (tx.entry ?? []).findIndex((e) => e.resource?.resourceType === 'RequestGroup');

/**
 * A concurrent copy of the same message can win the race between our pre-check and our
 * transaction. Then our conditional creates matched its resources (HTTP 200 entries), and
 * anything we created beyond them (201 entries: more lines in a different payload) is undone.
 */
async function settleLostRace(deps: IntakeDeps, tx: Bundle<FhirResource>, response: Bundle, checked: CheckedPayload): Promise<IntakeResult> {
  const header = await findHeaderByMessageKey(deps.fhir, checked.messageKey);
  if (!header) throw new Error('transaction matched a prescription header that cannot be found');
  if (payloadHashOf(header) === checked.payloadSha256) return resultFromHeader(header, !checked.prescription.consent.dmpOptOut);
  const createdByUs = (response.entry ?? [])
    .map((e, i) => ({ status: e.response?.status ?? '', location: e.response?.location, type: tx.entry?.[i]?.resource?.resourceType }))
    .filter((e) => e.status.startsWith('201') && e.type !== 'Patient' && e.type !== 'Practitioner' && e.type !== 'Organization');
  for (const entry of createdByUs.reverse()) {
    const target = entry.location ? parseLocation(entry.location) : undefined;
    if (target) await deps.fhir.delete(target.resourceType, target.id).catch(() => undefined);
  }
  throw conflictingContent(checked.messageKey);
}

export async function storePrescription(deps: IntakeDeps, checked: CheckedPayload): Promise<IntakeResult> {
  const existing = await findHeaderByMessageKey(deps.fhir, checked.messageKey);
  if (existing) return replayOf(existing, checked);

  const number = await chooseNumber(deps, checked);
  const built = buildTransaction(checked, number, deps.newUuid ?? randomUUID);
  if (!built.ok) throw new HttpProblem(built.status, built.problems);
  const tx = built.value;

  let response: Bundle;
  try {
    response = await deps.fhir.transaction(tx, { idempotent: true });
  } catch (err) {
    if (!(err instanceof FhirServerError) || !err.isConflict) throw err;
    // Another process stored this message (or this number) a moment ago.
    const winner = await findHeaderByMessageKey(deps.fhir, checked.messageKey);
    if (winner) return replayOf(winner, checked);
    if (checked.prescription.number !== undefined) {
      throw HttpProblem.of(409, 'duplicate', `prescription number ${number} already belongs to another prescription`);
    }
    throw err;
  }

  const headerStatus = response.entry?.[headerEntryIndex(tx)]?.response?.status ?? '';
  if (headerStatus.startsWith('200')) return settleLostRace(deps, tx, response, checked);

  const ids = idsFromTransactionResponse(tx, response);
  return {
    created: true,
    number,
    status: 'active',
    requestGroupId: ids.RequestGroup,
    resources: { MedicationRequest: ids.MedicationRequest, DeviceRequest: ids.DeviceRequest, ServiceRequest: ids.ServiceRequest },
    dmpAllowed: !checked.prescription.consent.dmpOptOut,
  };
}
