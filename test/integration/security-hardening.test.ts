/**
 * Transport hardening: every route that reads a body refuses one over 1 MiB (413, before
 * parsing), an unauthenticated body is not read at all, the security headers are set, and a path
 * segment naming an inherited object member finds nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { bearerFor, type TestIdentity } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postUniqueExample } from '../support/post-prescription';
import { example, freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const prescriber: TestIdentity = { role: 'prescriber', profession: 'doctor' };
const pharmacist: TestIdentity = { role: 'dispenser', profession: 'pharmacist' };
const big = JSON.stringify({ resourceType: 'Bundle', padding: 'x'.repeat(1_100_000) });

/** The routes that read a body (POST …/cancel reads none: whatever is sent is never buffered). */
const BODY_ROUTES: Array<[string, () => string, TestIdentity]> = [
  ['POST /prescriptions', () => '/prescriptions', prescriber],
  ['POST /prescriptions/scan', () => '/prescriptions/scan', pharmacist],
  ['POST /prescriptions/{n}/dispenses', () => `/prescriptions/${freshNumber()}/dispenses`, pharmacist],
  ['POST /prescriptions/{n}/consent', () => `/prescriptions/${freshNumber()}/consent`, pharmacist],
  ['POST /fhir/$process-message', () => '/fhir/$process-message', prescriber],
];

for (const [name, path, identity] of BODY_ROUTES) {
  test(`${name}: a body over 1 MiB is a 413 OperationOutcome`, async () => {
    const res = await request(gw.app)
      .post(path())
      .set('authorization', await bearerFor(identity))
      .set('content-type', 'application/fhir+json')
      .send(big);
    assert.equal(res.status, 413, res.text.slice(0, 200));
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });
}

test('without a token the body is not read: 401, not 413', async () => {
  await request(gw.app).post('/prescriptions').set('content-type', 'application/json').send(big).expect(401);
});

test('security headers (helmet) are set and the framework is not announced', async () => {
  const res = await request(gw.app)
    .get(`/prescriptions/${freshNumber()}`)
    .set('authorization', await bearerFor(pharmacist));
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.ok(res.headers['strict-transport-security']);
  assert.ok(res.headers['content-security-policy']);
  assert.equal(res.headers['x-powered-by'], undefined);
});

test('a document name that is an inherited object member is a 404, not a 500', async () => {
  const { number } = await postUniqueExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
  const auth = await bearerFor(pharmacist);
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const res = await request(gw.app).get(`/prescriptions/${number}/${name}`).set('authorization', auth);
    assert.equal(res.status, 404, `${name}: ${res.text}`);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  }
  await request(gw.app).get(`/prescriptions/${number}/qr.svg`).set('authorization', auth).expect(200);
});
