/**
 * Real gateway and worker processes for benchmarks: spawned with tsx like `npm start` runs them,
 * waited for until they answer, stopped with SIGTERM. BENCH_GATEWAY_PROF=<dir> writes a V8 CPU
 * profile of each gateway process there (open it in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DEV_AUDIENCE, generateDevKey, signDevToken, startDevIssuer, type DevIdentity } from '../../dev/token-issuer';
import { createRedisConnection } from '../../platform/redis';
import { closeQueues, createQueues } from '../../queue/queues';
import { freePort } from '../../test/support/free-port';
import { processCpuSeconds } from './cpu';

const ROOT = path.resolve(__dirname, '..', '..');

export interface RunningProcess {
  process: ChildProcess;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface RunningGateway extends RunningProcess {
  url: string;
}

const profilerFlags = (): string[] =>
  process.env.BENCH_GATEWAY_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_PROF}`] : [];

/**
 * Spawns `script` (a path in the checkout `root`, this one by default) with `env` on top of this
 * environment; resolves once `readyUrl` answers 2xx.
 */
export async function startProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  readyUrl: string,
  nodeFlags: readonly string[] = [],
  root: string = ROOT,
): Promise<RunningProcess> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(root, script)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} during start-up`);
    const ready = await fetch(readyUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready after 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    process: child,
    cpuSeconds: () => processCpuSeconds(child.pid!) ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The checkout whose gateway the benchmarks run: this one, or BENCH_GATEWAY_ROOT (another checkout, e.g.
 * a worktree of an older commit with its own `npm ci`, to measure its gateway under the same load and
 * cost accounting; its HAPI launcher is the one FHIR_BASE_URL names).
 */
const gatewayRoot = (): string => process.env.BENCH_GATEWAY_ROOT ?? ROOT;

export async function startGatewayProcess(env: Record<string, string>): Promise<RunningGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = await startProcess(
    'gateway',
    'gateway/server.ts',
    { ...env, PORT: String(port), HOST: '127.0.0.1' },
    `${url}/ready`,
    profilerFlags(),
    gatewayRoot(),
  );
  return { ...gateway, url };
}

/** The FHIR store and Redis the benchmarks run against: bench/run.sh sets both. */
export function benchServers(): { fhirBaseUrl: string; redisUrl: string } {
  const fhirBaseUrl = process.env.FHIR_BASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!fhirBaseUrl || !redisUrl) throw new Error('FHIR_BASE_URL and REDIS_URL are required (bench/run.sh sets them)');
  return { fhirBaseUrl, redisUrl };
}

export interface BenchGateway extends RunningGateway {
  /** A token of the development issuer the gateway trusts. */
  token(identity: DevIdentity): Promise<string>;
}

/**
 * A gateway process on the FHIR store and Redis of bench/run.sh, trusting a development issuer run
 * in this process (as `npm start` runs one), with queues of its own: stop() stops both and drops
 * what the gateway queued (no audit worker runs during a benchmark).
 */
export async function startBenchGateway(name: string, env: Record<string, string> = {}): Promise<BenchGateway> {
  const { fhirBaseUrl, redisUrl } = benchServers();
  const queuePrefix = `bench-${name}-${randomUUID().slice(0, 8)}`;
  const key = await generateDevKey();
  const issuer = await startDevIssuer(key);
  const gateway = await startGatewayProcess({
    FHIR_BASE_URL: fhirBaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    // One prescriber sends every prescription, with vendor numbers (each a number lookup): not throttled here.
    LOOKUP_LIMIT_POINTS: '100000',
    ...env,
  }).catch(async (err: unknown) => {
    await issuer.close();
    throw err;
  });
  return {
    ...gateway,
    token: (identity) => signDevToken(key, identity, { issuer: issuer.issuer, audience: DEV_AUDIENCE }),
    async stop() {
      await gateway.stop();
      await issuer.close();
      const redis = createRedisConnection(redisUrl);
      const queues = createQueues({ connection: redis, prefix: queuePrefix });
      await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true }).catch(() => undefined)));
      await closeQueues(queues);
      redis.disconnect();
    },
  };
}
