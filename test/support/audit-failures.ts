/**
 * Audit jobs that went wrong during a test run: in the failed set (dead letters), or waiting for
 * a retry after a failed attempt. Both count: an audit job that keeps failing reaches the failed
 * set only after its last attempt (12, with exponential backoff: about an hour), longer than any
 * test run. The test gateway keeps an audit queue that holds one when it closes
 * (./gateway.ts), and the last test file (test/integration/zz-audit-dead-letters.test.ts) fails
 * the run if any queue of the run's prefix holds one.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../../queue/queues';

export interface AuditFailure {
  prefix: string;
  jobId: string | undefined;
  event: string;
  state: 'failed' | 'retrying';
  attempts: number;
  reason: string;
}

export async function auditFailuresOf(queue: Queue): Promise<AuditFailure[]> {
  const prefix = queue.opts.prefix ?? 'bull';
  const failed = await queue.getFailed();
  const retrying = (await queue.getDelayed()).filter((job) => job.attemptsMade > 0);
  return [
    ...failed.map((job) => ({ job, state: 'failed' as const })),
    ...retrying.map((job) => ({ job, state: 'retrying' as const })),
  ].map(({ job, state }) => ({
    prefix,
    jobId: job.id,
    event: job.name,
    state,
    attempts: job.attemptsMade,
    reason: job.failedReason,
  }));
}

const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** The prefixes under `runPrefix-*` whose audit queue has a failed or a delayed job (BullMQ keys `<prefix>:audit:<set>`). */
export async function auditQueuePrefixesWithTrouble(redis: Redis, runPrefix: string): Promise<string[]> {
  const prefixes = new Set<string>();
  for (const set of ['failed', 'delayed']) {
    const suffix = `:${QUEUE_NAMES.audit}:${set}`;
    const match = `${globEscape(runPrefix)}-*${suffix}`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) prefixes.add(key.slice(0, -suffix.length));
    } while (cursor !== '0');
  }
  return [...prefixes].sort();
}
