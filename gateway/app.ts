/**
 * The Express application, assembled from its dependencies so that tests can build one
 * against the real FHIR store and Redis without opening a port.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Redis } from 'ioredis';
import type { FhirClient } from '../store/fhir-client';
import type { GatewayQueues } from '../queue/queues';
import type { GatewayConfig } from '../platform/config';
import { errorHandler, notFoundHandler } from './error-handler';
import type { Logger } from '../platform/logger';
import { auditRouter } from './routes/audit';
import { healthRouter } from './routes/health';
import { operationsRouter } from './routes/operations';
import { messagingRouter } from './routes/messaging';
import { prescriptionsRouter } from './routes/prescriptions';
import type { SecurityConfig } from './security/config';
import { securityInterceptor } from './security/interceptor';

export interface AppDeps {
  config: GatewayConfig;
  logger: Logger;
  fhir: FhirClient;
  /** The document sharing server (DMP_FHIR_BASE_URL), for the publication status; defaults to `fhir`. */
  dmpFhir?: FhirClient;
  redis: Redis;
  queues: GatewayQueues;
  /** Authentication, claim mapping and lookup throttling (gateway/security/config.ts). */
  security: SecurityConfig;
  /** Injected clock, so that date rules can be tested. */
  now?: () => Date;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
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
        req: (req) => ({ id: req.id, method: req.method, path: String(req.url).split('?')[0], remote: req.remoteAddress }),
        res: (res) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );

  // Authentication, authorization, throttling and audit of every request, in one place.
  app.use(securityInterceptor(deps));

  app.use(healthRouter(deps));
  app.use(operationsRouter(deps));
  app.use(prescriptionsRouter(deps));
  app.use(messagingRouter(deps));
  app.use(auditRouter(deps));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
