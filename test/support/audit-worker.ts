/**
 * The audit processor run in-process on a test gateway's queue, so that tests can look at the
 * AuditEvents the gateway's answers produced: `await audit.drain()` returns once every queued
 * audit job is written (or failed: then it throws with the reason).
 */
import { Worker } from 'bullmq';
import { createAuditProcessor } from '../../queue/audit/processor';
import { createRedisConnection } from '../../platform/redis';
import { QUEUE_NAMES } from '../../queue/queues';
import { closeRedis } from './close-redis';
import type { TestGateway } from './gateway';

export interface TestAuditWorker {
  drain(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function startAuditWorker(gw: TestGateway): TestAuditWorker {
  const queue = gw.deps.queues[QUEUE_NAMES.audit];
  const failures: string[] = [];
  // A worker's own connection (the gateway's fails fast; BullMQ workers need one that waits).
  // BullMQ leaves a connection it was given open: it is closed with the worker below.
  const connection = createRedisConnection(gw.deps.config.redisUrl);
  const worker = new Worker(QUEUE_NAMES.audit, createAuditProcessor({ fhir: gw.deps.fhir }), {
    connection,
    prefix: gw.deps.config.queuePrefix,
    concurrency: 8,
  });
  worker.on('failed', (job, err) => failures.push(`${job?.name}: ${err.message}`));
  return {
    async drain() {
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed');
        if ((counts.failed ?? 0) > 0 || failures.length > 0)
          throw new Error(`audit jobs failed: ${failures.join('; ') || `${counts.failed} failed`}`);
        if (!counts.waiting && !counts.active && !counts.delayed && !counts.prioritized) return;
        await sleep(50);
      }
    },
    async close() {
      try {
        await worker.close();
      } finally {
        await closeRedis(connection);
      }
    },
  };
}
