/**
 * A replaced prescription in the DMP (README "Replacing a prescription"), with real workers:
 *  - published, then replaced: the replacement's DocumentReference `relatesTo` `replaces` the old
 *    entry, the old entry is `superseded`, in one provide bundle;
 *  - the same with the worker killed (kill -9) between publishing the replacement and
 *    acknowledging it: the job taken over stores nothing more — one new entry, the old one
 *    superseded once;
 *  - the old prescription never published (the patient objected then), or its publication still
 *    queued when it is replaced: the old job is skipped (replaced) and the replacement is
 *    published plainly.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import request from 'supertest';
import type { Bundle, DocumentReference } from 'fhir/r4';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { PublishResult } from '../../usecases/dmp/publish';
import { QUEUE_NAMES } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import {
  documentsOfPatient,
  shownPublicationStatus,
  childWorkerEnv,
  childWorkersKilledAfterEach,
  spawnWorker,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { uniquify, vendorExamples } from '../support/vendor-fixtures';

const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-drugs-only.json')!;

let pki: ThrowawayPki | undefined;
const opened: Array<{ close(): Promise<void> }> = [];
const children = childWorkersKilledAfterEach();

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});
after(async () => {
  await pki?.cleanup();
});

async function gateway(): Promise<TestGateway> {
  pki ??= await createThrowawayPki();
  const gw = await startTestGateway();
  opened.push(gw);
  return gw;
}

async function inProcessWorker(gw: TestGateway): Promise<InProcessDmpWorker> {
  const w = await startInProcessDmpWorker({
    config: gw.deps.config,
    fhir: gw.deps.fhir,
    pki: pki!,
    pendingPublicationDelayMs: 200,
  });
  opened.push(w);
  return w;
}

/** An epu-json prescription for `ins` (a fresh patient by default); `dmpOptOut` the patient's DMP choice. */
function payload(ins?: string, dmpOptOut = false): { body: string; ins: string; rpps: string } {
  const unique = uniquify(example);
  const json = JSON.parse(unique.body.toString('utf8'));
  if (ins !== undefined) json.patient.ins.valeur = ins;
  json.consentement.oppositionAlimentationDMP = dmpOptOut;
  return { body: JSON.stringify(json), ins: ins ?? unique.ins, rpps: unique.prescriberRpps! };
}

async function prescribe(gw: TestGateway, dmpOptOut = false) {
  const { body, ins, rpps } = payload(undefined, dmpOptOut);
  const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
  const res = await request(gw.app)
    .post('/prescriptions')
    .set('authorization', auth)
    .set('content-type', 'application/json')
    .send(body);
  assert.equal(res.status, 201, res.text);
  return { number: res.body.number as string, ins, auth };
}

async function replace(
  gw: TestGateway,
  old: { number: string; ins: string; auth: string },
  dmpOptOut = false,
): Promise<string> {
  const res = await request(gw.app)
    .post(`/prescriptions/${old.number}/replace`)
    .set('authorization', old.auth)
    .set('content-type', 'application/json')
    .send(payload(old.ins, dmpOptOut).body);
  assert.equal(res.status, 201, res.text);
  return res.body.number as string;
}

const numberOf = (doc: DocumentReference): string | undefined => doc.context?.related?.[0]?.identifier?.value;
const entryOf = (docs: DocumentReference[], number: string): DocumentReference[] =>
  docs.filter((d) => numberOf(d) === number);

async function versionsOf(gw: TestGateway, doc: DocumentReference): Promise<number> {
  const { resource } = await gw.deps.fhir.request<Bundle>('GET', `DocumentReference/${doc.id}/_history`);
  return (resource.entry ?? []).length;
}

async function published(gw: TestGateway, number: string): Promise<PublishResult> {
  const job = await waitForJobState(
    gw.deps.queues[QUEUE_NAMES.dmpPublish],
    dmpJobId({ action: 'publish', number, version: 1 }),
  );
  assert.equal(await job.getState(), 'completed', job.failedReason);
  return job.returnvalue as PublishResult;
}

/** The replacement's entry relates to (replaces) the old entry, now superseded; one entry each. */
async function assertReplacedInDmp(gw: TestGateway, ins: string, oldNumber: string, newNumber: string) {
  const docs = await documentsOfPatient(gw.deps.fhir, ins);
  const [old] = entryOf(docs, oldNumber);
  const fresh = entryOf(docs, newNumber);
  assert.equal(docs.length, 2, 'one entry per prescription');
  assert.equal(fresh.length, 1);
  assert.equal(old?.status, 'superseded');
  assert.equal(fresh[0]!.status, 'current');
  assert.deepEqual(fresh[0]!.relatesTo, [{ code: 'replaces', target: { reference: `DocumentReference/${old!.id}` } }]);
  assert.equal(await versionsOf(gw, old!), 2, 'the old entry was updated once (current → superseded)');
}

describe('a replaced prescription in the DMP', () => {
  test('published, then replaced: the new entry replaces the old one, which is superseded, in one provide bundle', async () => {
    const gw = await gateway();
    await inProcessWorker(gw);
    const old = await prescribe(gw);
    assert.equal((await published(gw, old.number)).outcome, 'published');

    const newNumber = await replace(gw, old);
    const result = await published(gw, newNumber);
    assert.ok(result.outcome === 'published');
    assert.equal(result.created, true);
    await assertReplacedInDmp(gw, old.ins, old.number, newNumber);
    const [oldDoc] = entryOf(await documentsOfPatient(gw.deps.fhir, old.ins), old.number);
    assert.deepEqual(await shownPublicationStatus(gw.app, old.number, old.auth), {
      state: 'published',
      attempts: 1,
      documentReferenceId: oldDoc!.id,
      documentStatus: 'superseded',
    });
  });

  test('the patient objects to the DMP feed in the replacement: nothing published, the old entry deprecated', async () => {
    const gw = await gateway();
    await inProcessWorker(gw);
    const old = await prescribe(gw);
    assert.equal((await published(gw, old.number)).outcome, 'published');
    const newNumber = await replace(gw, old, true);
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    assert.equal(await queue.getJob(dmpJobId({ action: 'publish', number: newNumber, version: 1 })), undefined);
    const deprecation = (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).find(
      (j) => j.data.number === old.number && j.data.action === 'deprecate',
    );
    assert.ok(deprecation, 'the old entry is deprecated');
    const done = await waitForJobState(queue, deprecation.id!);
    assert.equal(await done.getState(), 'completed', done.failedReason);
    const docs = await documentsOfPatient(gw.deps.fhir, old.ins);
    assert.deepEqual(
      docs.map((d) => [numberOf(d), d.status]),
      [[old.number, 'superseded']],
    );
  });

  test('kill -9 of the worker between publishing the replacement and acknowledging it: exactly once', async () => {
    const gw = await gateway();
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    const first = await inProcessWorker(gw);
    const old = await prescribe(gw);
    assert.equal((await published(gw, old.number)).outcome, 'published');
    await first.close();

    const env = childWorkerEnv(gw.deps.config, pki!);
    const paused = await spawnWorker({ ...env, TEST_PAUSE_AFTER_PUBLISH_MS: '600000' });
    children.push(paused);
    const newNumber = await replace(gw, old);
    const jobId = dmpJobId({ action: 'publish', number: newNumber, version: 1 });
    await waitFor('the replacement in the DMP store', async () =>
      entryOf(await documentsOfPatient(gw.deps.fhir, old.ins), newNumber).length > 0 ? true : undefined,
    );
    assert.equal(await queue.getJobState(jobId), 'active', 'published but not acknowledged');
    await assertReplacedInDmp(gw, old.ins, old.number, newNumber);
    paused.child.kill('SIGKILL');
    assert.equal((await paused.exited).signal, 'SIGKILL');

    const second = await spawnWorker(env);
    children.push(second);
    const job = await waitForJobState(queue, jobId);
    assert.equal(await job.getState(), 'completed', `${job.failedReason}\n${second.output()}`);
    const result = job.returnvalue as PublishResult;
    assert.ok(result.outcome === 'published');
    assert.equal(result.created, false, 'the re-run found what the killed worker had stored');
    await assertReplacedInDmp(gw, old.ins, old.number, newNumber);
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0, second.output());
  });

  test('the old prescription never published (the patient objected then): the replacement is published plainly', async () => {
    const gw = await gateway();
    await inProcessWorker(gw);
    const old = await prescribe(gw, true);
    const newNumber = await replace(gw, old);
    assert.equal((await published(gw, newNumber)).outcome, 'published');
    const docs = await documentsOfPatient(gw.deps.fhir, old.ins);
    assert.deepEqual(
      docs.map((d) => [numberOf(d), d.status, d.relatesTo]),
      [[newNumber, 'current', undefined]],
    );
  });

  test('replaced while its publication is still queued: the old job is skipped, the replacement published plainly', async () => {
    const gw = await gateway();
    const old = await prescribe(gw);
    const newNumber = await replace(gw, old);
    await inProcessWorker(gw);
    const oldJob = await published(gw, old.number);
    assert.deepEqual(oldJob, { outcome: 'skipped', reason: 'prescription-replaced' });
    assert.equal((await published(gw, newNumber)).outcome, 'published');
    const docs = await documentsOfPatient(gw.deps.fhir, old.ins);
    assert.deepEqual(
      docs.map((d) => [numberOf(d), d.status, d.relatesTo]),
      [[newNumber, 'current', undefined]],
    );
  });
});
