/**
 * An audit job in the dead letters is an access missing from the audit trail, so it is loud: the
 * real worker process (queue/worker.ts) counts it on its /metrics
 * (ordo_audit_dead_letters_total{event}) and logs it at `error` level with the job id, the event
 * name and the reason — never the job's data. A job that is not an audit record (here: one
 * without its event, date and outcome) is such a dead letter at its first attempt.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AUDIT_DEAD_LETTERS_METRIC } from '../../queue/audit/dead-letters';
import { AUDIT_JOB_OPTIONS, newAuditId } from '../../queue/audit/jobs';
import { QUEUE_NAMES } from '../../queue/queues';
import { signingEnv, spawnWorker, waitFor, waitForJobState, type ChildWorker } from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { syntheticIns } from '../support/synthetic';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
let pki: ThrowawayPki;
let worker: ChildWorker | undefined;

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
  const config = gw.deps.config;
  worker = await spawnWorker({
    FHIR_BASE_URL: config.fhirBaseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: config.queuePrefix,
    NODE_ENV: 'test',
    ...signingEnv(pki),
  });
});
after(async () => {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  await gw?.close();
  await pki?.cleanup();
});

/** The series' value in a Prometheus text exposition, or undefined. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const metricsOf = async (w: ChildWorker): Promise<string> =>
  (await fetch(`http://127.0.0.1:${w.healthPort}/metrics`)).text();

/** The JSON log lines of the worker (pino, one object a line). */
const logLines = (w: ChildWorker): Array<Record<string, unknown>> =>
  w
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

test('a dead-lettered audit job: counted on the worker’s /metrics, an error log line without the job’s data', async () => {
  const w = worker!;
  const queue = gw.deps.queues[QUEUE_NAMES.audit];
  const event = 'prescription.read';
  const series = `${AUDIT_DEAD_LETTERS_METRIC}{event="${event}"}`;
  const ins = syntheticIns().value;
  const number = freshNumber();

  // A valid record first: written, and no dead letter.
  const valid = await queue.add(
    event,
    {
      id: newAuditId(),
      recorded: new Date().toISOString(),
      event: { type: 'rest', interaction: 'read', action: 'R', name: event },
      outcome: { status: 200 },
      entity: { number },
    },
    { ...AUDIT_JOB_OPTIONS, jobId: `valid-${number}` },
  );
  assert.equal(await (await waitForJobState(queue, valid.id!)).getState(), 'completed');
  assert.equal(sample(await metricsOf(w), series), undefined, 'no dead letter yet');

  // Not an audit record: no event, date or outcome; and a patient identifier that must not reach the logs.
  const jobId = `malformed-${number}`;
  await queue.add(event, { id: jobId, entity: { number, ins } }, { ...AUDIT_JOB_OPTIONS, jobId });
  const failed = await waitForJobState(queue, jobId);
  try {
    assert.equal(await failed.getState(), 'failed');
    assert.equal(failed.attemptsMade, 1, 'dead-lettered at once: retrying cannot fix it');
    assert.match(
      failed.failedReason,
      /^malformed audit job: no valid recorded, event, event\.type, event\.action, outcome\.status$/,
    );

    assert.equal(await waitFor('the dead letter on /metrics', async () => sample(await metricsOf(w), series)), 1);
    const alert = await waitFor('the error log line', async () =>
      logLines(w).find((l) => l.level === 'error' && l.jobId === jobId),
    );
    assert.equal(alert.event, event);
    assert.equal(alert.queue, QUEUE_NAMES.audit);
    assert.match(String(alert.reason), /^malformed audit job/);
    assert.match(String(alert.msg), /dead-lettered/);
    assert.ok(!w.output().includes(ins), 'the patient identifier of the job is in no log line');
  } finally {
    // A deliberate dead letter: removed, so that the run's last check (zz-audit-dead-letters) sees none.
    await failed.remove();
  }
});
