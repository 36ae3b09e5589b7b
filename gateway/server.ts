/**
 * Gateway process entry point: validate configuration, connect, serve, and stop cleanly on
 * SIGTERM/SIGINT (finish in-flight requests, close queues and connections).
 */
// First: tracing (when configured) instruments the modules loaded after it.
import './start-tracing';
import type { Server } from 'node:http';
import { createApp } from './app';
import { createFhirClient } from '../store/fhir-client';
import { ConfigError, loadConfig } from '../platform/config';
import { connectDependencies, UnreachableError } from '../platform/dependencies';
import { createLogger } from '../platform/logger';
import { shutdownTracing } from '../platform/tracing';
import { loadSecurityConfig } from './security/config';
import { closeQueues, createQueues } from '../queue/queues';
import { LGC_XML_SCHEMA } from '../mappers/lgc-xml';
import { vendorSchema } from '../platform/xsd/vendor-schemas';

async function main(): Promise<void> {
  const config = loadConfig();
  const security = loadSecurityConfig();
  const logger = createLogger(config.logLevel);
  const { fhir, redis } = await connectDependencies(config, { failFast: true });
  // The lgc-xml XSD compiled before the first request, and a schema that does not compile stops the start.
  await vendorSchema(LGC_XML_SCHEMA);
  const queues = createQueues({ connection: redis, prefix: config.queuePrefix });
  // The document sharing server may be down at start: the publication status says so, nothing else needs it.
  const dmpFhir =
    config.dmpFhirBaseUrl === config.fhirBaseUrl
      ? fhir
      : await createFhirClient({ baseUrl: config.dmpFhirBaseUrl, timeoutMs: config.fhirTimeoutMs, retries: 0 });
  const app = createApp({ config, logger, fhir, dmpFhir, redis, queues, security });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  logger.info({ url: `http://${config.host}:${config.port}`, fhir: config.fhirBaseUrl }, 'gateway listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway stopping');
    const forced = setTimeout(() => process.exit(1), 15_000).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeQueues(queues);
    await redis.quit().catch(() => undefined);
    await shutdownTracing();
    clearTimeout(forced);
    logger.info('gateway stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof UnreachableError) {
    process.stderr.write(
      `ordo-gateway cannot start:\n  - ${err instanceof ConfigError ? err.problems.join('\n  - ') : err.message}\n`,
    );
  } else {
    process.stderr.write(`ordo-gateway failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
});
