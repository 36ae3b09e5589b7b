/**
 * Redis going away: nothing waits, nothing acknowledged is lost.
 *  - in process: with Redis unreachable, a lookup and an intake are answered 503 (transient,
 *    Retry-After) within seconds, not after the outage; the intake stored before the enqueue
 *    failed left its jobs in the transactional outbox, and one sweep queues them;
 *  - with real processes: a TCP relay in front of Redis is cut while prescriptions are posted,
 *    and the gateway is killed with kill -9 during the outage; afterwards every prescription that
 *    got a 2xx (and every one stored without an answer) is published to the DMP exactly once and
 *    every 2xx has its AuditEvent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { AuditEvent, OperationOutcome, Task } from 'fhir/r4';
import request from 'supertest';
import { startGatewayProcess, type RunningGateway } from '../../bench/support/processes';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { OUTBOX_SYSTEM, OUTBOX_TASK_CODE } from '../../fhir/systems';
import { createApp } from '../../gateway/app';
import { createRedisConnection, redisReady } from '../../platform/redis';
import { sweepOutbox } from '../../queue/outbox/sweeper';
import { closeQueues, createQueues, QUEUE_NAMES } from '../../queue/queues';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { findHeaderByMessageKey } from '../../usecases/prescriptions/repository';
import { messageKeyOf } from '../../fhir/read-prescription';
import { bearerFor, testIssuer, TEST_AUDIENCE } from '../support/auth';
import { closeRedis } from '../support/close-redis';
import { documentsOfPatient, signingEnv, spawnWorker, waitFor, type ChildWorker } from '../support/dmp';
import { freePort } from '../support/free-port';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { CONTENT_TYPES, example, uniquify } from '../support/vendor-fixtures';

/** "A few seconds": the fail-fast bound (2 s command timeout) with room for a loaded machine. */
const FAIL_FAST_MS = 4_000;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw?.close();
});

const redisTarget = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), db: u.pathname.slice(1) || '0' };
};

/**
 * A unique epu-json prescription without a vendor number: a vendor number is a lookup, refused at
 * once without Redis; this one reaches the store, and only its enqueue fails.
 */
function numberlessExample(): ReturnType<typeof uniquify> {
  const unique = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const json = JSON.parse(unique.body.toString());
  delete json.identifiantPrescription;
  return { ...unique, body: Buffer.from(JSON.stringify(json)), number: undefined };
}

const messageKeyOfBody = (unique: ReturnType<typeof uniquify>): string =>
  messageKeyOf('epu-json', unique.prescriberRpps!, JSON.parse(unique.body.toString()).idMessage);

const outboxTasksOf = async (requestGroupId: string): Promise<Task[]> => {
  const found = await gw.deps.fhir.search<Task>('Task', {
    code: `${OUTBOX_SYSTEM}|${OUTBOX_TASK_CODE}`,
    focus: `RequestGroup/${requestGroupId}`,
  });
  return (found.entry ?? []).map((e) => e.resource as Task);
};

describe('in process: Redis unreachable', () => {
  let proxy: TcpProxy;
  let proxyPort: number;
  /** The idempotency key of the intake answered 503 (stored, its enqueue failed). */
  let strandedKey: string | undefined;
  const target = () => redisTarget(gw.deps.config.redisUrl);

  test('a lookup and an intake answer 503 + Retry-After within seconds; the outbox keeps the jobs of the stored intake', async () => {
    proxyPort = await freePort();
    proxy = await startTcpProxy(target().host, target().port, proxyPort);
    const redis = createRedisConnection(`redis://127.0.0.1:${proxyPort}/${target().db}`, { failFast: true });
    redis.on('error', () => undefined);
    await redisReady(redis, 10_000); // a fail-fast connection refuses commands until it is ready
    const queues = createQueues({ connection: redis, prefix: gw.deps.config.queuePrefix });
    const app = createApp({ ...gw.deps, redis, queues });
    try {
      const unique = uniquify(example('epu-json', 'valid-drugs-only.json'));
      const prescriber = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
      const created = await postPrescription(app, prescriber, 'epu-json', unique.body);
      assert.equal(created.status, 201, created.text);
      const pharmacist = await bearerFor({ role: 'dispenser', profession: 'pharmacist' });
      await request(app).get(`/prescriptions/${created.body.number}`).set('authorization', pharmacist).expect(200);

      const postStranded = async () => {
        const stranded = numberlessExample();
        const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: stranded.prescriberRpps! });
        strandedKey = messageKeyOf(
          'epu-json',
          stranded.prescriberRpps!,
          JSON.parse(stranded.body.toString()).idMessage,
        );
        return postPrescription(app, auth, 'epu-json', stranded.body);
      };
      await proxy.close();
      for (const attempt of ['lookup', 'intake'] as const) {
        const t0 = Date.now();
        const res =
          attempt === 'lookup'
            ? await request(app).get(`/prescriptions/${created.body.number}`).set('authorization', pharmacist)
            : await postStranded();
        const took = Date.now() - t0;
        assert.equal(res.status, 503, `${attempt}: ${res.text}`);
        assert.ok(took < FAIL_FAST_MS, `${attempt} answered after ${took} ms`);
        assert.ok(Number(res.headers['retry-after']) >= 1, `${attempt}: Retry-After ${res.headers['retry-after']}`);
        const outcome = res.body as OperationOutcome;
        assert.equal(outcome.resourceType, 'OperationOutcome');
        assert.equal(outcome.issue[0]?.code, 'transient');
        assert.ok(!JSON.stringify(outcome).includes('    at '), 'no stack trace');
      }
    } finally {
      await closeQueues(queues).catch(() => undefined);
      await closeRedis(redis);
    }
  });

  test('one sweep queues what an intake stored while Redis was down, then deletes its outbox entry', async () => {
    assert.ok(strandedKey, 'the previous test ran');
    const header = await findHeaderByMessageKey(gw.deps.fhir, strandedKey);
    assert.ok(header?.id, 'the intake answered 503 was stored');
    const [task, ...more] = await outboxTasksOf(header.id);
    assert.ok(task, 'with its outbox Task');
    assert.equal(more.length, 0);
    const focus = task.focus!.reference!;
    const dmpJob = JSON.parse(task.input!.find((i) => i.type?.text === 'dmp-publish')!.valueString!);

    // The store holds the outbox entries of every test before this one (no worker swept them): sweep them all.
    let swept = 0;
    for (let batch = 500; batch === 500; swept += batch)
      batch = await sweepOutbox({ fhir: gw.deps.fhir, queues: gw.deps.queues, graceSeconds: 0, batchSize: 500 });
    assert.ok(swept >= 1);
    const job = await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJob(dmpJobId(dmpJob));
    assert.ok(job, `the DMP publication of ${dmpJob.number} is queued`);
    const audits = await gw.deps.queues[QUEUE_NAMES.audit].getJobs(['waiting', 'delayed', 'completed', 'active']);
    assert.ok(
      audits.some((j) => j.data.entity?.number === dmpJob.number && j.data.event.name === 'prescription.create'),
      'the create is recorded',
    );
    assert.deepEqual(await outboxTasksOf(focus.replace('RequestGroup/', '')), [], 'the outbox entry is gone');
  });
});

describe('processes: the relay to Redis is cut during intake, the gateway killed with kill -9 during the outage', () => {
  let pki: ThrowawayPki;
  let worker: ChildWorker | undefined;
  let gateway: RunningGateway | undefined;
  let proxy: TcpProxy | undefined;

  after(async () => {
    if (gateway && gateway.process.exitCode === null && gateway.process.signalCode === null)
      gateway.process.kill('SIGKILL');
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await proxy?.close();
    await pki?.cleanup();
  });

  test('every 2xx is published exactly once and has its AuditEvent; no request waited more than a few seconds', async () => {
    pki = await createThrowawayPki();
    const config = gw.deps.config;
    const target = redisTarget(config.redisUrl);
    const proxyPort = await freePort();
    proxy = await startTcpProxy(target.host, target.port, proxyPort);
    const queuePrefix = `${config.queuePrefix}-outage-${randomUUID().slice(0, 8)}`;
    const issuer = await testIssuer();
    gateway = await startGatewayProcess({
      FHIR_BASE_URL: config.fhirBaseUrl,
      REDIS_URL: `redis://127.0.0.1:${proxyPort}/${target.db}`,
      QUEUE_PREFIX: queuePrefix,
      AUTH_ISSUER: issuer.issuer,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      LOG_LEVEL: 'error',
    });
    worker = await spawnWorker({
      FHIR_BASE_URL: config.fhirBaseUrl,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: queuePrefix,
      NODE_ENV: 'test',
      OUTBOX_GRACE_SECONDS: '3',
      OUTBOX_SWEEP_INTERVAL_MS: '500',
      ...signingEnv(pki),
    });

    interface Sent {
      ins: string;
      messageKey: string;
      status: number;
      number?: string;
      ms: number;
    }
    const sent: Sent[] = [];
    const send = async (): Promise<void> => {
      const unique = numberlessExample();
      const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
      const t0 = Date.now();
      const res = await fetch(`${gateway!.url}/prescriptions`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': CONTENT_TYPES['epu-json'] },
        body: unique.body,
      }).catch(() => undefined);
      const body = res ? ((await res.json().catch(() => ({}))) as { number?: string }) : {};
      sent.push({
        ins: unique.ins,
        messageKey: messageKeyOfBody(unique),
        status: res?.status ?? 0,
        ms: Date.now() - t0,
        ...(body.number ? { number: body.number } : {}),
      });
    };

    for (let i = 0; i < 4; i++) await send(); // Redis up
    await proxy.close(); // the outage
    const during = Array.from({ length: 6 }, () => send());
    await new Promise((r) => setTimeout(r, 300));
    gateway.process.kill('SIGKILL'); // killed during the outage, requests in flight
    await Promise.all(during);
    proxy = await startTcpProxy(target.host, target.port, proxyPort); // Redis is back

    const answered = sent.filter((s) => s.status >= 200 && s.status < 300);
    assert.ok(answered.length >= 4, `2xx before the outage: ${JSON.stringify(sent)}`);
    for (const s of sent) assert.ok(s.ms < FAIL_FAST_MS, `a request waited ${s.ms} ms (status ${s.status})`);
    for (const s of sent.filter((x) => x.status !== 0 && (x.status < 200 || x.status >= 300)))
      assert.equal(s.status, 503, JSON.stringify(s));

    // Every 2xx: one document in the DMP, and an AuditEvent of its creation.
    for (const s of answered) {
      await waitFor(`the DMP document of ${s.number}`, async () =>
        (await documentsOfPatient(gw.deps.fhir, s.ins)).length > 0 ? true : undefined,
      );
      await waitFor(`the AuditEvent of ${s.number}'s creation`, async () => {
        const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
          'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${s.number}`,
          subtype: 'urn:ordo-gateway:audit-event|prescription.create',
        });
        return (found.entry ?? []).length > 0 ? true : undefined;
      });
    }
    // What was stored without a 2xx (the store committed, the enqueue failed, or the process was
    // killed before answering) is published too, from the outbox; nothing twice.
    const unanswered = sent.filter((s) => !s.number);
    const stored: Sent[] = [];
    for (const s of unanswered) if (await findHeaderByMessageKey(gw.deps.fhir, s.messageKey)) stored.push(s);
    assert.ok(stored.length > 0, `some intakes were stored during the outage: ${JSON.stringify(sent)}`);
    for (const s of stored) {
      await waitFor(`the DMP document of a prescription stored during the outage`, async () =>
        (await documentsOfPatient(gw.deps.fhir, s.ins)).length > 0 ? true : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 3_000)); // more sweeps: still one document each
    for (const s of [...answered, ...stored])
      assert.equal((await documentsOfPatient(gw.deps.fhir, s.ins)).length, 1, 'published exactly once');
  });
});
