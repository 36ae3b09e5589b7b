/**
 * Operations endpoints (operator role only: gateway/routes/table.ts):
 *   /admin/queues   the Bull Board dashboard: jobs per state, dead letters with their reason,
 *                   retry or remove a job
 *   /metrics        Prometheus: queue depth per state and completed/failed totals, read from
 *                   Redis (cluster-wide). Worker latency histograms are on each worker's health
 *                   port (GET /metrics), since they are measured in the worker processes. Also
 *                   this process's HTTP requests by route template (gateway/http/request-metrics.ts).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { Registry } from 'prom-client';
import { createQueueMetricsRegistry } from '../../queue/dmp/queue-metrics';
import type { RouteContext } from './route';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** The Bull Board dashboard, mounted at QUEUE_DASHBOARD_PATH. */
export function queueDashboard({ deps }: RouteContext): RequestHandler {
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  // @bull-board/express pins its own copy of @bull-board/api (9.10.1, types only differ); the board
  // is built by the top-level api with its matching UI, the express adapter only serves it.
  createBullBoard({
    queues: Object.values(deps.queues).map((q) => new BullMQAdapter(q)),
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
  });
  return board.getRouter() as RequestHandler;
}

export function queueMetrics({ deps, requestMetrics }: RouteContext): RequestHandler {
  const registry = Registry.merge([createQueueMetricsRegistry(Object.values(deps.queues)), requestMetrics]);
  return async (_req, res) => {
    const body = await registry.metrics();
    res.setHeader('cache-control', 'no-store');
    res.type(registry.contentType).send(body);
  };
}
