/**
 * Recording an audit record: resolves the job's entity in the FHIR store (the prescription header
 * and its patient, from the number, unless the job already names both) and writes the AuditEvent
 * with a conditional create on the record's identifier — a record written twice (a job retried
 * after a crash or a timeout) is one AuditEvent.
 *
 * What a record references can never make it unwritable: the store refuses an AuditEvent whose
 * reference names no resource (HAPI-1094, referential integrity; HAPI-0506 for an unknown type),
 * e.g. an auditor's read of a missing id. When the store refuses one, the references it does not
 * hold are recorded by identifier instead (recordByIdentifier) and the event is written again.
 */
import type { AuditEvent } from 'fhir/r4';
import { hostname } from 'node:os';
import { ProblemError } from '../../domain/problem';
import { sourceSoftwareDetail } from '../../fhir/audit-details';
import { readSoftware } from '../../fhir/read-prescription';
import type { FhirStore } from '../ports';
import { findHeaderByNumber } from '../prescriptions/repository';
import type { AuditJob } from './audit-job';
import {
  AUDIT_RECORD_SYSTEM,
  buildAuditEvent,
  entityReferences,
  recordByIdentifier,
  type GatewayIdentity,
  type ResolvedEntity,
} from './build-audit-event';

/** The search parameter (profiles/search-parameters) over AuditEvent.entity.what.identifier. */
export const ENTITY_IDENTIFIER_PARAM = 'entity-identifier';

export interface AuditRecordingDeps {
  fhir: FhirStore;
  gateway?: GatewayIdentity;
}

/**
 * The events that create a prescription: their record says which software sent it (read here from the
 * stored header, so that a record promised to an outbox before the answer says it too). Not
 * `$process-message`: the same event name carries dispenses and consents, where the prescription's
 * software would read as the pharmacy's.
 */
const CREATIONS: ReadonlySet<string> = new Set(['prescription.create', 'prescription.replace']);

async function resolve(fhir: FhirStore, job: AuditJob): Promise<ResolvedEntity> {
  // The gateway passes both when its handler had read the prescription: no search.
  const { reference, patient } = job.entity ?? {};
  if (reference?.startsWith('RequestGroup/') && patient) return { reference, patient };
  const number = job.entity?.number;
  if (!number) return {};
  const header = await findHeaderByNumber(fhir, number);
  if (!header?.id) return {};
  const software = CREATIONS.has(job.event.name) ? readSoftware(header) : undefined;
  const detail = software ? sourceSoftwareDetail(software) : undefined;
  return {
    reference: `RequestGroup/${header.id}`,
    ...(header.subject?.reference ? { patient: header.subject.reference } : {}),
    ...(detail ? { detail: [detail] } : {}),
  };
}

/** A store failure that a later attempt may not meet: the store is down, or a concurrent write won. */
const mayPassLater = (err: unknown): boolean =>
  !(err instanceof ProblemError) || err.kind === 'unavailable' || err.kind === 'conflict';

const RESOURCE_REFERENCE = /^([A-Z][A-Za-z]{0,63})\/([A-Za-z0-9\-.]{1,64})$/;

/** Whether `Type/id` names a resource of the store; when the store cannot say, throws (the job is retried). */
async function inStore(fhir: FhirStore, reference: string): Promise<boolean> {
  const match = RESOURCE_REFERENCE.exec(reference);
  if (!match) return false;
  try {
    const found = await fhir.search(match[1]!, { _id: match[2]!, _summary: 'count' });
    return (found.total ?? 0) > 0;
  } catch (err) {
    if (mayPassLater(err)) throw err;
    return false; // a type the store does not know
  }
}

async function create(fhir: FhirStore, event: AuditEvent, recordId: string): Promise<string | undefined> {
  const { resource } = await fhir.create(event, {
    idempotent: true,
    headers: {
      'if-none-exist': `${ENTITY_IDENTIFIER_PARAM}=${encodeURIComponent(`${AUDIT_RECORD_SYSTEM}|${recordId}`)}`,
    },
  });
  return resource.id;
}

export async function writeAuditEvent(deps: AuditRecordingDeps, job: AuditJob): Promise<string | undefined> {
  const gateway = deps.gateway ?? { name: 'ordo-gateway', address: hostname() };
  const event = buildAuditEvent(job, await resolve(deps.fhir, job), gateway);
  try {
    return await create(deps.fhir, event, job.id);
  } catch (err) {
    if (mayPassLater(err)) throw err;
    const missing = new Set<string>();
    for (const reference of entityReferences(event)) if (!(await inStore(deps.fhir, reference))) missing.add(reference);
    // Every reference is there: the refusal is about something else, and the queue's retries apply.
    if (missing.size === 0) throw err;
    return create(deps.fhir, recordByIdentifier(event, missing), job.id);
  }
}
