/**
 * The audit queue's processor: each job is one audit record, written by
 * usecases/audit/record-audit-event.ts (once, however often the job runs). A job that is not an
 * audit record (a job of another version of the gateway, a hand-made one) can never be written:
 * it fails at once, into the dead letters (./dead-letters.ts reports them).
 */
import { UnrecoverableError, type Job, type Processor } from 'bullmq';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { writeAuditEvent, type AuditRecordingDeps } from '../../usecases/audit/record-audit-event';

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** What an AuditEvent cannot be written without; the reason names fields, never their values. */
export function malformedAuditJob(data: unknown): string | undefined {
  const job = (data ?? {}) as Partial<AuditJob>;
  const missing = [
    isText(job.id) ? undefined : 'id',
    isText(job.recorded) && !Number.isNaN(Date.parse(job.recorded)) ? undefined : 'recorded',
    isText(job.event?.name) && isText(job.event?.interaction) ? undefined : 'event',
    job.event?.type === 'rest' || job.event?.type === 'export' ? undefined : 'event.type',
    ['C', 'R', 'U', 'D', 'E'].includes(String(job.event?.action)) ? undefined : 'event.action',
    Number.isInteger(job.outcome?.status) ? undefined : 'outcome.status',
  ].filter((field): field is string => field !== undefined);
  return missing.length > 0 ? `malformed audit job: no valid ${missing.join(', ')}` : undefined;
}

export function createAuditProcessor(deps: AuditRecordingDeps): Processor<AuditJob> {
  return async (job: Job<AuditJob>) => {
    const malformed = malformedAuditJob(job.data);
    if (malformed) throw new UnrecoverableError(malformed);
    return writeAuditEvent(deps, job.data);
  };
}
