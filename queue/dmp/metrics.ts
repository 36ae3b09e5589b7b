/**
 * Worker-side metrics of the DMP feed (prom-client). Each worker process keeps its own registry
 * and serves it on its health port (`GET /metrics`): Prometheus scrapes every worker and sums
 * the series (histogram buckets and counters add up across processes), so this works with any
 * number of workers. Queue depth and the cluster-wide completed/failed totals are read from Redis
 * by the gateway's /metrics (gateway/routes/operations.ts).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DmpStage } from '../../usecases/dmp/stage';

export interface DmpMetrics {
  /** Time spent in one step of a job. */
  observeStage(stage: DmpStage, seconds: number): void;
  /** One attempt that finished: how long it took, and how long since the job was enqueued. */
  observeJob(
    action: string,
    outcome: string,
    processingSeconds: number,
    sinceEnqueuedSeconds: number | undefined,
  ): void;
}

const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600];

export function createDmpMetrics(registry: Registry): DmpMetrics {
  const stage = new Histogram({
    name: 'ordo_dmp_stage_duration_seconds',
    help: 'Time spent in each step of a DMP job (read the prescription, render QR+PDF, build the CDA, sign, publish; find/supersede for a deprecation)',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const processing = new Histogram({
    name: 'ordo_dmp_job_duration_seconds',
    help: 'Processing time of one attempt of a DMP job, by action and outcome',
    labelNames: ['action', 'outcome'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ordo_dmp_publish_latency_seconds',
    help: 'From enqueue to done (queue wait and retries included), for jobs that reached the document sharing server',
    labelNames: ['action'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'ordo_dmp_jobs_total',
    help: 'DMP job attempts by action and outcome (published, skipped, deprecated, retry, dead-letter)',
    labelNames: ['action', 'outcome'],
    registers: [registry],
  });
  return {
    observeStage: (name, seconds) => stage.observe({ stage: name }, seconds),
    observeJob(action, outcome, processingSeconds, sinceEnqueuedSeconds) {
      jobs.inc({ action, outcome });
      processing.observe({ action, outcome }, processingSeconds);
      if (sinceEnqueuedSeconds !== undefined && (outcome === 'published' || outcome === 'deprecated'))
        latency.observe({ action }, sinceEnqueuedSeconds);
    },
  };
}
