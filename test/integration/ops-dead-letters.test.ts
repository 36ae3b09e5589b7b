/**
 * The dead letters over HTTP, as the console's Operations page calls them (GET /admin/dead-letters,
 * POST /admin/dead-letters/{queue}/{jobId}/retry), against the real stack: a DMP publication
 * dead-lettered by a document sharing server that refuses it (a 4xx: DMP_FHIR_BASE_URL names a path
 * HAPI answers 404 to) is listed, retried by an operator once the server is right, and published;
 * the retry is in the audit trail under the operator's identity, which an auditor reads through the
 * auditor API; an auditor or a pharmacist may neither list nor retry (403, audited too).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditEvent, Bundle } from 'fhir/r4';
import request from 'supertest';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { AUDIT_EVENT_NAME_SYSTEM, GATEWAY_ROLE_SYSTEM, IDNATPS_SYSTEM } from '../../fhir/systems';
import { DMP_JOB_OPTIONS } from '../../queue/dmp-jobs';
import { QUEUE_NAMES } from '../../queue/queues';
import { DEAD_LETTERS_SHOWN } from '../../gateway/routes/dead-letters';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import type { DeadLetter } from '../../domain/dead-letter';
import { bearerFor } from '../support/auth';
import { documentsOfPatient, startInProcessDmpWorker, waitForJobState, type InProcessDmpWorker } from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postUniqueExample } from '../support/post-prescription';
import { syntheticRpps } from '../support/synthetic';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';

let gw: TestGateway;
let pki: ThrowawayPki;
let auditWorker: TestAuditWorker;
let dmpWorker: InProcessDmpWorker | undefined;

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
  auditWorker = startAuditWorker(gw);
});
after(async () => {
  await dmpWorker?.close();
  await auditWorker?.close();
  await gw?.close();
  await pki?.cleanup();
});

const queue = () => gw.deps.queues[QUEUE_NAMES.dmpPublish];
const operatorRpps = syntheticRpps();
const operator = () => bearerFor({ role: 'operator', rpps: operatorRpps });
const auditor = () => bearerFor({ role: 'auditor' });
const pharmacist = () => bearerFor({ role: 'dispenser', profession: 'pharmacist' });

/** The AuditEvents of one event name on one prescription, through the auditor API. */
async function auditEventsOf(number: string, name: string): Promise<AuditEvent[]> {
  await auditWorker.drain();
  const res = await request(gw.app)
    .get('/audit/fhir/AuditEvent')
    .query({
      'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
      subtype: `${AUDIT_EVENT_NAME_SYSTEM}|${name}`,
    })
    .set('authorization', await auditor());
  assert.equal(res.status, 200, res.text);
  return ((res.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource!);
}

const queryOf = (event: AuditEvent): string | undefined => {
  const query = event.entity?.find((e) => e.query !== undefined)?.query;
  return query === undefined ? undefined : Buffer.from(query, 'base64').toString('utf8');
};

test('a dead-lettered publication: listed and retried over HTTP by an operator, published, audited', async () => {
  dmpWorker = await startInProcessDmpWorker({
    config: gw.deps.config,
    fhir: gw.deps.fhir,
    pki,
    env: { DMP_FHIR_BASE_URL: `${gw.deps.config.fhirBaseUrl}/Nonexistent` },
  });
  const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
  const { number, ins } = await postUniqueExample(gw.app, example);
  const jobId = dmpJobId({ action: 'publish', number, version: 1 });
  assert.equal(await (await waitForJobState(queue(), jobId)).getState(), 'failed');
  await dmpWorker.close();
  dmpWorker = undefined;

  // Both queues by default; one when asked.
  const listed = await request(gw.app)
    .get('/admin/dead-letters')
    .set('authorization', await operator());
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.headers['cache-control'], 'no-store');
  assert.deepEqual(listed.body.queues, ['dmp-publish', 'audit']);
  assert.equal(listed.body.counts['dmp-publish'], await queue().getFailedCount());
  assert.ok(listed.body.counts['dmp-publish'] >= 1);
  const letter = (listed.body.deadLetters as DeadLetter[]).find((l) => l.id === jobId);
  assert.ok(letter, listed.text);
  assert.equal(letter.queue, 'dmp-publish');
  assert.equal(letter.number, number);
  assert.equal(letter.action, 'publish');
  assert.equal(letter.attempts, 1);
  assert.match(letter.reason, /answered 404/);
  assert.match(letter.failedAt ?? '', /^\d{4}-\d\d-\d\dT/);
  const onlyAudit = await request(gw.app)
    .get('/admin/dead-letters?queue=audit')
    .set('authorization', await operator());
  assert.equal(onlyAudit.status, 200, onlyAudit.text);
  assert.ok(!(onlyAudit.body.deadLetters as DeadLetter[]).some((l) => l.id === jobId));
  const unknown = await request(gw.app)
    .get('/admin/dead-letters?queue=nope')
    .set('authorization', await operator());
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.issue[0].diagnostics, /unknown queue "nope"; one of dmp-publish, audit/);

  // Neither an auditor nor a pharmacist may list or retry: the job stays a dead letter.
  for (const who of [auditor, pharmacist]) {
    const list = await request(gw.app)
      .get('/admin/dead-letters')
      .set('authorization', await who());
    assert.equal(list.status, 403, list.text);
    const retry = await request(gw.app)
      .post(`/admin/dead-letters/dmp-publish/${jobId}/retry`)
      .set('authorization', await who());
    assert.equal(retry.status, 403, retry.text);
    assert.equal(retry.body.issue[0].code, 'forbidden');
  }
  assert.equal(await (await queue().getJob(jobId))!.getState(), 'failed');

  // The document sharing server is right again (the worker's default: the gateway's FHIR store).
  dmpWorker = await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
  const retried = await request(gw.app)
    .post(`/admin/dead-letters/dmp-publish/${jobId}/retry`)
    .set('authorization', await operator());
  assert.equal(retried.status, 200, retried.text);
  assert.equal(retried.body.retried.id, jobId);
  assert.equal(retried.body.retried.number, number);
  assert.ok(['waiting', 'active', 'completed'].includes(retried.body.state), retried.text);
  const done = await waitForJobState(queue(), jobId);
  assert.equal(await done.getState(), 'completed', done.failedReason);
  assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 1, 'published once');
  const after = await request(gw.app)
    .get('/admin/dead-letters')
    .set('authorization', await operator());
  assert.ok(!(after.body.deadLetters as DeadLetter[]).some((l) => l.id === jobId), 'no longer a dead letter');

  // A job that is not failed is not run again; an unknown one is not found.
  const again = await request(gw.app)
    .post(`/admin/dead-letters/dmp-publish/${jobId}/retry`)
    .set('authorization', await operator());
  assert.equal(again.status, 409, again.text);
  assert.match(again.body.issue[0].diagnostics, new RegExp(`job ${jobId} is completed, not a dead letter`));
  const missing = await request(gw.app)
    .post(`/admin/dead-letters/dmp-publish/publish-${freshNumber()}-v1/retry`)
    .set('authorization', await operator());
  assert.equal(missing.status, 404, missing.text);
  const notAnId = await request(gw.app)
    .post(`/admin/dead-letters/dmp-publish/${encodeURIComponent('*')}/retry`)
    .set('authorization', await operator());
  assert.equal(notAnId.status, 400, notAnId.text);
  const unknownQueue = await request(gw.app)
    .post(`/admin/dead-letters/nope/${jobId}/retry`)
    .set('authorization', await operator());
  assert.equal(unknownQueue.status, 400, unknownQueue.text);

  // The retry is in the prescription's trail, under the operator's identity, as an auditor reads it.
  const retries = await auditEventsOf(number, 'ops.dead-letters.retry');
  const byOutcome = new Map(retries.map((e) => [e.outcome, e]));
  const success = byOutcome.get('0');
  assert.ok(success, JSON.stringify(retries.map((e) => [e.outcome, e.outcomeDesc])));
  assert.equal(success.action, 'U');
  const user = success.agent.find((a) => a.requestor);
  assert.equal(user?.who?.identifier?.system, IDNATPS_SYSTEM);
  assert.equal(user?.who?.identifier?.value, `8${operatorRpps}`);
  assert.ok(user?.role?.some((r) => r.coding?.some((c) => c.system === GATEWAY_ROLE_SYSTEM && c.code === 'operator')));
  assert.equal(queryOf(success), `/admin/dead-letters/dmp-publish/${jobId}/retry`);
  assert.ok(success.entity?.some((e) => e.what?.reference?.startsWith('RequestGroup/')));
  const refusedAgain = byOutcome.get('4');
  assert.match(refusedAgain?.outcomeDesc ?? '', /HTTP 409/, 'the refused second retry is recorded too');
  const published = await auditEventsOf(number, 'dmp.publish');
  assert.ok(
    published.some((e) => e.outcome === '0' && e.recorded > success.recorded),
    'published after the retry',
  );

  // The refused attempts are recorded as refusals, with the job they asked for.
  await auditWorker.drain();
  const refusals = await request(gw.app)
    .get('/audit/fhir/AuditEvent')
    .query({ subtype: `${AUDIT_EVENT_NAME_SYSTEM}|ops.dead-letters.retry`, outcome: '4', _count: '50' })
    .set('authorization', await auditor());
  assert.equal(refusals.status, 200, refusals.text);
  const refused = ((refusals.body as Bundle<AuditEvent>).entry ?? [])
    .map((e) => e.resource!)
    .filter(
      (e) => /^HTTP 403/.test(e.outcomeDesc ?? '') && queryOf(e) === `/admin/dead-letters/dmp-publish/${jobId}/retry`,
    );
  assert.equal(refused.length, 2, 'the auditor’s and the pharmacist’s refused retries');
});

test('a long dead-letter list: the most recent of each queue, and how many there are', async () => {
  // Malformed publications fail at once (no retry), each into the dead letters.
  dmpWorker ??= await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
  const ids = Array.from({ length: DEAD_LETTERS_SHOWN + 5 }, (_, i) => `malformed-${i}-${freshNumber()}`);
  for (const jobId of ids)
    await queue().add(
      'publish',
      { number: 'not-a-number', version: 1, action: 'publish' },
      { ...DMP_JOB_OPTIONS, jobId },
    );
  await waitForJobState(queue(), ids[ids.length - 1]!);
  for (const jobId of ids) assert.equal(await (await waitForJobState(queue(), jobId)).getState(), 'failed');

  const listed = await request(gw.app)
    .get('/admin/dead-letters?queue=dmp-publish')
    .set('authorization', await operator());
  assert.equal(listed.status, 200);
  const letters = listed.body.deadLetters as DeadLetter[];
  assert.equal(letters.length, DEAD_LETTERS_SHOWN);
  assert.equal(listed.body.counts['dmp-publish'], await queue().getFailedCount());
  assert.ok(listed.body.counts['dmp-publish'] >= ids.length);
  const failedAt = letters.map((l) => l.failedAt ?? '');
  assert.deepEqual([...failedAt].sort(), failedAt, 'oldest failure first');
  // The most recent ones: the last one made is there.
  assert.ok(letters.some((l) => l.id === ids[ids.length - 1]));
});
