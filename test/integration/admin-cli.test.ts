/**
 * The ordo-admin command, run as operators run it (a child process: `node --import tsx admin/cli.ts`)
 * against the real stack: a DMP publication dead-lettered by a document sharing server that refuses
 * it (a 4xx: DMP_FHIR_BASE_URL names a path HAPI answers 404 to) is listed, retried once the server
 * is right, and published; `republish` queues a published one again without duplicating anything;
 * every command leaves an AuditEvent naming the operator, which `audit <number>` shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QUEUE_NAMES } from '../../queue/queues';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { runAdmin, type AdminRun } from '../support/admin-cli';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import {
  documentsOfPatient,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postUniqueExample } from '../support/post-prescription';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';

const OPERATOR = 'ops-test.admin';

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

type Run = AdminRun;

/** ordo-admin as a separate process, on the test gateway's stack (its FHIR store, Redis and queue prefix). */
const admin = (args: string[], env: Record<string, string> = { ORDO_OPERATOR: OPERATOR }): Promise<Run> =>
  runAdmin(gw.deps.config, args, env);

const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

interface AuditLine {
  recorded: string;
  event: string;
  who?: string;
  outcome: string;
  outcomeDesc?: string;
  requestId?: string;
}

/** The prescription's trail as `audit <number> --json` prints it, once every queued record is written. */
async function trailOf(number: string): Promise<AuditLine[]> {
  await auditWorker.drain();
  const run = await admin(['audit', number, '--json']);
  assert.equal(run.code, 0, run.stderr);
  return json<{ events: AuditLine[] }>(run).events;
}

const queue = () => gw.deps.queues[QUEUE_NAMES.dmpPublish];

test('a dead-lettered publication: listed, retried, published; each step audited with the operator', async () => {
  dmpWorker = await startInProcessDmpWorker({
    config: gw.deps.config,
    fhir: gw.deps.fhir,
    pki,
    env: { DMP_FHIR_BASE_URL: `${gw.deps.config.fhirBaseUrl}/Nonexistent` },
  });
  const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
  const { number, ins, prescriberRpps } = await postUniqueExample(gw.app, example);
  const jobId = dmpJobId({ action: 'publish', number, version: 1 });
  assert.equal(await (await waitForJobState(queue(), jobId)).getState(), 'failed');
  await dmpWorker.close();
  dmpWorker = undefined;

  const listed = await admin(['dead-letters', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const letter = json<Array<{ id: string; number?: string; action: string; attempts: number; reason: string }>>(
    listed,
  ).find((l) => l.id === jobId);
  assert.ok(letter, listed.stdout);
  assert.equal(letter.number, number);
  assert.equal(letter.action, 'publish');
  assert.equal(letter.attempts, 1);
  assert.match(letter.reason, /answered 404/);
  const table = await admin(['dead-letters', 'list']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^JOB\s+NUMBER\s+ACTION\s+ATTEMPTS\s+FAILED AT\s+REASON$/m);
  assert.match(table.stdout, new RegExp(`^${jobId}\\s+${number}\\s+publish\\s+1\\s+\\S+\\s+.*answered 404`, 'm'));

  const before = await admin(['status', number, '--json']);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(json<{ dmpPublication: { state: string } }>(before).dmpPublication.state, 'failed');

  // The document sharing server is right again (the worker's default: the gateway's FHIR store).
  dmpWorker = await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
  const retried = await admin(['dead-letters', 'retry', jobId, '--operator', 'ops-retrier']);
  assert.equal(retried.code, 0, retried.stderr);
  assert.match(retried.stdout, new RegExp(`${jobId}\\s+${number}\\s+publish`));
  const done = await waitForJobState(queue(), jobId);
  assert.equal(await done.getState(), 'completed', done.failedReason);

  const after = await admin(['status', number, '--json']);
  assert.equal(after.code, 0, after.stderr);
  const shown = json<{ status: string; line: unknown[]; dmpPublication: { state: string; documentStatus?: string } }>(
    after,
  );
  assert.equal(shown.dmpPublication.state, 'published');
  assert.equal(shown.dmpPublication.documentStatus, 'current');
  assert.equal(shown.status, 'active');
  assert.ok(shown.line.length > 0);
  assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 1);
  const human = await admin(['status', number]);
  assert.match(human.stdout, /^DMP publication: published/m);

  const trail = await trailOf(number);
  const events = trail.map((l) => l.event);
  assert.deepEqual(
    [...trail].sort((a, b) => a.recorded.localeCompare(b.recorded)).map((l) => l.recorded),
    trail.map((l) => l.recorded),
    'oldest first',
  );
  assert.equal(trail[0]?.event, 'prescription.create');
  assert.equal(trail[0]?.who, prescriberRpps);
  const retry = trail.find((l) => l.event === 'admin.dead-letters.retry');
  assert.ok(retry, events.join(', '));
  assert.equal(retry.who, 'operator:ops-retrier');
  assert.equal(retry.outcome, '0');
  assert.match(retry.requestId ?? '', /^[0-9a-f-]{36}$/);
  const failedExport = trail.find((l) => l.event === 'dmp.publish' && l.outcome === '12');
  assert.match(failedExport?.outcomeDesc ?? '', /answered 404/);
  assert.ok(trail.some((l) => l.event === 'dmp.publish' && l.outcome === '0'));
  assert.equal(trail.filter((l) => l.event === 'admin.status' && l.who === `operator:${OPERATOR}`).length, 3);
  assert.ok(
    events.indexOf('admin.dead-letters.retry') < events.lastIndexOf('dmp.publish'),
    'published after the retry',
  );
  // The list names no prescription: its record is a query, in no prescription's trail.
  assert.ok(!events.includes('admin.dead-letters.list'));
  const human2 = await admin(['audit', number]);
  assert.match(human2.stdout, /^WHEN\s+EVENT\s+ACTION\s+WHO\s+PROFESSION\s+OUTCOME\s+REQUEST ID$/m);
  assert.match(
    human2.stdout,
    new RegExp(`admin\\.dead-letters\\.retry\\s+U\\s+operator:ops-retrier\\s+operator\\s+success`),
  );

  // republish: the completed job is removed and queued again; nothing is stored twice.
  const republished = await admin(['republish', number, '--json']);
  assert.equal(republished.code, 0, republished.stderr);
  assert.deepEqual(json<{ previousState: string; done: string }>(republished), {
    number,
    jobId,
    previousState: 'completed',
    done: 'requeued',
  });
  const again = await waitForJobState(queue(), jobId);
  assert.equal(await again.getState(), 'completed', again.failedReason);
  assert.equal((again.returnvalue as { created?: boolean }).created, false, 'the store already held it');
  assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 1);
  const final = await trailOf(number);
  assert.ok(final.some((l) => l.event === 'admin.republish' && l.who === `operator:${OPERATOR}`));
  assert.equal(
    final.filter((l) => l.event === 'dmp.publish' && l.outcome === '0').length,
    2,
    'each run of the publication has its own audit record',
  );
});

test('refusals: no operator, an unknown number (audited as such), nothing to retry', async () => {
  const anonymous = await admin(['dead-letters', 'list'], {});
  assert.equal(anonymous.code, 2);
  assert.match(anonymous.stderr, /--operator <name> or set ORDO_OPERATOR/);

  const number = freshNumber();
  const missing = await admin(['status', number]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`no prescription has the number ${number}`));
  const trail = await waitFor('the refused status in the trail', async () => {
    const lines = await trailOf(number);
    return lines.length > 0 ? lines : undefined;
  });
  assert.deepEqual(
    trail.map((l) => [l.event, l.who, l.outcome]),
    [['admin.status', `operator:${OPERATOR}`, '4']],
  );
  assert.match(trail[0]?.outcomeDesc ?? '', /HTTP 404/);

  const notDead = await admin(['dead-letters', 'retry', `publish-${number}-v1`]);
  assert.equal(notDead.code, 1);
  assert.match(notDead.stderr, /no job publish-\S+ in dmp-publish/);
  const usage = await admin(['dead-letters', 'retry']);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /name one job id, or --all/);
});
