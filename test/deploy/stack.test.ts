/**
 * `npm run test:deploy` (scripts/test-deploy.sh builds the images first): the production stack of
 * docker/docker-compose.yml, with docker/docker-compose.host.yml for this machine (host network, each
 * service on its own 127.0.0.1 port, PostgreSQL and Redis from the local bases), started from the
 * images only — PostgreSQL, Redis, the project's HAPI, the profile installer, the gateway and the
 * worker, all containers, NODE_ENV=production. The test process only plays the users: a prescriber
 * per vendor format, pharmacists, an auditor, an operator; and the identity provider (an https
 * issuer whose self-signed certificate the containers trust through EXTRA_CA_FILE).
 *
 * Compose's project is `ordo-deploy-test`; its volumes go with it at the end (`down -v`). The
 * compose logs are written to .run/test-deploy/compose.log whatever the outcome.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { AuditEvent, Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { generateDevKey, signDevToken, startDevIssuer, type RunningDevIssuer } from '../../dev/token-issuer';
import type { VendorFormat } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { createFhirClient, type FhirClient } from '../../store/fhir-client';
import { completeIdentity, TEST_AUDIENCE, type TestIdentity } from '../support/auth';
import { documentsOfPatient, signatureEntryOf, waitFor } from '../support/dmp';
import { collection, PROFESSION_FOR, summaryOf, type Summary } from '../support/dispensing';
import { syntheticRpps } from '../support/synthetic';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { CONTENT_TYPES, uniquify, vendorExamples, wireBody } from '../support/vendor-fixtures';

const run = promisify(execFile);
const REPO_ROOT = path.join(__dirname, '..', '..');
const OUTPUT_DIR = path.join(REPO_ROOT, '.run', 'test-deploy');
const FORMATS = Object.keys(CONTENT_TYPES) as VendorFormat[];
const PROJECT = 'ordo-deploy-test';
const COMPOSE_FILES = ['-f', 'docker/docker-compose.yml', '-f', 'docker/docker-compose.host.yml'];

/** The override's ports (docker/docker-compose.host.yml), overridable like there. */
const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const GATEWAY = `http://127.0.0.1:${port('HOST_GATEWAY_PORT', 13000)}`;
const WORKER_HEALTH = `http://127.0.0.1:${port('HOST_WORKER_HEALTH_PORT', 13001)}/health`;
const HAPI = `http://127.0.0.1:${port('HOST_HAPI_PORT', 18080)}/fhir`;

let work: string;
let pki: ThrowawayPki;
let issuer: RunningDevIssuer;
let composeEnv: NodeJS.ProcessEnv;
let hapi: FhirClient;

async function compose(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', ['compose', '-p', PROJECT, ...COMPOSE_FILES, ...args], {
    cwd: REPO_ROOT,
    env: composeEnv,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** A command inside a running service's container (no tty), its standard output. */
const inContainer = async (service: string, command: string[]): Promise<string> =>
  (await compose(['exec', '-T', service, ...command])).trim();

async function tokenFor(identity: TestIdentity): Promise<string> {
  const token = await signDevToken(issuer.key, completeIdentity(identity), {
    issuer: issuer.issuer,
    audience: TEST_AUDIENCE,
  });
  return `Bearer ${token}`;
}

/** A self-signed certificate for 127.0.0.1 (the issuer's https), made by openssl. */
async function selfSignedCertificate(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const keyFile = path.join(dir, 'issuer-key.pem');
  const certFile = path.join(dir, 'issuer-cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  // The containers' users (node, uid 1000) read it through a bind mount.
  await chmod(certFile, 0o644);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
}

before(async () => {
  await mkdir(OUTPUT_DIR, { recursive: true });
  work = await mkdtemp(path.join(tmpdir(), 'ordo-deploy-'));
  const secrets = path.join(work, 'secrets');
  await mkdir(secrets);
  pki = await createThrowawayPki();
  // Compose without Swarm mounts secret files as they are: readable by the containers' users.
  await copyFile(pki.p12Path, path.join(secrets, 'dmp_signing.p12'));
  await writeFile(path.join(secrets, 'postgres_password'), randomBytes(18).toString('base64url'));
  for (const file of ['dmp_signing.p12', 'postgres_password']) await chmod(path.join(secrets, file), 0o644);

  const tls = await selfSignedCertificate(work);
  issuer = await startDevIssuer(await generateDevKey(), 0, '127.0.0.1', tls);
  composeEnv = {
    ...process.env,
    SECRETS_DIR: secrets,
    EXTRA_CA_FILE: tls.certFile,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    // The containerised HAPI also plays the DMP document recipient, as the project's HAPI does in the tests.
    DMP_FHIR_BASE_URL: HAPI,
    DMP_SIGNING_P12_PASSWORD: pki.p12Password,
    DMP_SOURCE_OID: '1.2.250.1.999.42.1',
    PUBLIC_BASE_URL: GATEWAY,
  };
  // Leftovers of an interrupted run (same project name) go first.
  await compose(['down', '-v', '--remove-orphans', '--timeout', '10']);
  await compose(['up', '-d', '--wait', '--wait-timeout', '420'], 480_000).catch(async (error: Error) => {
    throw new Error(`the stack did not come up: ${error.message}\n${await composeLogs()}`);
  });
  hapi = await createFhirClient({ baseUrl: HAPI, timeoutMs: 20_000, retries: 1 });
});

async function composeLogs(): Promise<string> {
  const logs = await compose(['logs', '--no-color', '--timestamps']).catch((e: Error) => `(no logs: ${e.message})`);
  await writeFile(path.join(OUTPUT_DIR, 'compose.log'), logs);
  return logs.split('\n').slice(-80).join('\n');
}

after(async () => {
  if (composeEnv) {
    await composeLogs();
    await compose(['down', '-v', '--remove-orphans', '--timeout', '30']);
  }
  await issuer?.close();
  await pki?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test('the gateway, the worker and HAPI run as non-root users; no devDependency is in the gateway image', async () => {
  assert.equal(await inContainer('gateway', ['id', '-un']), 'node');
  assert.notEqual(await inContainer('gateway', ['id', '-u']), '0');
  assert.equal(await inContainer('worker', ['id', '-un']), 'node');
  assert.equal(await inContainer('hapi', ['id', '-un']), 'hapi');

  const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  // devOptional: a devDependency that a production package names as an optional peer (typescript).
  const devOnly = Object.entries(lock.packages)
    .filter(([key, entry]) => (entry.dev || entry.devOptional) && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(key))
    .map(([key]) => key);
  assert.ok(devOnly.includes('node_modules/tsx') && devOnly.includes('node_modules/typescript'));
  const present = await inContainer('gateway', [
    'node',
    '-e',
    `const fs = require('node:fs'); console.log(JSON.stringify(${JSON.stringify(devOnly)}.filter((p) => fs.existsSync('/app/' + p))))`,
  ]);
  assert.deepEqual(JSON.parse(present), [], 'devDependencies installed in the image');
  // What runs is compiled JavaScript: no TypeScript source in the image.
  assert.equal(await inContainer('gateway', ['sh', '-c', 'find /app/dist -name "*.ts" ! -name "*.d.ts" | wc -l']), '0');
});

interface Journey {
  format: VendorFormat;
  number: string;
  ins: string;
  pharmacistRpps: string;
}
const journeys: Journey[] = [];

const lookUp = async (number: string, bearer: string): Promise<Summary> => {
  const res = await fetch(`${GATEWAY}/prescriptions/${number}`, { headers: { authorization: bearer } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return summaryOf(JSON.parse(text) as Bundle<FhirResource>);
};

test('a prescription in each vendor format: stored, looked up and dispensed through the gateway container', async () => {
  for (const format of FORMATS) {
    const example = vendorExamples().find((e) => e.format === format && e.valid);
    assert.ok(example, `a valid ${format} example`);
    const unique = uniquify(example);
    const prescriber = await tokenFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
    const created = await fetch(`${GATEWAY}/prescriptions`, {
      method: 'POST',
      headers: { authorization: prescriber, 'content-type': CONTENT_TYPES[format] },
      body: wireBody(format, unique.body),
    });
    const body = (await created.json()) as { number?: string };
    assert.equal(created.status, 201, `${format}: ${JSON.stringify(body)}`);
    const number = body.number!;

    // A dispenser of the profession that executes the first line looks it up and records one unit.
    const first = (await lookUp(number, prescriber)).lines[0]!;
    const pharmacistRpps = syntheticRpps();
    const dispenser = await tokenFor({
      role: 'dispenser',
      profession: PROFESSION_FOR[first.kind as keyof typeof PROFESSION_FOR],
      rpps: pharmacistRpps,
    });
    const line = (await lookUp(number, dispenser)).lines[0]!;
    assert.equal(line.dispensed ?? 0, 0);
    const dispensed = await fetch(`${GATEWAY}/prescriptions/${number}/dispenses`, {
      method: 'POST',
      headers: { authorization: dispenser, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(collection([{ line, quantity: 1, when: new Date().toISOString() }])),
    });
    assert.equal(dispensed.status, 201, `${format}: ${await dispensed.text()}`);
    assert.equal((await lookUp(number, dispenser)).lines[0]!.dispensed, 1, `${format}: the dispense is counted`);
    journeys.push({ format, number, ins: unique.ins, pharmacistRpps });
  }
  assert.equal(journeys.length, FORMATS.length);
});

test('the worker container publishes each prescription to the DMP (the signed CDA and its signature entry)', async () => {
  assert.ok(journeys.length > 0, 'the prescriptions of the journey');
  assert.equal((await fetch(WORKER_HEALTH)).status, 200);
  for (const { format, ins } of journeys) {
    const documents = await waitFor(
      `the ${format} prescription's DMP document`,
      async () => {
        const found = await documentsOfPatient(hapi, ins);
        return found.length > 0 ? found : undefined;
      },
      120_000,
    );
    assert.equal(documents.length, 1, format);
    assert.equal(documents[0]!.status, 'current');
    const signature = await signatureEntryOf(hapi, documents[0]!);
    assert.equal(signature.status, 'current', `${format}: the signature entry`);
  }
});

test("an auditor reads each prescription's trail: created by the prescriber, read and dispensed by the pharmacist", async () => {
  assert.ok(journeys.length > 0, 'the prescriptions of the journey');
  const auditor = await tokenFor({ role: 'auditor' });
  for (const { format, number, pharmacistRpps } of journeys) {
    const query = new URLSearchParams({ 'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`, _count: '50' });
    const events = await waitFor(
      `the ${format} prescription's audit trail`,
      async () => {
        const res = await fetch(`${GATEWAY}/audit/fhir/AuditEvent?${query}`, { headers: { authorization: auditor } });
        assert.equal(res.status, 200);
        const bundle = (await res.json()) as Bundle<AuditEvent>;
        const found = (bundle.entry ?? []).map((e) => e.resource!);
        const byPharmacist = found.filter((e) =>
          e.agent.some((a) => a.who?.identifier?.value?.endsWith(pharmacistRpps)),
        );
        const actions = new Set(byPharmacist.map((e) => e.action));
        // The prescriber's create, the pharmacist's reads and dispense (audited by the worker, so polled).
        return found.some((e) => e.action === 'C') && actions.has('R') && byPharmacist.length >= 2 ? found : undefined;
      },
      90_000,
    );
    for (const event of events) assert.ok(event.recorded, 'each event says when');
  }
});

test('the containerised HAPI answers a stale If-Match with 412 (the launcher of fhir-server/)', async () => {
  const number = journeys[0]?.number;
  assert.ok(number, 'a stored prescription');
  const found = await hapi.search<RequestGroup>('RequestGroup', {
    'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
  });
  const group = found.entry?.[0]?.resource;
  assert.ok(group?.id && group.meta?.versionId, 'the prescription header');
  // Each write changes the content (HAPI stores no new version for an identical body).
  const put = (ifMatch: string, note: string) =>
    fetch(`${HAPI}/RequestGroup/${group.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json', 'if-match': ifMatch },
      body: JSON.stringify({ ...group, note: [{ text: note }] }),
    });
  const read = `W/"${group.meta.versionId}"`;
  const first = await put(read, 'first writer');
  assert.equal(first.status, 200, 'the version read is accepted');
  const stale = await put(read, 'second writer, same version read');
  assert.equal(stale.status, 412, await stale.text());
});

test('ordo-admin in the gateway container: status and audit trail of a prescription, the command itself audited', async () => {
  const journey = journeys[0];
  assert.ok(journey, 'a stored prescription');
  const admin = async (args: string[]): Promise<unknown> =>
    JSON.parse(
      await inContainer('gateway', ['node', 'dist/admin/cli.js', ...args, '--json', '--operator', 'ci-deploy']),
    );
  const status = (await admin(['status', journey.number])) as { dmpPublication?: { state?: string } };
  assert.equal(status.dmpPublication?.state, 'published', JSON.stringify(status));
  type TrailLine = { event: string; who?: string };
  const trail = await waitFor(
    "the trail with the operator's own status command",
    async () => {
      const { events: lines } = (await admin(['audit', journey.number])) as { events: TrailLine[] };
      return lines.some((l) => l.event === 'admin.status' && l.who === 'operator:ci-deploy') ? lines : undefined;
    },
    60_000,
  );
  assert.equal(trail[0]?.event, 'prescription.create');
  assert.ok(
    trail.some((l) => l.who?.endsWith(journey.pharmacistRpps)),
    'the pharmacist is in the trail',
  );
  assert.ok(trail.some((l) => l.event === 'dmp.publish'));
});
