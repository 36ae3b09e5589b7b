/**
 * What the HTTP edge is built from (gateway/app.ts), and the use cases' share of it. Its own
 * module so that routes and the interceptor need not import the application that assembles them.
 */
import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../platform/config';
import { clockOf } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { vendorSchemaValidator } from '../platform/xsd/vendor-schemas';
import { dmpPublicationQueueOf } from '../queue/dmp-jobs';
import { publicationJobsOf } from '../queue/dmp/publication-jobs';
import type { GatewayQueues } from '../queue/queues';
import type { FhirClient } from '../store/fhir-client';
import { redisPrescriptionCache } from '../store/prescription-cache';
import { redisIdentityCache } from '../store/identity-cache';
import type { UseCaseDeps, XmlSchemaValidator } from '../usecases/ports';
import type { SecurityConfig } from './security/config';

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
  /** The XML Schema validator; defaults to the process's (platform/xsd/vendor-schemas.ts). */
  xsd?: XmlSchemaValidator;
}

/** The ports the use cases are called with, over the gateway's connections. */
export function useCaseDepsOf(deps: AppDeps): UseCaseDeps {
  return {
    fhir: deps.fhir,
    dmpStore: deps.dmpFhir ?? deps.fhir,
    now: clockOf(deps),
    numberIssuer: deps.config.numberIssuer,
    dmpQueue: dmpPublicationQueueOf(deps.queues),
    publicationJobs: publicationJobsOf(deps.queues),
    xsd: deps.xsd ?? vendorSchemaValidator,
    ...(deps.config.identityCache ? { identityCache: redisIdentityCache(deps.redis, deps.config.queuePrefix) } : {}),
    ...(deps.config.conditionalMessageEntries ? { conditionalMessageEntries: true } : {}),
    ...(deps.config.lookupCache
      ? { prescriptionCache: redisPrescriptionCache(deps.redis, deps.config.queuePrefix) }
      : {}),
  };
}
