/**
 * Liveness and readiness. /health says the process answers; /ready says it can do its job:
 * the FHIR store and Redis both answer. Neither needs authentication nor touches patient data.
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Problem } from '../../domain/problem';
import type { FhirClient } from '../../store/fhir-client';
import { pingRedis } from '../../platform/redis';
import { sendOutcome } from '../error-handler';

export interface ReadinessDeps {
  fhir: FhirClient;
  redis: Redis;
}

/** Nothing when `call` succeeds, else the problem saying what does not answer. */
async function probe(call: () => Promise<unknown>, message: string): Promise<Problem | undefined> {
  try {
    await call();
    return undefined;
  } catch {
    return { code: 'transient', message };
  }
}

export function healthRouter({ fhir, redis }: ReadinessDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const checks = [probe(() => fhir.capabilityStatement(), 'The FHIR store does not answer'), probe(() => pingRedis(redis), 'Redis does not answer')];
    const problems = (await Promise.all(checks)).filter((p): p is Problem => p !== undefined);
    if (problems.length > 0) {
      sendOutcome(res, 503, problems);
      return;
    }
    res.json({ status: 'ready', fhir: 'up', redis: 'up' });
  });
  return router;
}
