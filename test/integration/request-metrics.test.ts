/**
 * The gateway's /metrics counts and times HTTP requests by route *template*: after a stored
 * prescription is read, refused and missed, the series name `/prescriptions/:number` and never the
 * concrete number (no patient data or prescription number in a label).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { bearerFor } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postUniqueExample } from '../support/post-prescription';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw?.close();
});

/** The series' value in a Prometheus text exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('/metrics: request count and latency by method, route template and status; no number in a label', async () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-'))!;
  const { number, auth } = await postUniqueExample(gw.app, example);
  const pharmacist = await bearerFor({ role: 'dispenser', profession: 'pharmacist' });
  await request(gw.app).get(`/prescriptions/${number}`).set('authorization', pharmacist).expect(200);
  await request(gw.app).get(`/prescriptions/${number}`).set('authorization', pharmacist).expect(200);
  const missing = freshNumber();
  await request(gw.app).get(`/prescriptions/${missing}`).set('authorization', pharmacist).expect(404);
  await request(gw.app).get(`/prescriptions/${number}`).expect(401);
  await request(gw.app).get('/no/such/route').set('authorization', auth).expect(403);

  const res = await request(gw.app)
    .get('/metrics')
    .set('authorization', await bearerFor({ role: 'operator' }))
    .expect(200);
  const text = res.text;
  const read = 'method="GET",route="/prescriptions/:number"';
  assert.equal(sample(text, `http_requests_total{${read},status="200"}`), 2, text);
  assert.equal(sample(text, `http_requests_total{${read},status="404"}`), 1, text);
  assert.equal(sample(text, `http_requests_total{${read},status="401"}`), 1, text);
  assert.equal(sample(text, 'http_requests_total{method="POST",route="/prescriptions",status="201"}'), 1, text);
  assert.equal(sample(text, 'http_requests_total{method="GET",route="unmatched",status="403"}'), 1, text);
  assert.equal(sample(text, `http_request_duration_seconds_count{${read},status="200"}`), 2, text);
  assert.equal(sample(text, `http_request_duration_seconds_bucket{le="+Inf",${read},status="200"}`), 2, text);
  assert.ok((sample(text, `http_request_duration_seconds_sum{${read},status="200"}`) ?? 0) > 0, text);
  assert.ok(!text.includes(number), 'the prescription number is in no label');
  assert.ok(!text.includes(missing), 'nor a number that was asked and not found');
  assert.ok(!text.includes('/no/such/route'), 'nor an unmatched path');
  assert.match(text, /^ordo_queue_jobs\{/m, 'the queue series are still there');
});
