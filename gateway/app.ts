/**
 * The Express application, assembled from its dependencies so that tests can build one
 * against the real FHIR store and Redis without opening a port.
 */
import { conformanceCatalogOf } from './conformance/catalog';
import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { useCaseDepsOf, type AppDeps } from './app-deps';
import { rawBody } from './http/body';
import { createRequestMetrics } from './http/request-metrics';
import { requestTracing } from './http/request-tracing';
import { tracingStarted } from '../platform/tracing';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { openApiDocument } from './openapi/document';
import { expressPathsOf, type RouteContext, type RouteDefinition } from './routes/route';
import { matchRoute, ROUTES } from './routes/table';
import { securityInterceptor } from './security/interceptor';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For only from the configured proxies (the audit trail records the client's address).
  app.set('trust proxy', deps.config.trustedProxies.length > 0 ? deps.config.trustedProxies : false);
  app.locals.publicBaseUrl = deps.config.publicBaseUrl;
  // First, so that every answer is measured, refusals and errors included.
  const requestMetrics = createRequestMetrics((method, path) => matchRoute(method, path)?.rule.path);
  app.use(requestMetrics.middleware);
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Keep a caller's correlation id when it is sane, else make one; echo it back.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Method, path, status and timing only: never bodies, query strings or headers with tokens.
      serializers: {
        req: (req) => ({
          id: req.id,
          method: req.method,
          path: String(req.url).split('?')[0],
          remote: req.remoteAddress,
        }),
        res: (res) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  // Right after the request id is known, before the interceptor queues the request's audit record.
  if (tracingStarted()) app.use(requestTracing((method, path) => matchRoute(method, path)?.rule.path));

  // Authentication, authorization, throttling and audit of every request, in one place.
  app.use(securityInterceptor(deps));

  const apiDocument = openApiDocument({ serverUrl: deps.config.publicBaseUrl });
  const useCases = useCaseDepsOf(deps);
  const conformance = conformanceCatalogOf(deps.fhir, useCases.now().toISOString());
  const ctx: RouteContext = { deps, useCases, apiDocument, conformance, requestMetrics: requestMetrics.registry };
  for (const route of ROUTES) register(app, route, ctx);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** One route of the table on the application, in table order (the first match wins, as in the interceptor). */
function register(app: Express, route: RouteDefinition, ctx: RouteContext): void {
  const handlers: RequestHandler[] = [...(route.rawBody ? [rawBody] : []), route.handler(ctx)];
  const paths = expressPathsOf(route);
  if (route.mount) {
    app.use(paths[0]!, ...handlers);
    return;
  }
  if (route.method === '*') app.all(paths, ...handlers);
  else app[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](paths, ...handlers);
}
