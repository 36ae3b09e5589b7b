/**
 * Anti-enumeration: prescription-number lookups are throttled per professional in Redis, so
 * the limit holds across gateway processes. A lookup costs 1 point, a lookup that finds
 * nothing 2; over the budget the answer is 429 with Retry-After and an OperationOutcome.
 */
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import type { Bundle, FhirResource, MessageHeader, OperationOutcome } from 'fhir/r4';
import { dispenseRecordMessage, lookUp, professional, type LineSummary } from '../support/dispensing';
import { postPrescription } from '../support/post-prescription';
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
import { freshNumber, uniquify, vendorExamples } from '../support/vendor-fixtures';
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

describe('one budget for every path that resolves a number', () => {
  const security = () => ({ ...gw.deps.security, lookupLimit: { points: 4, windowSeconds: 60, missCost: 2 } });

  /** A dispense-record message naming `number` (its line taken from a real prescription). */
  const dispenseMessage = (number: string, line: LineSummary, rpps: string) =>
    dispenseRecordMessage(number, [{ line, quantity: 1 }], rpps);
  const send = (app: Express, bearer: string, body: unknown) =>
    request(app)
      .post('/fhir/$process-message')
      .set('authorization', bearer)
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(body))
      .expect(200);
  const codeOf = (bundle: Bundle<FhirResource>) => (bundle.entry![0]!.resource as MessageHeader).response?.code;
  const issuesOf = (bundle: Bundle<FhirResource>) =>
    (bundle.entry!.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource as OperationOutcome).issue;

  test('dispense-record messages spend from the REST budget; once spent, an existing number reads like a random one', async () => {
    const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
    const { number } = await postUniqueExample(gw.app, example);
    const { summary } = await lookUp(gw.app, number, (await professional('pharmacist')).bearer);
    const line = summary.lines[0]!;
    const app = createApp({ ...gw.deps, security: security() });
    const pharmacist = await professional('pharmacist');

    // A miss by REST (2 points) and a miss by message (2 points): the budget of 4 is spent.
    await request(app).get(`/prescriptions/${freshNumber()}`).set('authorization', pharmacist.bearer).expect(404);
    const miss = await send(app, pharmacist.bearer, dispenseMessage(freshNumber(), line, pharmacist.rpps));
    assert.equal(codeOf(miss.body), 'fatal-error');

    const random = await send(app, pharmacist.bearer, dispenseMessage(freshNumber(), line, pharmacist.rpps));
    const existing = await send(app, pharmacist.bearer, dispenseMessage(number, line, pharmacist.rpps));
    for (const answer of [random, existing]) {
      assert.equal(codeOf(answer.body), 'transient-error', 'throttled: send again later');
      assert.equal(issuesOf(answer.body)[0]?.code, 'throttled');
    }
    assert.deepEqual(issuesOf(existing.body), issuesOf(random.body), 'nothing tells the existing number apart');
    await request(app).get(`/prescriptions/${number}`).set('authorization', pharmacist.bearer).expect(429);
  });

  test('a vendor-supplied number at intake is a lookup; a taken one costs a miss', async () => {
    const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
    const { number } = await postUniqueExample(gw.app, example);
    const app = createApp({ ...gw.deps, security: security() });
    const rpps = syntheticRpps();
    const prescriber = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
    const withNumber = (n: string | undefined) => {
      const json = JSON.parse(uniquify(example).body.toString());
      json.prescripteur.rpps = rpps;
      if (n === undefined) delete json.identifiantPrescription;
      else json.identifiantPrescription = n;
      return Buffer.from(JSON.stringify(json));
    };
    // Two taken numbers: 2 × (1 + 1) points.
    for (let i = 0; i < 2; i++) {
      const res = await postPrescription(app, prescriber, 'epu-json', withNumber(number));
      assert.equal(res.status, 409, res.text);
    }
    const throttled = await postPrescription(app, prescriber, 'epu-json', withNumber(freshNumber()));
    assert.equal(throttled.status, 429, throttled.text);
    // Without a vendor number nothing is looked up: not throttled.
    const free = await postPrescription(app, prescriber, 'epu-json', withNumber(undefined));
    assert.equal(free.status, 201, free.text);
  });
});
