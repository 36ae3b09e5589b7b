/**
 * What an `ordo-admin` command runs with: the gateway's configuration (the same variables:
 * FHIR_BASE_URL, DMP_FHIR_BASE_URL, REDIS_URL, QUEUE_PREFIX), its FHIR store, the DMP document
 * sharing server, the queues, the operator it acts for, and the audit trail every command
 * writes to (the `audit` queue, as the gateway does: the worker writes the AuditEvent).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../platform/config';
import { createRedisConnection, pingRedis } from '../platform/redis';
import { auditQueueOf, auditTrailOf } from '../queue/audit/jobs';
import { publicationJobsOf } from '../queue/dmp/publication-jobs';
import { closeQueues, createQueues, type GatewayQueues } from '../queue/queues';
import { createFhirClient, type FhirClient } from '../store/fhir-client';
import { redisPrescriptionCache } from '../store/prescription-cache';
import type { AuditAction, AuditJob } from '../usecases/audit/audit-job';
import type { PrescriptionCache, UseCaseDeps } from '../usecases/ports';

/** What one command did, for its audit record (identifiers only). */
export interface AdminAuditRecord {
  /** The command, e.g. `dead-letters.retry`: the event is `admin.<command>`. */
  command: string;
  interaction: string;
  action: AuditAction;
  /** HTTP-like status of the outcome (200 done; 4xx refused; 5xx failed), as the worker records its exports. */
  status: number;
  detail?: string;
  number?: string;
  reference?: string;
  query?: string;
}

export interface AdminSession {
  config: GatewayConfig;
  fhir: FhirClient;
  dmpStore: FhirClient;
  queues: GatewayQueues;
  useCases: Pick<UseCaseDeps, 'fhir' | 'dmpStore' | 'now' | 'publicationJobs'>;
  /** The gateway's cache of lookups by number (used whether or not LOOKUP_CACHE is on: forgetting is always safe). */
  prescriptionCache: PrescriptionCache;
  operator: string;
  /** One id per command run, in every record it writes (the AuditEvent's x-request-id detail). */
  requestId: string;
  /** Queues the record; resolves once it is in Redis (a command prints nothing before). */
  audit(record: AdminAuditRecord): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(config: GatewayConfig, operator: string): Promise<AdminSession> {
  const fhirOptions = { timeoutMs: config.fhirTimeoutMs, retries: config.fhirRetries };
  const fhir = await createFhirClient({ baseUrl: config.fhirBaseUrl, ...fhirOptions });
  const dmpStore =
    config.dmpFhirBaseUrl === config.fhirBaseUrl
      ? fhir
      : await createFhirClient({ baseUrl: config.dmpFhirBaseUrl, ...fhirOptions });
  // Fail fast: an operator's command must not hang on a Redis outage (and could not be audited).
  const redis: Redis = createRedisConnection(config.redisUrl, { failFast: true });
  try {
    await pingRedis(redis, 5_000);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queues = createQueues({ connection: redis, prefix: config.queuePrefix });
  const trail = auditTrailOf(auditQueueOf(queues));
  const requestId = randomUUID();
  return {
    config,
    fhir,
    dmpStore,
    queues,
    useCases: { fhir, dmpStore, now: () => new Date(), publicationJobs: publicationJobsOf(queues) },
    prescriptionCache: redisPrescriptionCache(redis, config.queuePrefix),
    operator,
    requestId,
    audit: (record) => trail.record(adminAuditJob(record, operator, requestId)),
    async close() {
      try {
        await closeQueues(queues);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** The audit record of an operator's command: a RESTful-like event named `admin.<command>`, purpose HOPERAT. */
export function adminAuditJob(record: AdminAuditRecord, operator: string, requestId: string): AuditJob {
  const entity = {
    ...(record.number ? { number: record.number } : {}),
    ...(record.reference ? { reference: record.reference } : {}),
    ...(record.query !== undefined ? { query: record.query } : {}),
  };
  return {
    id: randomUUID(),
    recorded: new Date().toISOString(),
    event: { type: 'rest', interaction: record.interaction, action: record.action, name: `admin.${record.command}` },
    outcome: { status: record.status, ...(record.detail ? { detail: record.detail } : {}) },
    operator,
    request: { method: 'CLI', path: `ordo-admin ${record.command.replace('.', ' ')}`, requestId },
    ...(Object.keys(entity).length > 0 ? { entity } : {}),
    // v3-ActReason HOPERAT: healthcare operations (the gateway's own running).
    purposeOfUse: 'HOPERAT',
  };
}
