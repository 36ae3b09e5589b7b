/**
 * DMP feed benchmark (npm run bench:dmp).
 *  (a) one core, no I/O: documents built + signed per CPU-second (QR + PDF, CDA, IHE DSG signature
 *      of the submission set, provide bundle), and how that CPU time splits between the steps —
 *      the ceiling of one worker.
 *  (b) end to end with real worker processes (queue/worker.ts, 1 then 2 of them): jobs enqueued
 *      for prescriptions already stored, timed until every one is published on HAPI; documents/s,
 *      plus where the workers spent their time (their own /metrics, summed).
 *  (c) the same provide bundles posted straight to HAPI at the same concurrency, to show how much
 *      of (b) is the FHIR store's.
 * Needs FHIR_BASE_URL (a HAPI with the project's profiles) and REDIS_URL; bench/run.sh sets them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createDevelopmentPki, writeDevelopmentPki } from '../../dev/signing-credentials';
import type { SigningCredentials } from '../../documents/signature';
import { loadSigningCredentials } from '../../platform/signing-credentials';
import { createFhirClient, type FhirClient } from '../../store/fhir-client';
import type { StoredPrescription } from '../../fhir/read-prescription';
import { checkPayload } from '../../usecases/intake/prepare';
import { vendorSchemaValidator } from '../../platform/xsd/vendor-schemas';
import { storePrescription } from '../../usecases/intake/store';
import { mapperForFormat } from '../../mappers/index';
import { createRedisConnection } from '../../platform/redis';
import { DMP_JOB_OPTIONS } from '../../queue/dmp-jobs';
import { dmpJobId, type DmpPublishJob } from '../../usecases/dmp/publish-job';
import { DEVELOPMENT_SOURCE_OID } from '../../queue/dmp/config';
import { provide } from '../../usecases/dmp/dmp-store';
import type { DmpStage } from '../../usecases/dmp/stage';
import { preparePublication, readStoredPrescription } from '../../usecases/dmp/publish';
import { QUEUE_NAMES } from '../../queue/queues';
import { freePort } from '../../test/support/free-port';
import { example, uniquify } from '../../test/support/vendor-fixtures';
import { runClosedLoop } from '../support/load';
import { benchServers, startProcess, type RunningProcess } from '../support/processes';
import { printTable } from '../support/stats';

const DOCS = Number(process.env.BENCH_DOCS ?? 120);
const CPU_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2').split(',').map(Number);

const STAGES: readonly DmpStage[] = ['read', 'render', 'build', 'sign', 'publish'];

/** Stores `count` prescriptions (the mixed drugs + device + nursing epu-json example) through the intake code. */
async function seed(fhir: FhirClient, count: number): Promise<string[]> {
  const mixed = example('epu-json', 'valid-mixed-drugs-device-nursing.json');
  const mapper = mapperForFormat('epu-json')!;
  const numbers: string[] = [];
  await runClosedLoop(
    Array.from({ length: count }, () => uniquify(mixed).body),
    8,
    async (body) => {
      const checked = await checkPayload(body, mapper, new Date(), vendorSchemaValidator);
      if (!checked.ok) throw new Error(`example refused: ${JSON.stringify(checked.problems)}`);
      const result = await storePrescription({ fhir, now: () => new Date(), numberIssuer: 999 }, checked.value);
      numbers.push(result.number);
    },
  );
  if (numbers.length !== count) throw new Error(`seeded ${numbers.length} of ${count} prescriptions`);
  return numbers;
}

/** (a) Build + sign on one core, per stage. */
async function inProcess(stored: StoredPrescription, credentials: SigningCredentials): Promise<void> {
  const cpu: Record<string, number> = {};
  const stage = async <T>(name: DmpStage, step: () => Promise<T>): Promise<T> => {
    const before = process.cpuUsage();
    try {
      return await step();
    } finally {
      const used = process.cpuUsage(before);
      cpu[name] = (cpu[name] ?? 0) + (used.user + used.system) / 1e6;
    }
  };
  let count = 0;
  let bytes = 0;
  const started = process.cpuUsage();
  const wallStart = performance.now();
  while (performance.now() - wallStart < CPU_SECONDS * 1000) {
    const prepared = await preparePublication({ credentials, sourceOid: DEVELOPMENT_SOURCE_OID, stage }, stored, {
      number: stored.number,
      version: 1,
      submittedAt: new Date(),
    });
    bytes += prepared.size;
    count++;
  }
  const total = process.cpuUsage(started);
  const cpuSeconds = (total.user + total.system) / 1e6;
  printTable(
    '(a) build + sign in process, one core (mixed drugs + device + nursing ordonnance)',
    ['documents', 'per CPU-second', 'ms CPU each', 'CDA size (KiB)'],
    [[count, count / cpuSeconds, (cpuSeconds * 1000) / count, bytes / count / 1024]],
  );
  const other = cpuSeconds - Object.values(cpu).reduce((a, b) => a + b, 0);
  printTable(
    '    where the CPU goes',
    ['step', 'ms CPU each', 'share'],
    [...Object.entries(cpu), ['provide bundle + rest', other] as [string, number]].map(([name, seconds]) => [
      name,
      (seconds * 1000) / count,
      `${((seconds / cpuSeconds) * 100).toFixed(0)} %`,
    ]),
  );
}

interface ChildWorker extends RunningProcess {
  healthPort: number;
}

async function startWorker(env: Record<string, string>): Promise<ChildWorker> {
  const healthPort = await freePort();
  const worker = await startProcess(
    'worker',
    'queue/worker.ts',
    { ...env, WORKER_HEALTH_PORT: String(healthPort), WORKER_CONCURRENCY: String(CONCURRENCY) },
    `http://127.0.0.1:${healthPort}/health`,
  );
  return { ...worker, healthPort };
}

/** Sum of a histogram's `_sum` and `_count` by stage over the workers' /metrics. */
async function stageTotals(workers: ChildWorker[]): Promise<Map<string, { sum: number; count: number }>> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const w of workers) {
    const text = await (await fetch(`http://127.0.0.1:${w.healthPort}/metrics`)).text();
    for (const m of text.matchAll(/^ordo_dmp_stage_duration_seconds_(sum|count)\{stage="(\w+)"\} ([\d.e+-]+)$/gm)) {
      const t = totals.get(m[2]!) ?? { sum: 0, count: 0 };
      t[m[1] as 'sum' | 'count'] += Number(m[3]);
      totals.set(m[2]!, t);
    }
  }
  return totals;
}

/** (b) N worker processes publish DOCS documents; timed from enqueue to the last completion. */
async function endToEnd(
  workerCount: number,
  numbers: string[],
  env: Record<string, string>,
  redisUrl: string,
): Promise<(string | number)[]> {
  const prefix = `bench-dmp-${randomUUID()}`;
  const redis = createRedisConnection(redisUrl);
  const queue = new Queue(QUEUE_NAMES.dmpPublish, { connection: redis, prefix });
  const workers = await Promise.all(
    Array.from({ length: workerCount }, () => startWorker({ ...env, QUEUE_PREFIX: prefix })),
  );
  try {
    const jobs: DmpPublishJob[] = numbers.map((number) => ({ number, version: 1, action: 'publish' }));
    const started = performance.now();
    await queue.addBulk(
      jobs.map((data) => ({ name: 'publish', data, opts: { ...DMP_JOB_OPTIONS, jobId: dmpJobId(data) } })),
    );
    for (;;) {
      const counts = await queue.getJobCounts('completed', 'failed');
      if ((counts.failed ?? 0) > 0) {
        const [failed] = await queue.getFailed(0, 0);
        throw new Error(`a publication failed: ${failed?.failedReason}`);
      }
      if (counts.completed === numbers.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const completed = await queue.getCompleted(0, numbers.length);
    const latencies = completed.map((j) => (j.finishedOn ?? 0) - j.timestamp).sort((a, b) => a - b);
    const totals = await stageTotals(workers);
    const perDoc = (stage: string) => {
      const t = totals.get(stage);
      return t && t.count > 0 ? (t.sum * 1000) / t.count : NaN;
    };
    return [
      workerCount,
      workerCount * CONCURRENCY,
      numbers.length,
      seconds,
      numbers.length / seconds,
      numbers.length / seconds / workerCount,
      latencies[Math.floor(latencies.length / 2)]!,
      ...STAGES.map(perDoc),
    ];
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
  }
}

/** (c) The same provide bundles, built beforehand, posted straight to HAPI. */
async function direct(
  fhir: FhirClient,
  credentials: SigningCredentials,
  numbers: string[],
  concurrency: number,
): Promise<(string | number)[]> {
  const noStage = <T>(_: DmpStage, step: () => Promise<T>) => step();
  const bundles = [];
  for (const number of numbers) {
    const { stored } = await readStoredPrescription(fhir, number);
    bundles.push(
      (
        await preparePublication({ credentials, sourceOid: DEVELOPMENT_SOURCE_OID, stage: noStage }, stored, {
          number,
          version: 1,
          submittedAt: new Date(),
        })
      ).bundle,
    );
  }
  const result = await runClosedLoop(bundles, concurrency, async (bundle) => {
    await provide(fhir, bundle);
  });
  if (result.errors > 0) throw new Error(`${result.errors} direct posts failed`);
  return [
    `direct to HAPI, ${concurrency} in flight`,
    numbers.length,
    result.seconds,
    result.perSecond,
    result.p50,
    result.p99,
  ];
}

async function main(): Promise<void> {
  const { fhirBaseUrl, redisUrl } = benchServers();
  const fhir = await createFhirClient({ baseUrl: fhirBaseUrl, timeoutMs: 60_000, retries: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'ordo-bench-dmp-'));
  try {
    const files = await writeDevelopmentPki(dir, createDevelopmentPki({ now: new Date() }));
    const credentials = await loadSigningCredentials({ keyPath: files.keyPath, certPath: files.certPath });
    const env = {
      FHIR_BASE_URL: fhirBaseUrl,
      REDIS_URL: redisUrl,
      DMP_SIGNING_KEY: files.keyPath,
      DMP_SIGNING_CERT: files.certPath,
      NODE_ENV: 'development',
      // The seeded prescriptions' outbox Tasks must not be swept into the measured queue: on a
      // loaded machine the seeding outlasts the default 60 s grace and the sweeper queued their
      // publications too, so the completed count never matched and the run never ended.
      OUTBOX_GRACE_SECONDS: '86400',
    };

    process.stdout.write(`seeding ${DOCS * (WORKER_COUNTS.length + 1) + 1} prescriptions on ${fhirBaseUrl}…\n`);
    const [sample] = await seed(fhir, 1);
    const { stored } = await readStoredPrescription(fhir, sample!);
    await inProcess(stored, credentials);

    const rows: (string | number)[][] = [];
    for (const count of WORKER_COUNTS) rows.push(await endToEnd(count, await seed(fhir, DOCS), env, redisUrl));
    printTable(
      `(b) end to end: real worker processes (concurrency ${CONCURRENCY} each), HAPI ${fhirBaseUrl}; steps in ms wall time per document, averaged over the workers' /metrics`,
      [
        'workers',
        'in flight',
        'documents',
        'seconds',
        'docs/s',
        'docs/s per worker',
        'p50 enqueue→published ms',
        ...STAGES.map((s) => `${s} ms`),
      ],
      rows,
    );
    const directRow = await direct(fhir, credentials, await seed(fhir, DOCS), CONCURRENCY * Math.max(...WORKER_COUNTS));
    printTable(
      '(c) the FHIR store alone: provide bundles built beforehand, posted straight to HAPI',
      ['what', 'documents', 'seconds', 'docs/s', 'p50 ms', 'p99 ms'],
      [directRow],
    );
    process.stdout.write(
      `\nmachine: ${(await import('node:os')).cpus().length} CPUs (HAPI, Redis, PostgreSQL and the workers share them)\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:dmp failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
