/**
 * A gateway application wired to the real FHIR store and Redis, for integration tests
 * (supertest drives it without opening a port). Authentication is on, against the test
 * issuer of ./auth: send `Authorization: await bearerFor({...})` with every request.
 */
import type { Express } from 'express';
import { createApp } from '../../gateway/app';
import type { AppDeps } from '../../gateway/app-deps';
import { createLogger } from '../../platform/logger';
import { createFhirClient } from '../../store/fhir-client';
import { createRedisConnection, pingRedis } from '../../platform/redis';
import { closeQueues, createQueues, QUEUE_NAMES } from '../../queue/queues';
import { auditFailuresOf } from './audit-failures';
import { testSecurityConfig } from './auth';
import { closeRedis } from './close-redis';
import { testConfig } from './env';

export interface TestGateway {
  app: Express;
  deps: AppDeps;
  /**
   * Empties and closes the queues it made, then closes its Redis connection (not those passed as overrides). An
   * audit queue with a failed job, or one retrying after a failure, is left as it is for the run's last check
   * (test/integration/zz-audit-dead-letters.test.ts): an access missing from the audit trail fails the run.
   */
  close(): Promise<void>;
}

export async function startTestGateway(overrides: Partial<AppDeps> = {}): Promise<TestGateway> {
  const config = testConfig();
  const fhir = await createFhirClient({ baseUrl: config.fhirBaseUrl, timeoutMs: 30_000, retries: 1 });
  await fhir.capabilityStatement(); // the file fails here, loudly, when HAPI is down
  const redis = createRedisConnection(config.redisUrl, { failFast: true });
  // … and here when Redis is down (a bare PING would wait for it forever), closing the connection that retries.
  await pingRedis(redis, 10_000).catch(async (err: unknown) => {
    await closeRedis(redis);
    throw err;
  });
  const queues = createQueues({ connection: redis, prefix: config.queuePrefix });
  const security = await testSecurityConfig();
  const deps: AppDeps = { config, logger: createLogger('silent'), fhir, redis, queues, security, ...overrides };
  return {
    app: createApp(deps),
    deps,
    async close() {
      const audit = queues[QUEUE_NAMES.audit];
      const keepAudit = (await auditFailuresOf(audit).catch(() => [])).length > 0;
      await Promise.all(
        Object.values(queues)
          .filter((q) => !(keepAudit && q === audit))
          .map((q) => q.obliterate({ force: true }).catch(() => undefined)),
      );
      try {
        await closeQueues(queues);
      } finally {
        // BullMQ does not close a connection it is given.
        await closeRedis(redis);
      }
    },
  };
}
