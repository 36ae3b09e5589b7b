/**
 * Helpers for the DMP feed's integration tests: a real BullMQ worker running the real processor
 * in this process (or the real worker entry point as a child process, for kill -9 and SIGTERM),
 * waiting for jobs and reading what the DMP store holds (signatures: ./xmlsec).
 */
import { afterEach } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { spawnTracked } from './child-process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, MetricsTime, type Job, type Queue } from 'bullmq';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import type { Binary, Bundle, DocumentReference, Parameters, ParametersParameter } from 'fhir/r4';
import { Registry } from 'prom-client';
import type { FhirClient } from '../../store/fhir-client';
import type { GatewayConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createRedisConnection } from '../../platform/redis';
import { loadDmpConfig } from '../../queue/dmp/config';
import { createDmpMetrics } from '../../queue/dmp/metrics';
import { createDmpProcessor } from '../../queue/dmp/processor';
import { prepareDmpRuntime, type PreparedDmpRuntime } from '../../queue/dmp/runtime';
import { QUEUE_NAMES } from '../../queue/queues';
import type { DmpPublicationStatus } from '../../domain/dmp-publication';
import { DMP_SEARCH } from '../../documents/dmp/mhd';
import { isPrescriptionDocument } from '../../usecases/dmp/dmp-store';
import { closeRedis } from './close-redis';
import { freePort } from './free-port';
import type { ThrowawayPki } from './throwaway-pki';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** Environment naming the throw-away PKI as the worker's signing credentials (PEM files). */
export const signingEnv = (pki: ThrowawayPki): Record<string, string> => ({
  DMP_SIGNING_KEY: pki.keyPath,
  DMP_SIGNING_CERT: pki.certPath,
  DMP_SIGNING_CHAIN: pki.chainPath,
});

/**
 * The environment of a worker child process (spawnWorker) on the gateway's store and queues, signing
 * with the throwaway PKI; a dead worker's job is taken over quickly (lock 2 s, stalled-job check every second).
 */
export const childWorkerEnv = (
  config: Pick<GatewayConfig, 'fhirBaseUrl' | 'redisUrl' | 'queuePrefix'>,
  pki: ThrowawayPki,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  FHIR_BASE_URL: config.fhirBaseUrl,
  REDIS_URL: config.redisUrl,
  QUEUE_PREFIX: config.queuePrefix,
  NODE_ENV: 'test',
  WORKER_CONCURRENCY: '2',
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  ...signingEnv(pki),
  ...extra,
});

export interface InProcessDmpWorker {
  worker: Worker;
  runtime: PreparedDmpRuntime;
  registry: Registry;
  /** Closes the worker, then the runtime's queues, then every Redis connection made for them. */
  close(): Promise<void>;
}

export interface InProcessWorkerOptions {
  config: GatewayConfig;
  fhir: FhirClient;
  pki: ThrowawayPki;
  /** Extra environment for loadDmpConfig (DMP_FHIR_BASE_URL, DMP_RETRIES…). */
  env?: Record<string, string>;
  concurrency?: number;
  pendingPublicationDelayMs?: number;
  /** Injected between publishing and acknowledging a job (to stop the worker at that exact point). */
  pauseAfterPublishMs?: number;
}

/** The real processor in a real BullMQ Worker, configured through the real DMP config loader. */
export async function startInProcessDmpWorker(options: InProcessWorkerOptions): Promise<InProcessDmpWorker> {
  const { config } = options;
  const dmpConfig = loadDmpConfig(config, { ...signingEnv(options.pki), ...options.env });
  // BullMQ does not close connections it is given: every one made here is listed, and closed last.
  const connections: Redis[] = [];
  const connect = (redis: Redis): Redis => {
    redis.on('error', () => undefined);
    connections.push(redis);
    return redis;
  };
  let runtime: PreparedDmpRuntime | undefined;
  let worker: Worker | undefined;
  const close = async (): Promise<void> => {
    try {
      await worker?.close();
    } finally {
      try {
        await runtime?.close();
      } finally {
        await Promise.all(connections.map(closeRedis));
      }
    }
  };
  try {
    const connection = connect(createRedisConnection(config.redisUrl));
    const registry = new Registry();
    runtime = await prepareDmpRuntime({
      config: dmpConfig,
      fhir: options.fhir,
      connection,
      queuePrefix: config.queuePrefix,
      logger: createLogger('silent'),
      metrics: createDmpMetrics(registry),
    });
    const pause = options.pauseAfterPublishMs;
    const processor = createDmpProcessor({
      ...runtime,
      pendingPublicationDelayMs: options.pendingPublicationDelayMs ?? 300,
      ...(pause ? { afterPublish: () => new Promise<void>((resolve) => setTimeout(resolve, pause)) } : {}),
    });
    worker = new Worker(QUEUE_NAMES.dmpPublish, processor, {
      connection: connect(connection.duplicate()),
      prefix: config.queuePrefix,
      concurrency: options.concurrency ?? 4,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    });
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
    return { worker, runtime, registry, close };
  } catch (err) {
    // A worker that fails to start (bad credentials, Redis down) must not leave connections open either.
    await close().catch(() => undefined);
    throw err;
  }
}

const FINISHED = ['completed', 'failed'] as const;

/**
 * Polls a job until it reaches one of `states`. The deadline only stops a hung test with a clear
 * message; no assertion depends on how long anything took.
 */
export async function waitForJobState(
  queue: Queue,
  jobId: string,
  states: readonly string[] = FINISHED,
  deadlineMs = 90_000,
): Promise<Job> {
  const stopAt = Date.now() + deadlineMs;
  let last = 'missing';
  while (Date.now() < stopAt) {
    const job = await queue.getJob(jobId);
    if (job) {
      last = await job.getState();
      if (states.includes(last)) return (await queue.getJob(jobId)) ?? job;
    }
    await sleep(100);
  }
  throw new Error(`job ${jobId} did not reach ${states.join('/')} (last state: ${last})`);
}

/** Polls until `probe` returns a value (not undefined). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 90_000): Promise<T> {
  const stopAt = Date.now() + deadlineMs;
  while (Date.now() < stopAt) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Every entry of a patient in the DMP store, `DocumentReference?subject-identifier=<INS>` as a
 * consumer searches the stand-in store (the INS value alone: the examples use the NIR and the
 * test-NIR systems): the ordonnance documents and the signatures of their submission sets.
 */
export async function entriesOfPatient(dmp: FhirClient, ins: string): Promise<DocumentReference[]> {
  const bundle = await dmp.search<DocumentReference>('DocumentReference', {
    [DMP_SEARCH.subjectIdentifier]: ins,
    _count: '100',
  });
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is DocumentReference => r?.resourceType === 'DocumentReference');
}

/** The ordonnance documents of a patient in the DMP store (not the signature entries). */
export async function documentsOfPatient(dmp: FhirClient, ins: string): Promise<DocumentReference[]> {
  return (await entriesOfPatient(dmp, ins)).filter(isPrescriptionDocument);
}

/** The entry of the IHE DSG signature that signs a document entry (`relatesTo.code = signs`). */
export async function signatureEntryOf(dmp: FhirClient, doc: DocumentReference): Promise<DocumentReference> {
  const bundle = await dmp.search<DocumentReference>('DocumentReference', { relatesto: `DocumentReference/${doc.id}` });
  const found = (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter(
      (r): r is DocumentReference =>
        r?.resourceType === 'DocumentReference' && (r.relatesTo ?? []).some((x) => x.code === 'signs'),
    );
  if (found.length !== 1) throw new Error(`${found.length} signature entries sign DocumentReference/${doc.id}`);
  return found[0]!;
}

/** The bytes of the Binary a DocumentReference points at. */
export async function documentBytes(dmp: FhirClient, doc: DocumentReference): Promise<Buffer> {
  const url = doc.content?.[0]?.attachment?.url;
  const match = url ? /(?:^|\/)Binary\/([^/]+)$/.exec(url) : null;
  if (!match) throw new Error(`DocumentReference/${doc.id} does not point at a Binary: ${url}`);
  const binary = (await dmp.read<Binary>('Binary', match[1]!)).resource;
  return Buffer.from(binary.data ?? '', 'base64');
}

/** How many resources of a type match a search (e.g. Binary by the gateway's tag). */
export async function countOf(fhir: FhirClient, type: string, params: Record<string, string>): Promise<number> {
  const bundle = await fhir.search(type, { ...params, _summary: 'count' });
  return bundle.total ?? 0;
}

export interface ChildWorker {
  child: ChildProcess;
  healthPort: number;
  /** Everything the process wrote (stdout + stderr), for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The child workers a test file starts, killed after each test (call at the file's top level):
 * a failed test leaves no worker behind.
 */
export function childWorkersKilledAfterEach(): ChildWorker[] {
  const children: ChildWorker[] = [];
  afterEach(() => {
    for (const c of children.splice(0))
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  });
  return children;
}
/**
 * The real worker process (queue/worker.ts), with the given environment on top of this one; with
 * TEST_PAUSE_AFTER_PUBLISH_MS, the same process with the pause injected (test/support/worker-with-pause.ts).
 */
export async function spawnWorker(env: Record<string, string>): Promise<ChildWorker> {
  const healthPort = await freePort();
  const entry = env.TEST_PAUSE_AFTER_PUBLISH_MS ? 'test/support/worker-with-pause.ts' : 'queue/worker.ts';
  const { child, output } = spawnTracked(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, WORKER_HEALTH_PORT: String(healthPort), LOG_LEVEL: 'info', ...env },
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let gone = false;
  try {
    await Promise.race([
      waitFor(
        'worker health endpoint',
        async () => {
          if (gone) return false; // stop polling: the other branch says why
          const res = await fetch(`http://127.0.0.1:${healthPort}/health`).catch(() => undefined);
          return res?.ok ? true : undefined;
        },
        60_000,
      ),
      exited.then((e) => {
        gone = true;
        throw new Error(`worker exited during start-up (${e.code ?? e.signal}):\n${output()}`);
      }),
    ]);
  } catch (err) {
    // The caller never gets a worker that did not start, so it could not stop it: stop it here.
    gone = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { child, healthPort, output, exited };
}

/**
 * The DMP publication status as GET /prescriptions/{number} shows it (the `dmpPublication`
 * parameter of the summary), read back into the shape of DmpPublicationStatus.
 */
export async function shownPublicationStatus(
  app: Express,
  number: string,
  authorization: string,
): Promise<DmpPublicationStatus | undefined> {
  const res = await request(app).get(`/prescriptions/${number}`).set('authorization', authorization);
  if (res.status !== 200)
    throw new Error(`GET /prescriptions/${number} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const summary = (res.body as Bundle).entry?.[0]?.resource as Parameters | undefined;
  const parameter = summary?.parameter?.find((p) => p.name === 'dmpPublication');
  if (!parameter) return undefined;
  const value = (part: ParametersParameter) => part.valueCode ?? part.valueId ?? part.valueString ?? part.valueInteger;
  return Object.fromEntries(
    (parameter.part ?? []).map((part) => [part.name, value(part)]),
  ) as unknown as DmpPublicationStatus;
}
