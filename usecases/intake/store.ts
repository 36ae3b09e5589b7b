/**
 * The I/O half of intake: store a checked prescription in one FHIR transaction, idempotently.
 *
 * The happy path is that one transaction and nothing else, with no search in it but the
 * conditional creates of the identities the cache does not know yet. The store does the rest:
 * - Unique indexes on the header's message id and number (profiles/search-parameters) make a
 *   transaction fail whole when the same message comes again (the very same content: a replay,
 *   answered from the stored header; other content: 409), when a vendor-supplied number belongs to
 *   another prescription, or when a copy of the same message won a race from another gateway
 *   process. The conflict is then explained by one lookup. A resent message costs a refused
 *   transaction and that lookup; a new one, which is nearly every message, costs no search.
 * - The previous path (conditionalMessageEntries, INTAKE_CONDITIONAL_CREATES=on) makes every entry
 *   a conditional create instead, so that a replay matches everything and writes nothing: a search
 *   per entry on every message, kept to measure against (bench/intake).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { generatePrescriptionNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { messageContentKey } from '../../fhir/build-transaction';
import { idsFromTransactionResponse, parseLocation } from '../../fhir/transaction-response';
import { prescriptionNumberOf } from '../../fhir/read-prescription';
import { MESSAGE_CONTENT_SYSTEM } from '../../fhir/systems';
import { findHeaderByMessageKey, findHeaderByNumber } from '../prescriptions/repository';
import type { FhirStore, IdentityCache } from '../ports';
import { referenceKnownIdentities, rememberIdentities } from './known-identities';
import { buildTransaction, type CheckedPayload } from './prepare';
import { isConflict, ProblemError } from '../../domain/problem';
import { outboxEntry, type OutboxJob } from '../outbox/outbox-task';

export interface IntakeDeps {
  fhir: FhirStore;
  now: () => Date;
  numberIssuer: number;
  newUuid?: () => string;
  /** The Patient, Practitioner and Organization already stored, referenced instead of created conditionally. */
  identityCache?: IdentityCache;
  /** The previous path: the header, Consents, lines and outbox Task created conditionally (a search each). */
  conditionalMessageEntries?: boolean;
}

/** The jobs a new prescription owes the queues, for the number it is stored under (usecases/outbox). */
export type IntakeOutbox = (number: string) => OutboxJob[];

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

/**
 * Whether the stored header was made from this very payload: its message-content identifier is the message
 * key + payload hash.
 */
const madeFrom = (header: RequestGroup, checked: CheckedPayload): boolean =>
  (header.identifier ?? []).some((i) => i.system === MESSAGE_CONTENT_SYSTEM && i.value === messageContentKey(checked));

/** A vendor-supplied number that already belongs to another prescription. */
export class NumberTakenError extends ProblemError {
  constructor(number: string) {
    super('conflict', [
      {
        code: 'duplicate',
        rule: 'N2',
        message: `prescription number ${number} already belongs to another prescription`,
      },
    ]);
    this.name = 'NumberTakenError';
  }
}

function conflictingContent(messageId: string): ProblemError {
  return new ProblemError('conflict', [
    {
      code: 'conflict',
      rule: 'M1',
      message: `message id ${messageId} was already used for a prescription with different content; send a new message id`,
    },
  ]);
}

/** The answer for an already stored prescription, from its header alone. */
function resultFromHeader(header: RequestGroup, dmpAllowed: boolean): IntakeResult {
  const resources: RequestIds = { MedicationRequest: [], DeviceRequest: [], ServiceRequest: [] };
  for (const action of header.action ?? []) {
    const target = action.resource?.reference ? parseLocation(action.resource.reference) : undefined;
    if (target && target.resourceType in resources) resources[target.resourceType as keyof RequestIds].push(target.id);
  }
  return {
    created: false,
    number: prescriptionNumberOf(header) ?? '',
    status: header.status,
    requestGroupId: header.id ?? '',
    resources,
    dmpAllowed,
  };
}

/** The answer to a prescription just stored, from the ids the transaction-response gives. */
export function createdResult(
  ids: ReturnType<typeof idsFromTransactionResponse>,
  number: string,
  checked: CheckedPayload,
): IntakeResult {
  return {
    created: true,
    number,
    status: 'active',
    requestGroupId: ids.RequestGroup,
    resources: {
      MedicationRequest: ids.MedicationRequest,
      DeviceRequest: ids.DeviceRequest,
      ServiceRequest: ids.ServiceRequest,
    },
    dmpAllowed: !checked.prescription.consent.dmpOptOut,
  };
}

/** The answer to a message already accepted; a conflict when the stored one was made from other content. */
export function replayOf(header: RequestGroup, checked: CheckedPayload): IntakeResult {
  if (!madeFrom(header, checked)) throw conflictingContent(checked.prescription.messageId);
  return resultFromHeader(header, !checked.prescription.consent.dmpOptOut);
}

/** The vendor's number, else a new one. */
export function numberFor(deps: IntakeDeps, checked: CheckedPayload): string {
  const sent = checked.prescription.number;
  return sent !== undefined
    ? normalizePrescriptionNumber(sent)
    : generatePrescriptionNumber({ issuedOn: deps.now(), issuer: deps.numberIssuer, random: randomBytes(8) });
}

/** Index of the RequestGroup entry in our transaction (fixed by the builder, looked up to stay robust). */
const headerEntryIndex = (tx: Bundle<FhirResource>): number =>
  (tx.entry ?? []).findIndex((e) => e.resource?.resourceType === 'RequestGroup');

/**
 * Why the store refused the transaction with a conflict: a copy of this message won a race
 * (replay), other content under the same message id (409), a taken number, or — when none of
 * these — a race on a shared resource (two first prescriptions of the same new prescriber or
 * patient creating it at once), which a new attempt settles since the resource now exists.
 */
async function explainConflict(
  deps: IntakeDeps,
  checked: CheckedPayload,
  number: string,
): Promise<IntakeResult | 'number-taken' | 'retry'> {
  const stored = await findHeaderByMessageKey(deps.fhir, checked.messageKey);
  if (stored) return replayOf(stored, checked);
  if (await findHeaderByNumber(deps.fhir, number)) return 'number-taken';
  return 'retry';
}

const MAX_ATTEMPTS = 4;

/** The transaction's outbox entry (conditional on the message content in the previous path, like the others). */
function withOutbox(deps: IntakeDeps, tx: Bundle<FhirResource>, checked: CheckedPayload, jobs: OutboxJob[]): void {
  const header = tx.entry?.[headerEntryIndex(tx)];
  const entry = outboxEntry(jobs, {
    key: `intake:${messageContentKey(checked)}`,
    focus: header?.fullUrl ?? '',
    now: deps.now(),
    fullUrl: `urn:uuid:${(deps.newUuid ?? randomUUID)()}`,
    conditional: deps.conditionalMessageEntries ?? false,
  });
  if (entry) tx.entry?.push(entry);
}

export async function storePrescription(
  deps: IntakeDeps,
  checked: CheckedPayload,
  outbox?: IntakeOutbox,
): Promise<IntakeResult> {
  const vendorNumber = checked.prescription.number !== undefined;
  let identities = deps.identityCache;
  for (let attempt = 0; ; attempt++) {
    const number = numberFor(deps, checked);
    const built = buildTransaction(checked, number, deps.newUuid ?? randomUUID, {
      conditionalMessageEntries: deps.conditionalMessageEntries ?? false,
    });
    if (!built.ok) throw new ProblemError(built.kind, built.problems);
    const tx = built.value;
    if (outbox) withOutbox(deps, tx, checked, outbox(number));
    const referenced = identities ? await referenceKnownIdentities(identities, tx) : [];

    let response: Bundle;
    try {
      response = await deps.fhir.transaction(tx, { idempotent: true });
    } catch (err) {
      if (identities && referenced.length > 0) {
        // Perhaps a store that was wiped refusing a reference: forget what was referenced and send the
        // conditional creates (this attempt is not counted; it happens once).
        await identities.drop(referenced).catch(() => undefined);
        identities = undefined;
        attempt--;
        continue;
      }
      if (!isConflict(err)) throw err;
      const explained = await explainConflict(deps, checked, number);
      if (explained === 'retry' && attempt + 1 < MAX_ATTEMPTS) continue;
      if (explained === 'retry') throw err;
      if (explained !== 'number-taken') return explained;
      // A generated number colliding with another is a 2^-60 event: draw again. A vendor's is a 409.
      if (vendorNumber || attempt + 1 >= MAX_ATTEMPTS) {
        throw new NumberTakenError(number);
      }
      continue;
    }

    if (deps.identityCache) await rememberIdentities(deps.identityCache, tx, response).catch(() => undefined);
    const headerEntry = response.entry?.[headerEntryIndex(tx)]?.response;
    const matchedExisting = headerEntry?.status?.startsWith('200') ?? false;
    if (matchedExisting) {
      // The very same message was stored before: answer from what is stored (its number may differ from ours).
      const target = headerEntry?.location ? parseLocation(headerEntry.location) : undefined;
      if (!target) throw new Error('transaction-response has no location for the prescription header');
      const { resource } = await deps.fhir.read<RequestGroup>('RequestGroup', target.id);
      return replayOf(resource, checked);
    }
    return createdResult(idsFromTransactionResponse(tx, response), number, checked);
  }
}
