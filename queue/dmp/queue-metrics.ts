/**
 * Prometheus series of the gateway's queues, read from Redis at scrape time, so that every
 * gateway process reports the same cluster-wide numbers whatever the number of workers:
 *
 *   ordo_queue_jobs{queue,state}           jobs per state (waiting, active, delayed, prioritized,
 *                                          waiting-children, completed, failed — failed jobs are
 *                                          the dead letters)
 *   ordo_queue_completed_total{queue}      jobs completed since metrics were enabled (BullMQ
 *   ordo_queue_failed_total{queue}         worker metrics, kept in Redis); failed = dead-lettered
 *
 * Latency histograms are measured where the work is done, in the workers (queue/dmp/metrics.ts).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Queue } from 'bullmq';

export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

export function createQueueMetricsRegistry(queues: readonly Queue[]): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'ordo_queue_jobs',
    help: 'Jobs in each state, per queue (failed = dead letters)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES)));
      queues.forEach((q, i) => {
        for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[i]![state] ?? 0);
      });
    },
  });
  for (const type of ['completed', 'failed'] as const) {
    new Counter({
      name: `ordo_queue_${type}_total`,
      help:
        type === 'completed'
          ? 'Jobs completed, all workers (BullMQ metrics in Redis)'
          : 'Jobs failed for good (dead-lettered), all workers (BullMQ metrics in Redis)',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const metrics = await Promise.all(queues.map((q) => q.getMetrics(type, 0, 0)));
        this.reset();
        queues.forEach((q, i) => this.inc({ queue: q.name }, metrics[i]!.meta.count || 0));
      },
    });
  }
  return registry;
}
