/**
 * The worker process: one BullMQ Worker per registered processor, a small health endpoint for
 * the orchestrator, and a graceful stop on SIGTERM — in-flight jobs finish (or go back to the
 * queue if they outlive the grace period) before the process exits. The entry point is
 * queue/worker.ts; tests start the same process with hooks of their own.
 */
import { createServer, type Server } from 'node:http';
import { MetricsTime, Worker } from 'bullmq';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, loadConfig, loadWorkerConfig } from '../platform/config';
import { connectDependencies, UnreachableError } from '../platform/dependencies';
import { createLogger } from '../platform/logger';
import { queueTelemetry, shutdownTracing } from '../platform/tracing';
import { pingRedis } from '../platform/redis';
import { createAuditMetrics, reportAuditDeadLetters } from './audit/dead-letters';
import { startOutboxSweeper } from './outbox/sweeper';
import { buildProcessors } from './processors';
import { closeQueues, createQueues } from './queues';
import { loadDmpConfig } from './dmp/config';
import { createDmpMetrics } from './dmp/metrics';
import { prepareDmpRuntime } from './dmp/runtime';
import type { DmpRuntime } from './dmp/processor';
import { QUEUE_NAMES } from './queues';

/** What a test may inject into the processors (production injects nothing). */
export type WorkerHooks = Pick<DmpRuntime, 'afterPublish'>;

const GRACE_MS = 25_000;

/** Starts the worker process's workers and health endpoint; stops them on SIGTERM/SIGINT. */
export async function runWorker(hooks: WorkerHooks = {}): Promise<void> {
  const config = loadConfig();
  const workerConfig = loadWorkerConfig();
  const logger = createLogger(config.logLevel).child({ process: 'worker' });
  const deps = await connectDependencies(config, { failFast: false });
  const { concurrency, lockDurationMs: lockDuration, stalledIntervalMs: stalledInterval, healthPort } = workerConfig;
  // Worker-side metrics (job latency histograms, audit dead letters), served on the health port at /metrics.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const dmp = await prepareDmpRuntime({
    config: loadDmpConfig(config),
    fhir: deps.fhir,
    connection: deps.redis,
    queuePrefix: config.queuePrefix,
    logger,
    metrics: createDmpMetrics(registry),
  });
  const processors = buildProcessors({ fhir: deps.fhir, dmp: { ...dmp, ...hooks } });
  const auditMetrics = createAuditMetrics(registry);

  // BullMQ does not close a connection it is given: kept here, closed after the workers on stop.
  const connections = Object.keys(processors).map(() => deps.redis.duplicate());
  const workers = Object.entries(processors).map(([name, processor], i) => {
    const worker = new Worker(name, processor, {
      connection: connections[i]!,
      prefix: config.queuePrefix,
      concurrency,
      lockDuration,
      stalledInterval,
      // Completed/failed counts kept in Redis for every worker: the gateway's /metrics reads them.
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      // A consumer span per job, in the trace of the request that queued it (platform/tracing.ts).
      telemetry: queueTelemetry(),
    });
    worker.on('failed', (job, err) =>
      logger.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, reason: err.message }, 'job failed'),
    );
    worker.on('error', (err) => logger.error({ queue: name, err }, 'worker error'));
    if (name === QUEUE_NAMES.audit) reportAuditDeadLetters(worker, { logger, metrics: auditMetrics });
    return worker;
  });
  // The outbox's jobs go to the same queues the gateway feeds (queue/outbox/sweeper.ts).
  const outboxQueues = createQueues({ connection: deps.redis, prefix: config.queuePrefix });
  const sweeper = startOutboxSweeper({
    fhir: deps.fhir,
    queues: outboxQueues,
    graceSeconds: workerConfig.outboxGraceSeconds,
    intervalMs: workerConfig.outboxSweepIntervalMs,
    logger,
  });
  logger.info({ queues: Object.keys(processors), concurrency }, 'worker started');

  const health: Server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return;
    }
    if (req.url !== '/health') {
      res.writeHead(404).end();
      return;
    }
    const redisUp = await pingRedis(deps.redis).then(
      () => true,
      () => false,
    );
    const running = workers.every((w) => w.isRunning());
    res.writeHead(redisUp && running ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: redisUp && running ? 'ok' : 'degraded',
        redis: redisUp ? 'up' : 'down',
        workers: workers.map((w) => ({ queue: w.name, running: w.isRunning() })),
      }),
    );
  });
  health.listen(healthPort, config.host, () =>
    logger.info({ url: `http://${config.host}:${healthPort}/health` }, 'worker health listening'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing in-flight jobs');
    const forced = setTimeout(() => {
      logger.warn('grace period over: in-flight jobs will be retried by another worker');
      process.exit(1);
    }, GRACE_MS).unref();
    health.close();
    await sweeper.stop();
    await Promise.all(workers.map((w) => w.close()));
    await closeQueues(outboxQueues);
    await dmp.close();
    await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
    await deps.redis.quit().catch(() => undefined);
    await shutdownTracing();
    clearTimeout(forced);
    logger.info('worker stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** How a worker that cannot start says why, then exits. */
export function exitOnStartFailure(err: unknown): never {
  const message =
    err instanceof ConfigError
      ? err.problems.join('\n  - ')
      : err instanceof UnreachableError
        ? err.message
        : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`ordo-gateway worker cannot start:\n  - ${message}\n`);
  process.exit(1);
}
