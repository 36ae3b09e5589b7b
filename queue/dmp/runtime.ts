/**
 * Everything the DMP processor needs, prepared once when a worker starts: the document sharing
 * server's client, the signing credentials (loaded and proven able to sign, so that a wrong key
 * or password stops the worker at start-up instead of dead-lettering every job), and the queue
 * handles used to see pending publications and to audit them.
 */
import type { ConnectionOptions } from 'bullmq';
import { signSubmissionSet, type SigningCredentials } from '../../documents/signature';
import { loadSigningCredentials } from '../../platform/signing-credentials';
import { createFhirClient, type FhirClient } from '../../store/fhir-client';
import { ConfigError } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { auditQueueOf } from '../audit/jobs';
import { closeQueues, createQueues, QUEUE_NAMES } from '../queues';
import type { DmpConfig } from './config';
import type { DmpMetrics } from './metrics';
import type { DmpRuntime } from './processor';

export interface DmpRuntimeOptions {
  config: DmpConfig;
  /** The gateway's FHIR store. */
  fhir: FhirClient;
  connection: ConnectionOptions;
  queuePrefix: string;
  logger: Logger;
  metrics: DmpMetrics;
}

export interface PreparedDmpRuntime extends DmpRuntime {
  close(): Promise<void>;
}

const credentialVariables = (config: DmpConfig): string =>
  'p12Path' in config.signing ? 'DMP_SIGNING_P12 / DMP_SIGNING_P12_PASSWORD' : 'DMP_SIGNING_KEY / DMP_SIGNING_CERT';

export async function loadUsableCredentials(config: DmpConfig): Promise<SigningCredentials> {
  let credentials: SigningCredentials;
  try {
    credentials = await loadSigningCredentials(config.signing);
    await signSubmissionSet([{ uniqueId: 'urn:oid:2.25.1', content: Buffer.from('probe') }], credentials, {
      signingTime: new Date(0),
    });
  } catch (err) {
    throw new ConfigError([
      `${credentialVariables(config)}: the signing credentials cannot be used: ${(err as Error).message}`,
    ]);
  }
  return credentials;
}

export async function prepareDmpRuntime(options: DmpRuntimeOptions): Promise<PreparedDmpRuntime> {
  const { config, logger } = options;
  const credentials = await loadUsableCredentials(config);
  const dmp = await createFhirClient({
    baseUrl: config.fhirBaseUrl,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
  });
  // The document sharing server may be down when the worker starts: jobs wait and retry, so this only warns.
  await dmp
    .capabilityStatement()
    .catch((err: Error) =>
      logger.warn(
        { dmp: config.fhirBaseUrl, reason: err.message },
        'DMP store unreachable at start-up; jobs will retry',
      ),
    );
  const queues = createQueues({ connection: options.connection, prefix: options.queuePrefix });
  return {
    fhir: options.fhir,
    dmp,
    credentials,
    sourceOid: config.sourceOid,
    queue: queues[QUEUE_NAMES.dmpPublish],
    audit: auditQueueOf(queues),
    logger,
    metrics: options.metrics,
    close: () => closeQueues(queues),
  };
}
