/**
 * The production install, as the Docker image has it: `npm run build` (tsc to dist/ plus the runtime
 * data files), `npm ci --omit=dev` (no tsx, no TypeScript toolchain of ours, no test libraries), then
 * `node dist/...`. Proves that what the gateway, the profile installer and the worker load at run time
 * is compiled JavaScript, production dependencies and files copied by the build — a devDependency
 * imported by production code, a data file not copied, or a worker thread loading a .ts file fails here.
 * The gateway runs with an OTLP endpoint set, so the OpenTelemetry SDK (loaded only then) is proved too.
 *
 * The app directory is a temporary copy (package.json, package-lock.json, node_modules, dist/): a
 * symlink to the repository's dist/ would resolve modules from the repository's full node_modules.
 * The children run with NODE_ENV=test only because the test's token issuer serves its keys over http
 * (production requires https); nothing else differs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { VendorFormat } from '../../domain/prescription';
import { bearerFor, testIssuer, TEST_AUDIENCE } from '../support/auth';
import { spawnTracked, type TrackedChild } from '../support/child-process';
import { documentsOfPatient, signingEnv, waitFor } from '../support/dmp';
import { RUN_QUEUE_PREFIX, TEST_REDIS_URL, testFhirClient } from '../support/env';
import { freePort } from '../support/free-port';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { CONTENT_TYPES, uniquify, vendorExamples, wireBody } from '../support/vendor-fixtures';

const run = promisify(execFile);
const REPO_ROOT = path.join(__dirname, '..', '..');
const FORMATS = Object.keys(CONTENT_TYPES) as VendorFormat[];

let app: string;
let pki: ThrowawayPki;
let otlp: OtlpReceiver;
const children: TrackedChild[] = [];

before(async () => {
  app = mkdtempSync(path.join(tmpdir(), 'ordo-production-'));
  pki = await createThrowawayPki();
  otlp = await startOtlpReceiver();
  for (const file of ['package.json', 'package-lock.json'])
    copyFileSync(path.join(REPO_ROOT, file), path.join(app, file));
  // Both at once (2 cores): tsc is CPU, npm ci mostly network and disk (the npm cache of CI's own `npm ci`).
  await Promise.all([
    run(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs'), '--out-dir', path.join(app, 'dist')], {
      cwd: REPO_ROOT,
    }),
    run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: app,
      env: { ...process.env, NODE_ENV: 'production' },
    }),
  ]);
});

after(async () => {
  for (const { child } of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await pki?.cleanup();
  await otlp?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

/** A child `node dist/<entry>` in the app directory, with only the environment given (no NODE_OPTIONS, no tsx). */
function startNode(entry: string, env: Record<string, string>): TrackedChild {
  const started = spawnTracked(process.execPath, [path.join('dist', entry)], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env },
  });
  children.push(started);
  return started;
}

async function untilAnswers(url: string, started: TrackedChild): Promise<void> {
  await waitFor(
    url,
    async () => {
      if (started.child.exitCode !== null) throw new Error(`exited (${started.child.exitCode}):\n${started.output()}`);
      const res = await fetch(url).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    60_000,
  );
}

test('the production install holds no devDependency: tsx, typescript-eslint, supertest… are not resolvable', () => {
  const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const devOnly = Object.entries(lock.packages)
    .filter(([key, entry]) => entry.dev === true && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key))
    .map(([key]) => key);
  assert.ok(devOnly.includes('node_modules/tsx'), 'the lock file marks tsx as development only');
  assert.deepEqual(
    devOnly.filter((key) => existsSync(path.join(app, key))),
    [],
  );
  const requireFromDist = createRequire(path.join(app, 'dist', 'gateway', 'server.js'));
  assert.throws(() => requireFromDist.resolve('tsx'), { code: 'MODULE_NOT_FOUND' });
  assert.ok(
    requireFromDist.resolve('pngjs').startsWith(path.join(app, 'node_modules')),
    'pngjs is a production dependency',
  );
});

test('node dist/...: profiles installed, the gateway ready, one prescription per vendor format stored with its PDF and QR code, the worker publishes to the DMP', async () => {
  const fhirBaseUrl = process.env.FHIR_BASE_URL ?? 'http://127.0.0.1:8090/fhir';
  const queuePrefix = `${RUN_QUEUE_PREFIX}-${randomBytes(4).toString('hex')}`;
  const common = { FHIR_BASE_URL: fhirBaseUrl, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queuePrefix };

  const installer = startNode('scripts/install-profiles.js', { FHIR_BASE_URL: fhirBaseUrl });
  const [code] = (await once(installer.child, 'exit')) as [number | null];
  assert.equal(code, 0, installer.output());

  const issuer = await testIssuer();
  const port = await freePort();
  const gateway = startNode('gateway/server.js', {
    ...common,
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    // Traced (the worker is not): the OpenTelemetry SDK loads from the built code and production dependencies.
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  const base = `http://127.0.0.1:${port}`;
  await untilAnswers(`${base}/ready`, gateway);

  // The API documentation's page: swagger-ui-dist (a dependency) and our initializer (copied by the build).
  for (const asset of ['swagger-initializer.js', 'swagger-ui-bundle.js'])
    assert.equal((await fetch(`${base}/docs/${asset}`)).status, 200, asset);

  const stored: Array<{ number: string; ins: string; auth: string }> = [];
  for (const format of FORMATS) {
    const example = vendorExamples().find((e) => e.format === format && e.valid);
    assert.ok(example, `a valid ${format} example`);
    const unique = uniquify(example);
    const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
    const res = await fetch(`${base}/prescriptions`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': CONTENT_TYPES[format] },
      body: wireBody(format, unique.body),
    });
    const body = (await res.json()) as { number?: string };
    assert.equal(res.status, 201, `${format}/${example.name}: ${JSON.stringify(body)}\n${gateway.output()}`);
    assert.ok(body.number);
    stored.push({ number: body.number, ins: unique.ins, auth });

    const pdf = await fetch(`${base}/prescriptions/${body.number}/ordonnance.pdf`, {
      headers: { authorization: auth },
    });
    assert.equal(pdf.status, 200, `${format}: PDF`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
    const png = await fetch(`${base}/prescriptions/${body.number}/qr.png`, { headers: { authorization: auth } });
    assert.equal(png.status, 200, `${format}: QR code`);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.deepEqual([...Buffer.from(await png.arrayBuffer()).subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  }

  const healthPort = await freePort();
  const worker = startNode('queue/worker.js', {
    ...common,
    WORKER_HEALTH_PORT: String(healthPort),
    WORKER_CONCURRENCY: '2',
    ...signingEnv(pki),
  });
  await untilAnswers(`http://127.0.0.1:${healthPort}/health`, worker);
  const fhir = await testFhirClient();
  const first = stored[0]!;
  const documents = await waitFor(
    'the DMP document published by the worker',
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      const found = await documentsOfPatient(fhir, first.ins);
      return found.length > 0 ? found : undefined;
    },
    90_000,
  );
  assert.equal(documents.length, 1, worker.output());

  for (const started of [gateway, worker]) {
    started.child.kill('SIGTERM');
    const [exitCode] = (await once(started.child, 'exit')) as [number | null];
    assert.equal(exitCode, 0, started.output());
  }
  // The gateway flushed its spans on SIGTERM: a server span per prescription posted, with its request id.
  const posted = otlp.spans.filter(
    (s) => s.service === 'ordo-gateway' && s.kind === SPAN_KIND.server && s.name === 'POST /prescriptions',
  );
  assert.equal(posted.length, FORMATS.length, `spans: ${otlp.spans.map((s) => s.name).join(', ')}`);
  assert.ok(posted.every((s) => typeof s.attributes['ordo.request_id'] === 'string'));
});
