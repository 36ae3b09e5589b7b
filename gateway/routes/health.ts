/**
 * Liveness and readiness. /health says the process answers; /ready says it can do its job:
 * the FHIR store and Redis both answer. Neither needs authentication nor touches patient data.
 */
import type { RequestHandler } from 'express';
import type { Problem } from '../../domain/problem';
import { pingRedis } from '../../platform/redis';
import type { RouteContext } from './route';
import { sendOutcome } from '../http/fhir-response';

async function probe(call: () => Promise<unknown>, message: string): Promise<Problem | undefined> {
  try {
    await call();
    return undefined;
  } catch {
    return { code: 'transient', message };
  }
}

export const health = (): RequestHandler => (_req, res) => {
  res.json({ status: 'ok' });
};

export const ready =
  ({ deps: { fhir, redis } }: RouteContext): RequestHandler =>
  async (_req, res) => {
    const checks = [
      probe(() => fhir.capabilityStatement(), 'The FHIR store does not answer'),
      probe(() => pingRedis(redis), 'Redis does not answer'),
    ];
    const problems = (await Promise.all(checks)).filter((p): p is Problem => p !== undefined);
    if (problems.length > 0) {
      // Like every 503 of the gateway: what is down may be back soon (the API documentation says so too).
      res.setHeader('retry-after', '5');
      sendOutcome(res, 503, problems);
      return;
    }
    res.json({ status: 'ready', fhir: 'up', redis: 'up' });
  };
