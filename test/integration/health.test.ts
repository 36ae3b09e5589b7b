/**
 * /health and /ready against the real HAPI and Redis; /ready turns 503 when the FHIR server
 * goes away (a relay in front of HAPI is switched off) and when Redis does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../gateway/app';
import { createLogger } from '../../platform/logger';
import { createFhirClient } from '../../store/fhir-client';
import { createRedisConnection } from '../../platform/redis';
import { closeQueues, createQueues } from '../../queue/queues';
import type { SecurityConfig } from '../../gateway/security/config';
import { bearerFor, testSecurityConfig } from '../support/auth';
import { testConfig } from '../support/env';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const config = testConfig();
const redis = createRedisConnection(config.redisUrl);
const queues = createQueues({ connection: redis, prefix: config.queuePrefix });
let proxy: TcpProxy;
let security: SecurityConfig;

before(async () => {
  security = await testSecurityConfig();
  await redis.ping();
  const target = new URL(config.fhirBaseUrl);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 80));
});

after(async () => {
  await proxy.close().catch(() => undefined);
  await closeQueues(queues);
  redis.disconnect();
});

async function appThroughProxy() {
  const target = new URL(config.fhirBaseUrl);
  const fhir = await createFhirClient({
    baseUrl: `http://127.0.0.1:${proxy.port}${target.pathname}`,
    timeoutMs: 2000,
    retries: 0,
  });
  return createApp({ config, logger: createLogger('silent'), fhir, redis, queues, security });
}

test('/health answers while the process lives, without a token', async () => {
  const app = await appThroughProxy();
  const res = await request(app).get('/health').expect(200);
  assert.equal(res.body.status, 'ok');
});

test('/ready is 200 with HAPI and Redis up, then 503 with an OperationOutcome when HAPI goes away', async () => {
  const app = await appThroughProxy();
  const up = await request(app).get('/ready').expect(200);
  assert.deepEqual(up.body, { status: 'ready', fhir: 'up', redis: 'up' });

  await proxy.close();
  const down = await request(app).get('/ready').expect(503);
  assert.match(down.headers['content-type'] ?? '', /application\/fhir\+json/);
  assert.equal(down.body.resourceType, 'OperationOutcome');
  assert.match(down.body.issue[0].diagnostics, /FHIR store does not answer/);
  assert.equal(down.body.issue.length, 1, 'Redis is still up');
  assert.equal(down.headers['retry-after'], '5', 'a 503 always says when to come back');
});

test('/ready is 503 when Redis does not answer', async () => {
  const target = new URL(config.fhirBaseUrl);
  const fhir = await createFhirClient({ baseUrl: config.fhirBaseUrl, timeoutMs: 5000, retries: 0 });
  const deadRedis = createRedisConnection('redis://127.0.0.1:9/0');
  deadRedis.on('error', () => undefined);
  try {
    const app = createApp({ config, logger: createLogger('silent'), fhir, redis: deadRedis, queues, security });
    const res = await request(app).get('/ready').expect(503);
    assert.match(JSON.stringify(res.body), /Redis does not answer/);
    assert.equal(res.headers['retry-after'], '5');
    assert.ok(target.port);
  } finally {
    deadRedis.disconnect();
  }
});

test('unknown routes and errors come back as OperationOutcome without stack traces', async () => {
  const app = await appThroughProxy();
  // No access rule covers an unknown route: refused before anything runs, for every role.
  const res = await request(app)
    .get('/nope')
    .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist' }))
    .expect(403);
  assert.equal(res.body.resourceType, 'OperationOutcome');
  assert.doesNotMatch(res.text, /at .*\.ts:\d+/);
  const anonymous = await request(app).get('/nope').expect(401);
  assert.equal(anonymous.body.resourceType, 'OperationOutcome');
  // A prescription number that is not well-formed is a 400 from the handler, again as an OperationOutcome.
  const malformed = await request(app)
    .get('/prescriptions/abc')
    .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist' }))
    .expect(400);
  assert.equal(malformed.body.resourceType, 'OperationOutcome');
  assert.doesNotMatch(malformed.text, /at .*\.ts:\d+/);
});
