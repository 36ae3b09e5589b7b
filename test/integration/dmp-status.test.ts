/**
 * The DMP publication status of GET /prescriptions/{number} once the queue no longer knows the
 * job (finished jobs are removed after a week): the DMP store tells what was published, and a
 * prescription with neither a job nor a document is reported as never queued, not as published.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { PublishResult } from '../../usecases/dmp/publish';
import { QUEUE_NAMES } from '../../queue/queues';
import {
  shownPublicationStatus,
  startInProcessDmpWorker,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-drugs-only.json')!;

let gw: TestGateway;
let pki: ThrowawayPki;
let dmpWorker: InProcessDmpWorker | undefined;

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
});
after(async () => {
  await dmpWorker?.close();
  await gw?.close();
  await pki?.cleanup();
});

const queue = () => gw.deps.queues[QUEUE_NAMES.dmpPublish];

async function post(): Promise<{ number: string; auth: string }> {
  const { number, auth } = await postUniqueExample(gw.app, example);
  return { number, auth };
}

test('a job that was never run and is gone: failed, never queued', async () => {
  const { number, auth } = await post();
  const job = await queue().getJob(dmpJobId({ action: 'publish', number, version: 1 }));
  assert.ok(job, 'the intake queued the publication');
  await job.remove();
  const status = await shownPublicationStatus(gw.app, number, auth);
  assert.equal(status?.state, 'failed');
  assert.match(status?.reason ?? '', /never queued/);
});

test('a published prescription whose job was removed: published, from the DMP store', async () => {
  dmpWorker = await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
  const { number, auth } = await post();
  const job = await waitForJobState(queue(), dmpJobId({ action: 'publish', number, version: 1 }));
  const result = job.returnvalue as PublishResult;
  assert.equal(result.outcome, 'published', job.failedReason);
  await job.remove();
  assert.deepEqual(await shownPublicationStatus(gw.app, number, auth), {
    state: 'published',
    documentReferenceId: result.outcome === 'published' ? result.documentReferenceId : '',
    documentStatus: 'current',
  });
});
