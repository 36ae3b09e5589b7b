/**
 * The real worker process (queue/worker.ts) as a child process, for what only a process can show:
 *  - kill -9 between publishing and acknowledging (held there by the test hook
 *    TEST_PAUSE_AFTER_PUBLISH_MS): a second worker takes the stalled job over, re-runs it, and
 *    the conditional creates store nothing new — exactly one document;
 *  - SIGTERM with a job in flight: the job finishes, then the process exits 0;
 *  - the worker's own /metrics (latency histograms live in the workers).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { DMP_DOCUMENT_TAG_SYSTEM } from '../../documents/dmp/mhd';
import type { PublishResult } from '../../usecases/dmp/publish';
import { QUEUE_NAMES } from '../../queue/queues';
import {
  childWorkerEnv,
  countOf,
  documentsOfPatient,
  childWorkersKilledAfterEach,
  spawnWorker,
  waitFor,
  waitForJobState,
  type ChildWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let pki: ThrowawayPki;
const children = childWorkersKilledAfterEach();

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
});
after(async () => {
  await gw?.close();
  await pki?.cleanup();
});

const workerEnv = (extra: Record<string, string> = {}) => childWorkerEnv(gw.deps.config, pki, extra);

async function start(extra: Record<string, string> = {}): Promise<ChildWorker> {
  const worker = await spawnWorker(workerEnv(extra));
  children.push(worker);
  return worker;
}

async function post(name: string): Promise<{ number: string; ins: string }> {
  const example = vendorExamples().find((e) => `${e.format}/${e.name}` === name)!;
  const { number, ins } = await postUniqueExample(gw.app, example);
  return { number, ins };
}

const published = (ins: string) =>
  waitFor('the document in the DMP store', async () =>
    (await documentsOfPatient(gw.deps.fhir, ins)).length > 0 ? true : undefined,
  );

test('kill -9 after publishing, before acknowledging: another worker finishes the job, exactly one document', async () => {
  const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
  const first = await start({ TEST_PAUSE_AFTER_PUBLISH_MS: '600000' });
  const { number, ins } = await post('lgc-xml/valid-mixed-drugs-device-nursing.xml');
  const jobId = dmpJobId({ action: 'publish', number, version: 1 });

  await published(ins);
  assert.equal(await queue.getJobState(jobId), 'active', 'published but not acknowledged');
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');

  const second = await start();
  const job = await waitForJobState(queue, jobId);
  assert.equal(await job.getState(), 'completed', `${job.failedReason}\n${second.output()}`);
  const result = job.returnvalue as PublishResult;
  assert.ok(result.outcome === 'published');
  assert.equal(result.created, false, 'the re-run found what the killed worker had stored');

  const docs = await documentsOfPatient(gw.deps.fhir, ins);
  assert.equal(docs.length, 1, 'exactly one DocumentReference');
  assert.equal(
    await countOf(gw.deps.fhir, 'Binary', { _tag: `${DMP_DOCUMENT_TAG_SYSTEM}|${result.uniqueId}` }),
    1,
    'one Binary',
  );
  assert.equal(
    await countOf(gw.deps.fhir, 'List', { item: `DocumentReference/${docs[0]!.id}` }),
    1,
    'one SubmissionSet',
  );

  const metrics = await (await fetch(`http://127.0.0.1:${second.healthPort}/metrics`)).text();
  assert.match(metrics, /^ordo_dmp_jobs_total\{action="publish",outcome="published"\} 1$/m);
  assert.match(metrics, /^ordo_dmp_publish_latency_seconds_count\{action="publish"\} 1$/m);
  assert.match(metrics, /^ordo_dmp_stage_duration_seconds_bucket\{le="[^"]+",stage="sign"\} \d+$/m);

  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, second.output());
});

test('SIGTERM with a job in flight: the job finishes, then the worker exits 0', async () => {
  const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
  const worker = await start({ TEST_PAUSE_AFTER_PUBLISH_MS: '1500' });
  const { number, ins } = await post('epu-json/valid-drugs-only.json');
  const jobId = dmpJobId({ action: 'publish', number, version: 1 });

  await published(ins);
  assert.equal(await queue.getJobState(jobId), 'active');
  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  assert.equal(exit.code, 0, worker.output());
  assert.equal(await queue.getJobState(jobId), 'completed', 'the in-flight job was acknowledged before the exit');
  assert.match(worker.output(), /worker stopped/);
});
