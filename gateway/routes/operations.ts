/**
 * Operations endpoints (to be restricted to the operator role):
 *   /admin/queues   the Bull Board dashboard: jobs per state, dead letters with their reason,
 *                   retry or remove a job
 *   /metrics        Prometheus: queue depth per state and completed/failed totals, read from
 *                   Redis (cluster-wide). Worker latency histograms are on each worker's health
 *                   port (GET /metrics), since they are measured in the worker processes.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import { createQueueMetricsRegistry } from '../../queue/dmp/queue-metrics';
import type { GatewayQueues } from '../../queue/queues';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

export interface OperationsDeps {
  queues: GatewayQueues;
}

export function operationsRouter(deps: OperationsDeps): Router {
  const router = Router();
  const queues = Object.values(deps.queues);

  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  // @bull-board/express pins its own copy of @bull-board/api (9.10.1, types only differ); the board
  // is built by the top-level api with its matching UI, the express adapter only serves it.
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'] });
  router.use(QUEUE_DASHBOARD_PATH, board.getRouter());

  const registry = createQueueMetricsRegistry(queues);
  router.get('/metrics', async (_req, res) => {
    const body = await registry.metrics();
    res.setHeader('cache-control', 'no-store');
    res.type(registry.contentType).send(body);
  });
  return router;
}
