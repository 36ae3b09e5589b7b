/**
 * The audit queue's processor: each job is one audit record, written by
 * usecases/audit/record-audit-event.ts (once, however often the job runs).
 */
import type { Job, Processor } from 'bullmq';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { writeAuditEvent, type AuditRecordingDeps } from '../../usecases/audit/record-audit-event';

export function createAuditProcessor(deps: AuditRecordingDeps): Processor<AuditJob> {
  return async (job: Job<AuditJob>) => writeAuditEvent(deps, job.data);
}
