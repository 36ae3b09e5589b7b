/**
 * An audit job in the dead letters is an access missing from the audit trail: each one is
 * counted (`ordo_audit_dead_letters_total{event}` on the worker's /metrics, for an alerting rule)
 * and logged at `error` level with the job id, the event name and the reason — never the job's
 * data. A failed attempt that will be retried is neither (the worker logs it as a warning).
 */
import type { Job, Worker } from 'bullmq';
import { Counter, type Registry } from 'prom-client';
import type { Log } from '../../usecases/ports';

export const AUDIT_DEAD_LETTERS_METRIC = 'ordo_audit_dead_letters_total';

export interface AuditMetrics {
  deadLetter(event: string): void;
}

export function createAuditMetrics(registry: Registry): AuditMetrics {
  const deadLetters = new Counter({
    name: AUDIT_DEAD_LETTERS_METRIC,
    help: 'Audit jobs that ended in the failed set (dead letters): accesses missing from the audit trail, by event name',
    labelNames: ['event'],
    registers: [registry],
  });
  return { deadLetter: (event) => deadLetters.inc({ event }) };
}

/** Whether the failure put the job in the failed set (no attempt left, or one that must not be retried). */
const deadLettered = (job: Job): boolean => job.finishedOn !== undefined;

/** Reports the audit worker's dead letters: a metric and an alert in the logs. */
export function reportAuditDeadLetters(worker: Worker, { logger, metrics }: { logger: Log; metrics: AuditMetrics }) {
  worker.on('failed', (job, err) => {
    if (!job || !deadLettered(job)) return;
    metrics.deadLetter(job.name);
    logger.error(
      {
        queue: worker.name,
        jobId: job.id,
        event: job.name,
        attempts: job.attemptsMade,
        reason: err.message.slice(0, 500),
      },
      'audit record dead-lettered: this access is missing from the audit trail',
    );
  });
}
