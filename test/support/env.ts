/**
 * Integration tests run against the real FHIR server and Redis named by FHIR_BASE_URL and
 * REDIS_URL (scripts/test.sh sets them). When either is down the tests FAIL: nothing is skipped.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type GatewayConfig } from '../../platform/config';
import { createFhirClient, type FhirClient } from '../../store/fhir-client';

/**
 * The queue key prefix of this test run (scripts/test.sh: `ordo-test-<pid>`); each test file's gateway adds a
 * suffix of its own (`<run prefix>-<hex>`), so that files never see each other's jobs.
 */
export const RUN_QUEUE_PREFIX = process.env.QUEUE_PREFIX ?? 'ordo-test';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/13';

export function testConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  const base = loadConfig({
    ...process.env,
    FHIR_BASE_URL: process.env.FHIR_BASE_URL ?? 'http://127.0.0.1:8090/fhir',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `${RUN_QUEUE_PREFIX}-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    PUBLIC_BASE_URL: 'https://gateway.test',
  });
  return { ...base, ...overrides };
}

export async function testFhirClient(config = testConfig()): Promise<FhirClient> {
  return createFhirClient({ baseUrl: config.fhirBaseUrl, timeoutMs: 20_000, retries: 1 });
}
