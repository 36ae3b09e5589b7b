/**
 * With tracing on (platform/tracing.ts): the request's server span is named after its route template
 * (`POST /prescriptions`, never the path asked, as for the metrics' `route` label) and carries the
 * request id, which every span started under it inherits (calls to HAPI, queued jobs, their workers).
 * Installed only when tracing is on: otherwise a request pays nothing for it.
 */
import type { RequestHandler } from 'express';
import { nameServerSpan, withRequestId } from '../../platform/trace-context';

export const requestTracing =
  (routeOf: (method: string, path: string) => string | undefined): RequestHandler =>
  (req, _res, next) => {
    const route = routeOf(req.method, req.path);
    if (route) nameServerSpan(req.method, route);
    withRequestId(String(req.id), next);
  };
