/**
 * The document sharing server goes away, then comes back: the worker reaches it through a TCP
 * relay that the test switches off and on again at the same address. The job fails with a
 * transient error, is retried with backoff (attempts counted, the status says why it waits), and
 * succeeds once the server is back: nothing is lost, exactly one document is stored.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { PublishResult } from '../../usecases/dmp/publish';
import { DMP_DOCUMENT_TAG_SYSTEM } from '../../documents/dmp/mhd';
import { QUEUE_NAMES } from '../../queue/queues';
import {
  countOf,
  documentsOfPatient,
  shownPublicationStatus,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';
import type { VendorFormat } from '../../domain/prescription';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let pki: ThrowawayPki;
let relay: TcpProxy | undefined;
let dmpWorker: InProcessDmpWorker;
let target: URL;

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
  target = new URL(gw.deps.config.fhirBaseUrl);
  relay = await startTcpProxy(target.hostname, Number(target.port || 80));
  dmpWorker = await startInProcessDmpWorker({
    config: gw.deps.config,
    fhir: gw.deps.fhir,
    pki,
    // No retry inside a request: every failure is an attempt of the job, retried by the queue.
    env: {
      DMP_FHIR_BASE_URL: `http://127.0.0.1:${relay.port}${target.pathname}`,
      DMP_RETRIES: '0',
      DMP_TIMEOUT_MS: '5000',
    },
  });
});
after(async () => {
  await dmpWorker?.close();
  await relay?.close();
  await gw?.close();
  await pki?.cleanup();
});

/** Posts a valid vendor example (made unique) as its prescriber. */
async function postExample(format: VendorFormat, name: string): Promise<{ number: string; ins: string; auth: string }> {
  const example = vendorExamples().find((e) => e.format === format && e.name === name)!;
  const { number, ins, auth } = await postUniqueExample(gw.app, example);
  return { number, ins, auth };
}

test('FHIR store down then back: the job retries with backoff and publishes exactly one document', async () => {
  const port = relay!.port;
  await relay!.close(); // the DMP store is now unreachable (connection refused)
  relay = undefined;

  const { number, ins, auth } = await postExample('fhir-message', 'valid-mixed-drugs-device-nursing.json');
  const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
  const jobId = dmpJobId({ action: 'publish', number, version: 1 });

  // Two attempts failed, the job waits for its next one (exponential backoff: 1 s, then 2 s…).
  const retrying = await waitFor('two failed attempts', async () => {
    const job = await queue.getJob(jobId);
    return job && job.attemptsMade >= 2 && (await job.getState()) === 'delayed' ? job : undefined;
  });
  assert.match(retrying.failedReason, /unreachable/);
  const status = await shownPublicationStatus(gw.app, number, auth);
  assert.equal(status?.state, 'queued');
  assert.ok((status?.attempts ?? 0) >= 2);
  assert.match(status?.reason ?? '', /unreachable/);
  assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 0, 'nothing published while the store is down');

  relay = await startTcpProxy(target.hostname, Number(target.port || 80), port); // back, same address

  const job = await waitForJobState(queue, jobId);
  assert.equal(await job.getState(), 'completed', job.failedReason);
  assert.ok(job.attemptsMade >= 3, `attempts ${job.attemptsMade}`);
  const result = job.returnvalue as PublishResult;
  assert.ok(result.outcome === 'published' && result.created);
  const docs = await documentsOfPatient(gw.deps.fhir, ins);
  assert.equal(docs.length, 1, 'exactly one document');
  assert.equal(await countOf(gw.deps.fhir, 'Binary', { _tag: `${DMP_DOCUMENT_TAG_SYSTEM}|${result.uniqueId}` }), 1);
  const published = await shownPublicationStatus(gw.app, number, auth);
  assert.equal(published?.state, 'published');
  assert.equal(published?.documentReferenceId, docs[0]!.id);
});

test('a store that stays down past the last attempt: dead letter, audited with how many attempts were made', async () => {
  const port = relay!.port;
  await relay!.close();
  relay = undefined;
  try {
    const { number } = await postExample('epu-json', 'valid-drugs-only.json');
    // A publication with two attempts and a short backoff (the intake's own job has eight, minutes apart).
    const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
    const jobId = dmpJobId({ action: 'publish', number, version: 2 });
    await queue.add(
      'publish',
      { number, version: 2, action: 'publish' },
      { jobId, attempts: 2, backoff: { type: 'fixed', delay: 100 } },
    );
    const job = await waitForJobState(queue, jobId);
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 2);
    const audited = await gw.deps.queues[QUEUE_NAMES.audit].getJob(`dmp-${jobId}-1`);
    assert.equal(audited?.data.outcome.status, 500, 'the give-up is audited as a failed export');
    assert.match(audited?.data.outcome.detail ?? '', /gave up after 2 attempts/);
    assert.equal(
      await gw.deps.queues[QUEUE_NAMES.audit].getJob(`dmp-${jobId}-0`),
      undefined,
      'a retried attempt is not audited',
    );
  } finally {
    relay = await startTcpProxy(target.hostname, Number(target.port || 80), port);
  }
});
