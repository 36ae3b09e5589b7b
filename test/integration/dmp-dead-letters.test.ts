/**
 * DMP feed, failures that retrying cannot fix: the job fails at its first attempt and stays in
 * the failed set (the dead letters) with its reason — an unknown number, a malformed job, a 4xx
 * answer of the document sharing server (here: a DMP_FHIR_BASE_URL pointing at a path the real
 * HAPI answers 404 to). Also the operations endpoints that show them: /metrics and /admin/queues.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { DMP_JOB_OPTIONS, enqueueDmpPublication } from '../../queue/dmp-jobs';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { QUEUE_NAMES } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import {
  shownPublicationStatus,
  startInProcessDmpWorker,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let pki: ThrowawayPki;
let dmpWorker: InProcessDmpWorker;

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
  dmpWorker = await startInProcessDmpWorker({
    config: gw.deps.config,
    fhir: gw.deps.fhir,
    pki,
    // A real server, a wrong path: HAPI answers 404 "Unknown resource type" to the transaction.
    env: { DMP_FHIR_BASE_URL: `${gw.deps.config.fhirBaseUrl}/Nonexistent` },
  });
});
after(async () => {
  await dmpWorker?.close();
  await gw?.close();
  await pki?.cleanup();
});

const queue = () => gw.deps.queues[QUEUE_NAMES.dmpPublish];
const operator = () => bearerFor({ role: 'operator' });

/** The series' value in a Prometheus text exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('dead letters', () => {
  test('a publication for a number no prescription has fails at once, with the reason', async () => {
    const number = freshNumber();
    await enqueueDmpPublication(gw.deps.queues, number, 1);
    const job = await waitForJobState(queue(), dmpJobId({ action: 'publish', number, version: 1 }));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1, 'not retried');
    assert.match(job.failedReason, new RegExp(`no prescription has the number ${number}`));
  });

  test('a deprecation for a number no prescription has fails at once, with the reason', async () => {
    const number = freshNumber();
    await enqueueDmpPublication(gw.deps.queues, number, 2, 'deprecate');
    const job = await waitForJobState(queue(), dmpJobId({ action: 'deprecate', number, version: 2 }));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1);
    assert.match(job.failedReason, /no prescription has the number/);
  });

  test('a malformed job fails at once, with the reason', async () => {
    const job = await queue().add(
      'publish',
      { number: 'not-a-number', version: 1, action: 'publish' },
      { ...DMP_JOB_OPTIONS, jobId: `malformed-${freshNumber()}` },
    );
    const done = await waitForJobState(queue(), job.id!);
    assert.equal(await done.getState(), 'failed');
    assert.equal(done.attemptsMade, 1);
    assert.match(done.failedReason, /malformed job/);
  });

  test('a 4xx from the document sharing server is not retried; the status says failed and why', async () => {
    const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
    const { number, auth } = await postUniqueExample(gw.app, example);
    const job = await waitForJobState(queue(), dmpJobId({ action: 'publish', number, version: 1 }));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1, 'a 4xx is not retried');
    assert.match(job.failedReason, /answered 404/);
    const failed = await queue().getFailed();
    assert.ok(
      failed.some((j) => j.id === job.id),
      'kept in the failed set',
    );

    const status = await shownPublicationStatus(gw.app, number, auth);
    assert.equal(status?.state, 'failed');
    assert.equal(status?.attempts, 1);
    assert.match(status?.reason ?? '', /answered 404/);
    const audited = await gw.deps.queues[QUEUE_NAMES.audit].getJob(`dmp-${job.id}-0`);
    assert.equal(audited?.data.event.name, 'dmp.publish');
    assert.equal(audited?.data.outcome.status, 500, 'a dead letter is audited as a failed export');
    assert.match(audited?.data.outcome.detail ?? '', /answered 404/);
  });
});

describe('operations endpoints', () => {
  test('/metrics exposes queue depth per state and the completed/failed totals', async () => {
    const res = await request(gw.app)
      .get('/metrics')
      .set('authorization', await operator())
      .expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/plain/);
    const text = res.text;
    assert.ok((sample(text, 'ordo_queue_jobs{queue="dmp-publish",state="failed"}') ?? 0) >= 4, text);
    assert.equal(sample(text, 'ordo_queue_jobs{queue="dmp-publish",state="active"}'), 0);
    assert.ok((sample(text, 'ordo_queue_failed_total{queue="dmp-publish"}') ?? 0) >= 4, text);
    assert.notEqual(sample(text, 'ordo_queue_completed_total{queue="dmp-publish"}'), undefined);
    assert.notEqual(
      sample(text, 'ordo_queue_jobs{queue="audit",state="waiting"}'),
      undefined,
      'every queue is reported',
    );
  });

  test('the worker counts its dead letters and times its stages', async () => {
    const text = await dmpWorker.registry.metrics();
    assert.ok((sample(text, 'ordo_dmp_jobs_total{action="publish",outcome="dead-letter"}') ?? 0) >= 2, text);
    assert.ok((sample(text, 'ordo_dmp_stage_duration_seconds_count{stage="sign"}') ?? 0) >= 1, text);
  });

  test('/admin/queues serves the dashboard and its API lists the dead letters', async () => {
    const auth = await operator();
    const page = await request(gw.app).get('/admin/queues').set('authorization', auth).expect(200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.text, /<div id="root">/);
    const api = await request(gw.app)
      .get('/admin/queues/api/queues')
      .query({ activeQueue: QUEUE_NAMES.dmpPublish, status: 'failed', page: 1 })
      .set('authorization', auth)
      .expect(200);
    const dmp = (
      api.body.queues as Array<{ name: string; counts: Record<string, number>; jobs: Array<{ failedReason?: string }> }>
    ).find((q) => q.name === QUEUE_NAMES.dmpPublish);
    assert.ok(dmp, JSON.stringify(api.body).slice(0, 500));
    assert.ok(dmp.counts.failed! >= 4);
    assert.ok(dmp.jobs.some((j) => /no prescription has the number/.test(j.failedReason ?? '')));
  });
});
