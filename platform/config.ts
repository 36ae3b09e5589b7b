/**
 * Configuration from environment variables, validated once at start-up.
 * A missing or malformed value stops the process with a message naming the variable.
 */
export interface GatewayConfig {
  port: number;
  host: string;
  fhirBaseUrl: string;
  fhirTimeoutMs: number;
  fhirRetries: number;
  /**
   * The document sharing server the worker publishes to (DMP_FHIR_BASE_URL, default FHIR_BASE_URL): the
   * gateway reads publication status from it.
   */
  dmpFhirBaseUrl: string;
  redisUrl: string;
  /** Prefix of every BullMQ key, so that several deployments (or CI) can share one Redis. */
  queuePrefix: string;
  logLevel: string;
  /** Issuer field of the prescription numbers this gateway generates (0..1023). */
  numberIssuer: number;
  nodeEnv: string;
  /**
   * The gateway's address as its clients reach it (PUBLIC_BASE_URL, no trailing slash): every
   * absolute URL it answers (fullUrls, paging links, endpoints) starts with it. Never taken from
   * the request's Host header, which any client sets. Required in production.
   */
  publicBaseUrl: string;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES: comma-separated addresses
   * or CIDRs, as Express's `trust proxy` reads them); none by default.
   */
  trustedProxies: string[];
  /**
   * Lookups by number (and a dispense's first read) answered from a Redis cache while the header is
   * still at its cached version (LOOKUP_CACHE, default on; `off`: every lookup searches, the previous
   * path, to measure against: README "Lookup cache").
   */
  lookupCache: boolean;
  /**
   * Intake references the Patient, Practitioner and Organization it knows from a Redis cache instead of
   * conditional creates (IDENTITY_CACHE, default on; `off` only to measure the previous path: bench/intake).
   */
  identityCache: boolean;
  /**
   * Intake sends the header, Consents, lines and outbox Task as conditional creates on their message
   * identifiers (INTAKE_CONDITIONAL_CREATES, default off: the unique index on the message id guards a
   * resent message; `on` only to measure the previous path: bench/intake).
   */
  conditionalMessageEntries: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads one variable; collects problems instead of throwing so that all are reported at once. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  url(name: string, protocols: string[], fallback?: string): string {
    const value = this.string(name, fallback);
    if (!value) return value;
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol))
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL, got ${url.protocol}`);
    } catch {
      this.problems.push(`${name} is not a valid URL: ${value}`);
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  oneOf(name: string, allowed: readonly string[], fallback: string): string {
    const value = this.string(name, fallback);
    if (!allowed.includes(value)) this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value;
  }
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const read = new EnvReader(env);
  const fhirBaseUrl = read.url('FHIR_BASE_URL', ['http:', 'https:']).replace(/\/+$/, '');
  const config: GatewayConfig = {
    port: read.integer('PORT', 3000, 0, 65535),
    host: read.string('HOST', '127.0.0.1'),
    fhirBaseUrl,
    dmpFhirBaseUrl: read.url('DMP_FHIR_BASE_URL', ['http:', 'https:'], fhirBaseUrl).replace(/\/+$/, ''),
    fhirTimeoutMs: read.integer('FHIR_TIMEOUT_MS', 15_000, 100, 600_000),
    fhirRetries: read.integer('FHIR_RETRIES', 2, 0, 10),
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix: read.string('QUEUE_PREFIX', 'ordo'),
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    numberIssuer: read.integer('NUMBER_ISSUER', 1, 0, 1023),
    nodeEnv: read.string('NODE_ENV', 'development'),
    publicBaseUrl: '',
    trustedProxies: listOf(env.TRUSTED_PROXIES),
    lookupCache: read.oneOf('LOOKUP_CACHE', ['on', 'off'], 'on') === 'on',
    identityCache: read.oneOf('IDENTITY_CACHE', ['on', 'off'], 'on') === 'on',
    conditionalMessageEntries: read.oneOf('INTAKE_CONDITIONAL_CREATES', ['on', 'off'], 'off') === 'on',
  };
  const production = config.nodeEnv === 'production';
  config.publicBaseUrl = read
    .url('PUBLIC_BASE_URL', ['http:', 'https:'], production ? undefined : `http://${config.host}:${config.port}`)
    .replace(/\/+$/, '');
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/** Comma-separated list → its non-empty items. */
const listOf = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The worker process's own settings (queue/worker.ts). */
export interface WorkerConfig {
  /** Jobs one worker runs at once, per queue. */
  concurrency: number;
  /** A job whose worker died is taken over once its lock expires (BullMQ default 30 s). */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Port of the worker's /health and /metrics. */
  healthPort: number;
  /** The outbox sweeper (queue/outbox/sweeper.ts): how often, and how old a Task must be to be swept. */
  outboxSweepIntervalMs: number;
  outboxGraceSeconds: number;
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const read = new EnvReader(env);
  const config: WorkerConfig = {
    concurrency: read.integer('WORKER_CONCURRENCY', 4, 1, 256),
    lockDurationMs: read.integer('WORKER_LOCK_DURATION_MS', 30_000, 500, 3_600_000),
    stalledIntervalMs: read.integer('WORKER_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
    healthPort: read.integer('WORKER_HEALTH_PORT', 3001, 0, 65535),
    outboxSweepIntervalMs: read.integer('OUTBOX_SWEEP_INTERVAL_MS', 15_000, 100, 3_600_000),
    outboxGraceSeconds: read.integer('OUTBOX_GRACE_SECONDS', 60, 0, 86_400),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
