/**
 * Audit records travel through the `audit` queue: the gateway (or a worker) enqueues a job
 * before it answers, so that a stop loses nothing, and the audit processor writes the
 * AuditEvent to the FHIR store off the request path. A job carries identifiers only — the
 * professional's idNatPs, the prescription number, a resource reference — never patient data:
 * the processor looks up the patient reference itself.
 */
import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';
import type { AuditTrail } from '../../usecases/ports';
import { dmpPublicationAuditJob, type AuditJob, type DmpPublicationAudit } from '../../usecases/audit/audit-job';
import { whileRedisAnswers } from '../../platform/redis';
import { QUEUE_NAMES, type GatewayQueues } from '../queues';

/** The `audit` queue, or anything that adds jobs the same way (a worker may hold just this queue). */
export type AuditQueue = Pick<Queue, 'add'>;

/** The audit queue of the gateway's queues. */
export const auditQueueOf = (queues: GatewayQueues): AuditQueue => queues[QUEUE_NAMES.audit];

export const AUDIT_JOB_OPTIONS: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  // A record that could not be written stays in Redis until an operator looks at it.
  removeOnFail: false,
};

export const newAuditId = (): string => randomUUID();

/** Adds the audit job; resolves once it is in Redis. */
export async function enqueueAudit(queue: AuditQueue, job: AuditJob): Promise<void> {
  await queue.add(job.event.name, job, { ...AUDIT_JOB_OPTIONS, jobId: job.id });
}

/** The audit trail port over a queue: each record is in Redis once `record` resolves. */
export const auditTrailOf = (queue: AuditQueue): AuditTrail => ({
  record: (job) => whileRedisAnswers('the audit trail', () => enqueueAudit(queue, job)),
});

/** For the DMP worker: record a publication attempt (usecases/audit/audit-job.ts). */
export const auditDmpPublication = (queue: AuditQueue, publication: DmpPublicationAudit): Promise<void> =>
  enqueueAudit(queue, dmpPublicationAuditJob(publication, newAuditId));
