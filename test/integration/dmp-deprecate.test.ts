/**
 * A cancelled prescription in the DMP (PDSm metadata update: the entry becomes `superseded`,
 * XDS "Deprecated"), driven through the real cancel endpoint, with a real worker:
 *  - published, then cancelled: the one entry is superseded, nothing else is stored, and running
 *    the deprecation again changes nothing;
 *  - cancelled while its publication is being published: the deprecation waits for it, then
 *    supersedes what it published;
 *  - cancelled before any worker ran: nothing reaches the DMP.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import request from 'supertest';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { DeprecateResult } from '../../usecases/dmp/deprecate';
import type { PublishResult } from '../../usecases/dmp/publish';
import { QUEUE_NAMES } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import {
  documentsOfPatient,
  shownPublicationStatus,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { uniquify, vendorExamples } from '../support/vendor-fixtures';

const example = vendorExamples().find(
  (e) => e.format === 'epu-json' && e.name === 'valid-mixed-drugs-device-nursing.json',
)!;

let pki: ThrowawayPki | undefined;
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});
after(async () => {
  await pki?.cleanup();
});

async function setUp(
  pauseAfterPublishMs?: number,
  startWorker = true,
): Promise<{ gw: TestGateway; worker: () => Promise<InProcessDmpWorker> }> {
  pki ??= await createThrowawayPki();
  const gw = await startTestGateway();
  opened.push(gw);
  const worker = async () => {
    const w = await startInProcessDmpWorker({
      config: gw.deps.config,
      fhir: gw.deps.fhir,
      pki: pki!,
      ...(pauseAfterPublishMs ? { pauseAfterPublishMs } : {}),
    });
    opened.push(w);
    return w;
  };
  if (startWorker) await worker();
  return { gw, worker };
}

async function postAndCancelLater(gw: TestGateway) {
  const unique = uniquify(example);
  const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
  const res = await request(gw.app)
    .post('/prescriptions')
    .set('authorization', auth)
    .set('content-type', 'application/json')
    .send(unique.body.toString())
    .expect(201);
  const number = res.body.number as string;
  return {
    number,
    ins: unique.ins,
    auth,
    cancel: async () => {
      await request(gw.app).post(`/prescriptions/${number}/cancel`).set('authorization', auth).expect(200);
      const jobs = await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJobs([
        'waiting',
        'active',
        'delayed',
        'completed',
        'failed',
        'prioritized',
      ]);
      const deprecation = jobs.find((j) => j.data.number === number && j.data.action === 'deprecate');
      assert.ok(deprecation, 'the cancellation queued a deprecation');
      return deprecation.id!;
    },
  };
}

describe('deprecation of a cancelled prescription', () => {
  test('published then cancelled: the entry becomes superseded, exactly once', async () => {
    const { gw } = await setUp();
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    const p = await postAndCancelLater(gw);
    const publication = await waitForJobState(queue, dmpJobId({ action: 'publish', number: p.number, version: 1 }));
    assert.equal((publication.returnvalue as PublishResult).outcome, 'published');
    const [published] = await documentsOfPatient(gw.deps.fhir, p.ins);
    assert.equal(published?.status, 'current');

    const deprecationId = await p.cancel();
    const deprecation = await waitForJobState(queue, deprecationId);
    assert.equal(await deprecation.getState(), 'completed', deprecation.failedReason);
    assert.deepEqual(deprecation.returnvalue as DeprecateResult, {
      outcome: 'deprecated',
      documentReferenceIds: [published!.id],
    });

    const docs = await documentsOfPatient(gw.deps.fhir, p.ins);
    assert.equal(docs.length, 1, 'no new entry: a metadata update');
    assert.equal(docs[0]!.status, 'superseded');
    const version = docs[0]!.meta?.versionId;
    assert.deepEqual(await shownPublicationStatus(gw.app, p.number, p.auth), {
      state: 'published',
      attempts: 1,
      documentReferenceId: published!.id,
      documentStatus: 'superseded',
    });

    // Run the deprecation again (a re-run after a crash): the entry is not touched.
    await deprecation.retry('completed');
    await waitFor('the second run', async () => {
      const job = await queue.getJob(deprecationId);
      return job && job.finishedOn !== deprecation.finishedOn && (await job.getState()) === 'completed'
        ? job
        : undefined;
    });
    const again = await documentsOfPatient(gw.deps.fhir, p.ins);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.meta?.versionId, version);
  });

  test('cancelled while being published: the deprecation waits for the publication, then supersedes it', async () => {
    const { gw } = await setUp(2000);
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    const p = await postAndCancelLater(gw);
    const publicationId = dmpJobId({ action: 'publish', number: p.number, version: 1 });
    // Published, and the worker is holding the job before acknowledging it.
    await waitFor('the document in the DMP store', async () =>
      (await documentsOfPatient(gw.deps.fhir, p.ins)).length > 0 ? true : undefined,
    );
    assert.equal(await queue.getJobState(publicationId), 'active');

    const deprecationId = await p.cancel();
    const deprecation = await waitForJobState(queue, deprecationId);
    assert.equal(await deprecation.getState(), 'completed', deprecation.failedReason);
    assert.equal((deprecation.returnvalue as DeprecateResult).outcome, 'deprecated');
    assert.equal(await queue.getJobState(publicationId), 'completed', 'the publication finished first');
    const docs = await documentsOfPatient(gw.deps.fhir, p.ins);
    assert.deepEqual(
      docs.map((d) => d.status),
      ['superseded'],
    );
  });

  test('cancelled before any worker ran: nothing reaches the DMP', async () => {
    const { gw, worker } = await setUp(undefined, false);
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    const p = await postAndCancelLater(gw);
    assert.deepEqual(await shownPublicationStatus(gw.app, p.number, p.auth), { state: 'queued', attempts: 0 });
    const deprecationId = await p.cancel();
    await worker();
    const publication = await waitForJobState(queue, dmpJobId({ action: 'publish', number: p.number, version: 1 }));
    const deprecation = await waitForJobState(queue, deprecationId);
    assert.deepEqual(publication.returnvalue as PublishResult, {
      outcome: 'skipped',
      reason: 'prescription-cancelled',
    });
    assert.deepEqual(deprecation.returnvalue as DeprecateResult, { outcome: 'nothing-published' });
    assert.equal((await documentsOfPatient(gw.deps.fhir, p.ins)).length, 0);
    assert.deepEqual(await shownPublicationStatus(gw.app, p.number, p.auth), {
      state: 'not-requested',
      reason: 'prescription-cancelled',
      attempts: 1,
    });
  });
});
