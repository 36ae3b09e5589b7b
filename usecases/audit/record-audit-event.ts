/**
 * Recording an audit record: resolves the job's entity in the FHIR store (the prescription header
 * and its patient, from the number, unless the job already names both) and writes the AuditEvent
 * with a conditional create on the record's identifier — a record written twice (a job retried
 * after a crash or a timeout) is one AuditEvent.
 */
import { hostname } from 'node:os';
import type { FhirStore } from '../ports';
import { findHeaderByNumber } from '../prescriptions/repository';
import type { AuditJob } from './audit-job';
import { AUDIT_RECORD_SYSTEM, buildAuditEvent, type GatewayIdentity, type ResolvedEntity } from './build-audit-event';

/** The search parameter (profiles/search-parameters) over AuditEvent.entity.what.identifier. */
export const ENTITY_IDENTIFIER_PARAM = 'entity-identifier';

export interface AuditRecordingDeps {
  fhir: FhirStore;
  gateway?: GatewayIdentity;
}

async function resolve(fhir: FhirStore, job: AuditJob): Promise<ResolvedEntity> {
  // The gateway passes both when its handler had read the prescription: no search.
  const { reference, patient } = job.entity ?? {};
  if (reference?.startsWith('RequestGroup/') && patient) return { reference, patient };
  const number = job.entity?.number;
  if (!number) return {};
  const header = await findHeaderByNumber(fhir, number);
  if (!header?.id) return {};
  return {
    reference: `RequestGroup/${header.id}`,
    ...(header.subject?.reference ? { patient: header.subject.reference } : {}),
  };
}

export async function writeAuditEvent(deps: AuditRecordingDeps, job: AuditJob): Promise<string | undefined> {
  const gateway = deps.gateway ?? { name: 'ordo-gateway', address: hostname() };
  const event = buildAuditEvent(job, await resolve(deps.fhir, job), gateway);
  const { resource } = await deps.fhir.create(event, {
    idempotent: true,
    headers: {
      'if-none-exist': `${ENTITY_IDENTIFIER_PARAM}=${encodeURIComponent(`${AUDIT_RECORD_SYSTEM}|${job.id}`)}`,
    },
  });
  return resource.id;
}
