/**
 * The integration suite's last check (the file sorts last): no audit job of this run ended in the
 * dead letters, or is retrying after a failed attempt — each would be an access missing from the
 * audit trail. Every test file's gateway has its own queue prefix under the run's
 * (test/support/env.ts: `<QUEUE_PREFIX>-<hex>`); the test gateway leaves such an audit queue in
 * Redis when it closes (test/support/gateway.ts), and this file scans them all, reports them, then
 * removes them.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Queue } from 'bullmq';
import { createRedisConnection } from '../../platform/redis';
import { QUEUE_NAMES } from '../../queue/queues';
import { auditFailuresOf, auditQueuePrefixesWithTrouble, type AuditFailure } from '../support/audit-failures';
import { closeRedis } from '../support/close-redis';
import { RUN_QUEUE_PREFIX, TEST_REDIS_URL } from '../support/env';

const redis = createRedisConnection(TEST_REDIS_URL);
after(() => closeRedis(redis));

test(`no audit job of this run (queue prefix ${RUN_QUEUE_PREFIX}-*) is dead-lettered or retrying after a failure`, async () => {
  const failures: AuditFailure[] = [];
  for (const prefix of await auditQueuePrefixesWithTrouble(redis, RUN_QUEUE_PREFIX)) {
    const queue = new Queue(QUEUE_NAMES.audit, { connection: redis, prefix });
    try {
      const found = await auditFailuresOf(queue);
      failures.push(...found);
      // Reported below, then removed, so that Redis does not keep them from one run to the next.
      if (found.length > 0) await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
  assert.deepEqual(
    failures.map(
      (f) => `${f.prefix} job ${f.jobId} (${f.event}), ${f.state} after ${f.attempts} attempt(s): ${f.reason}`,
    ),
    [],
    'audit jobs that did not write their AuditEvent',
  );
});
