/**
 * HTTP request metrics of the gateway, on its /metrics beside the queue series:
 *
 *   http_requests_total{method,route,status}                 requests answered
 *   http_request_duration_seconds{method,route,status}       time to the answer's last byte (histogram)
 *
 * `route` is the route *template* of gateway/routes/table.ts (`/prescriptions/:number`), never the
 * path asked: a concrete path carries prescription numbers, and each would be a series of its own.
 * A request no route matches is `unmatched`. `status` is the HTTP code (a bounded set); errors are
 * the 4xx/5xx series. The registry is the application's own, so that two applications in one
 * process (the tests) do not share or collide on series.
 */
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';

/** What a request's route is, from the route table (gateway/routes/table.ts matchRoute). */
export type RouteTemplateOf = (method: string, path: string) => string | undefined;

export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; from a cached read (a few ms) to a slow intake on a loaded HAPI (tens of seconds). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface RequestMetrics {
  registry: Registry;
  /** Express middleware: observes every request when its answer is finished. */
  middleware: RequestHandler;
}

export function createRequestMetrics(routeTemplateOf: RouteTemplateOf): RequestMetrics {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the last byte of its answer, by method, route template and status code',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: a mounted sub-application (the queue dashboard) rewrites req.path for its own routes.
    const route = routeTemplateOf(req.method, req.path) ?? UNMATCHED_ROUTE;
    res.once('finish', () => {
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
  return { registry, middleware };
}
