/**
 * Anti-enumeration: prescription-number lookups are throttled per professional in Redis, so
 * the limit holds across gateway processes. A lookup costs 1 point, a lookup that finds
 * nothing 2; over the budget the answer is 429 with Retry-After and an OperationOutcome.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../gateway/app';
import { createLogger } from '../../platform/logger';
import { createRedisConnection } from '../../platform/redis';
import { closeQueues, createQueues } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import { countingFhirClient, type CountingFhirClient } from '../support/counting-fhir-client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let store: CountingFhirClient;

before(async () => {
  store = await countingFhirClient();
  gw = await startTestGateway({ fhir: store.fhir });
});
after(async () => {
  await gw.close();
});

const dispenser = () => bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: syntheticRpps() });

test('a dispenser trying 1,000 random numbers is throttled (429 + Retry-After) and finds nothing', async () => {
  const auth = await dispenser();
  const { points, missCost, windowSeconds } = gw.deps.security.lookupLimit;
  const statuses = new Map<number, number>();
  const storeBefore = store.calls();
  let firstThrottled = -1;
  for (let i = 0; i < 1000; i++) {
    const res = await request(gw.app).get(`/prescriptions/${freshNumber()}`).set('authorization', auth);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 429) {
      if (firstThrottled < 0) firstThrottled = i;
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${res.headers['retry-after']}`);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].code, 'throttled');
    }
  }
  const misses = Math.ceil(points / missCost);
  assert.deepEqual(Object.fromEntries(statuses), { 404: misses, 429: 1000 - misses });
  assert.equal(firstThrottled, misses, 'throttled as soon as the budget is spent (misses count double)');
  // A throttled lookup never reaches the store.
  assert.ok(store.calls() - storeBefore <= misses * 2, `store calls ${store.calls() - storeBefore}`);

  // Another professional is not affected.
  await request(gw.app)
    .get(`/prescriptions/${freshNumber()}`)
    .set('authorization', await dispenser())
    .expect(404);
});

test('lookups that find a prescription cost one point, misses two', async () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
  const { number } = await postUniqueExample(gw.app, example);
  const app = createApp({
    ...gw.deps,
    security: { ...gw.deps.security, lookupLimit: { points: 4, windowSeconds: 60, missCost: 2 } },
  });

  const hits = await dispenser();
  for (let i = 0; i < 4; i++) await request(app).get(`/prescriptions/${number}`).set('authorization', hits).expect(200);
  await request(app).get(`/prescriptions/${number}`).set('authorization', hits).expect(429);

  const misses = await dispenser();
  for (let i = 0; i < 2; i++)
    await request(app).get(`/prescriptions/${freshNumber()}`).set('authorization', misses).expect(404);
  await request(app).get(`/prescriptions/${number}`).set('authorization', misses).expect(429);

  // Routes that are not lookups are not throttled.
  await request(app).get('/fhir/metadata').set('authorization', misses).expect(200);
});

test('the budget is shared by gateway processes (same Redis, same prefix)', async () => {
  // A second gateway with its own Redis connection, as another process would have.
  const redis = createRedisConnection(gw.deps.config.redisUrl);
  const queues = createQueues({ connection: redis, prefix: gw.deps.config.queuePrefix });
  try {
    const security = { ...gw.deps.security, lookupLimit: { points: 6, windowSeconds: 60, missCost: 2 } };
    const one = createApp({ ...gw.deps, security });
    const two = createApp({
      config: gw.deps.config,
      logger: createLogger('silent'),
      fhir: gw.deps.fhir,
      redis,
      queues,
      security,
    });
    const auth = await dispenser();
    await request(one).get(`/prescriptions/${freshNumber()}`).set('authorization', auth).expect(404);
    await request(two).get(`/prescriptions/${freshNumber()}`).set('authorization', auth).expect(404);
    await request(one).get(`/prescriptions/${freshNumber()}`).set('authorization', auth).expect(404);
    await request(two).get(`/prescriptions/${freshNumber()}`).set('authorization', auth).expect(429);
    await request(one).get(`/prescriptions/${freshNumber()}`).set('authorization', auth).expect(429);
  } finally {
    await closeQueues(queues);
    redis.disconnect();
  }
});
