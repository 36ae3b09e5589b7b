/**
 * Configuration of the DMP publication worker, from environment variables (checked once at
 * start-up with the gateway's EnvReader: every problem is reported at once, naming the variable).
 *
 *   DMP_FHIR_BASE_URL            FHIR R4 base of the document sharing server (PDSm/MHD recipient);
 *                                defaults to FHIR_BASE_URL (locally the same HAPI).
 *   DMP_SIGNING_P12 + DMP_SIGNING_P12_PASSWORD     signing credentials as a PKCS#12 bundle, or
 *   DMP_SIGNING_KEY + DMP_SIGNING_CERT (+ DMP_SIGNING_CHAIN)   as PEM files.
 *   DMP_SOURCE_OID               OID of this gateway as an XDS source (SubmissionSet sourceId, and
 *                                the namespace of the document unique ids). Required in production.
 *   DMP_TIMEOUT_MS / DMP_RETRIES per-request timeout and in-request retries of the DMP client
 *                                (default FHIR_TIMEOUT_MS / FHIR_RETRIES); longer outages are
 *                                retried by the queue with exponential backoff.
 */
import { EnvReader, ConfigError, type GatewayConfig } from '../../platform/config';
import type { CredentialSource } from '../../platform/signing-credentials';

export interface DmpConfig {
  fhirBaseUrl: string;
  timeoutMs: number;
  retries: number;
  signing: CredentialSource;
  sourceOid: string;
}

type Env = Record<string, string | undefined>;

/**
 * A fixed development source OID: 2.25.<UUID 25760c24-a8fd-49c0-a625-6dfe104d547f as an integer>.
 * Documents published with it are development documents; production must name its own OID.
 */
export const DEVELOPMENT_SOURCE_OID = '2.25.49794373166777779460017381017513710719';

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

function signingSource(env: Env, problems: string[]): CredentialSource {
  const p12 = env.DMP_SIGNING_P12?.trim();
  const key = env.DMP_SIGNING_KEY?.trim();
  const cert = env.DMP_SIGNING_CERT?.trim();
  const chain = env.DMP_SIGNING_CHAIN?.trim();
  if (p12 && (key || cert)) problems.push('set either DMP_SIGNING_P12 or DMP_SIGNING_KEY + DMP_SIGNING_CERT, not both');
  if (p12) {
    const password = env.DMP_SIGNING_P12_PASSWORD;
    if (password === undefined) problems.push('DMP_SIGNING_P12_PASSWORD is required with DMP_SIGNING_P12');
    return { p12Path: p12, p12Password: password ?? '' };
  }
  if (key || cert) {
    if (!key) problems.push('DMP_SIGNING_KEY is required with DMP_SIGNING_CERT');
    if (!cert) problems.push('DMP_SIGNING_CERT is required with DMP_SIGNING_KEY');
    return chain
      ? { keyPath: key ?? '', certPath: cert ?? '', chainPath: chain }
      : { keyPath: key ?? '', certPath: cert ?? '' };
  }
  problems.push(
    'DMP signing credentials are required: DMP_SIGNING_P12 + DMP_SIGNING_P12_PASSWORD, or DMP_SIGNING_KEY + DMP_SIGNING_CERT (npm start makes a development certificate)',
  );
  return { keyPath: '', certPath: '' };
}

export function loadDmpConfig(
  gateway: Pick<GatewayConfig, 'dmpFhirBaseUrl' | 'fhirTimeoutMs' | 'fhirRetries' | 'nodeEnv'>,
  env: Env = process.env,
): DmpConfig {
  const read = new EnvReader(env);
  const production = gateway.nodeEnv === 'production';
  const fhirBaseUrl = read.url('DMP_FHIR_BASE_URL', ['http:', 'https:'], gateway.dmpFhirBaseUrl).replace(/\/+$/, '');
  const timeoutMs = read.integer('DMP_TIMEOUT_MS', gateway.fhirTimeoutMs, 100, 600_000);
  const retries = read.integer('DMP_RETRIES', gateway.fhirRetries, 0, 10);
  const sourceOid = read.string('DMP_SOURCE_OID', production ? undefined : DEVELOPMENT_SOURCE_OID);
  if (sourceOid && !OID.test(sourceOid))
    read.problems.push(`DMP_SOURCE_OID must be an OID (e.g. 1.2.250.1.x.y), got "${sourceOid}"`);
  const signing = signingSource(env, read.problems);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return { fhirBaseUrl, timeoutMs, retries, signing, sourceOid };
}
