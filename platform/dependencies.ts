/**
 * Connects to what the gateway and the worker need and proves each is reachable, so that a
 * misconfigured process stops at start-up with a message instead of failing on first use.
 */
import type { Redis } from 'ioredis';
import { createFhirClient, type FhirClient } from '../store/fhir-client';
import { createRedisConnection, pingRedis } from './redis';
import type { GatewayConfig } from './config';

export interface Dependencies {
  fhir: FhirClient;
  redis: Redis;
}

export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/**
 * `failFast` for a process that serves requests (the gateway): Redis commands fail within seconds
 * when Redis is down instead of waiting for it (platform/redis.ts). A worker waits.
 */
export async function connectDependencies(
  config: GatewayConfig,
  { failFast }: { failFast: boolean },
): Promise<Dependencies> {
  const fhir = await createFhirClient({
    baseUrl: config.fhirBaseUrl,
    timeoutMs: config.fhirTimeoutMs,
    retries: config.fhirRetries,
  });
  const redis = createRedisConnection(config.redisUrl, { failFast });
  // ioredis reconnects forever in the background; swallow its error events here, readiness reports them.
  redis.on('error', () => undefined);
  const problems: string[] = [];
  try {
    const capability = await fhir.capabilityStatement();
    if (capability.fhirVersion && !capability.fhirVersion.startsWith('4.0')) {
      problems.push(`FHIR_BASE_URL ${config.fhirBaseUrl} is FHIR ${capability.fhirVersion}, R4 (4.0.x) is required`);
    }
  } catch (err) {
    problems.push(`FHIR_BASE_URL ${config.fhirBaseUrl} is unreachable: ${(err as Error).message}`);
  }
  try {
    await pingRedis(redis, 3_000);
  } catch (err) {
    problems.push(`REDIS_URL ${redactPassword(config.redisUrl)} is unreachable: ${(err as Error).message}`);
  }
  if (problems.length > 0) {
    redis.disconnect();
    throw new UnreachableError(problems.join('\n  - '));
  }
  return { fhir, redis };
}

function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
