/**
 * Intake benchmark (npm run bench:intake).
 *  (a) map + validate in process, one core: vendor bytes → checked canonical prescription →
 *      FHIR transaction checked against the R4 JSON schema, per vendor format.
 *  (b) end to end: prescriptions/s and latency through a real gateway process, beside the same
 *      transaction Bundles posted straight to HAPI, same concurrency, alternating rounds in one
 *      run, with the ratio.
 * Needs FHIR_BASE_URL (a HAPI with the project's profiles) and REDIS_URL; bench/run.sh sets them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { generatePrescriptionNumber } from '../../domain/prescription-number';
import { createFhirClient } from '../../fhir/client';
import { buildTransaction, checkPayload } from '../../gateway/intake/prepare';
import { MAPPERS } from '../../mappers/registry';
import { CONTENT_TYPES, uniquify, vendorExamples, wireBody } from '../../test/support/vendor-fixtures';
import { runClosedLoop } from '../support/load';
import { startGatewayProcess } from '../support/processes';
import { DEV_AUDIENCE, generateDevKey, signDevToken, startDevIssuer } from '../../gateway/security/dev-issuer';
import { printTable, summarize } from '../support/stats';

const SECONDS_PER_FORMAT = Number(process.env.BENCH_SECONDS ?? 3);
const E2E_PER_ROUND = Number(process.env.BENCH_E2E_PER_ROUND ?? 150);
const E2E_ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const E2E_WARM_UP = Number(process.env.BENCH_E2E_WARM_UP ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const newNumber = () => generatePrescriptionNumber({ issuedOn: new Date(), issuer: 999, random: randomBytes(8) });

function inProcess(): void {
  const now = new Date();
  const rows: Array<[string, number, number, number]> = [];
  for (const mapper of MAPPERS) {
    const bodies = vendorExamples()
      .filter((e) => e.format === mapper.format && e.valid)
      .map((e) => Buffer.from(e.body, e.encoding));
    let count = 0;
    const started = process.cpuUsage();
    const wallStart = performance.now();
    while (performance.now() - wallStart < SECONDS_PER_FORMAT * 1000) {
      for (const body of bodies) {
        const checked = checkPayload(body, mapper, now);
        if (!checked.ok) throw new Error(`${mapper.format} example refused: ${JSON.stringify(checked.problems)}`);
        const built = buildTransaction(checked.value, 'BENCH0000000000000', randomUUID);
        if (!built.ok) throw new Error(`${mapper.format} transaction refused: ${JSON.stringify(built.problems)}`);
        count++;
      }
    }
    const cpu = process.cpuUsage(started);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    rows.push([mapper.format, count, count / cpuSeconds, (cpuSeconds * 1e6) / count]);
  }
  printTable('(a) map + validate in process (one core; payloads per CPU-second)', ['format', 'payloads', 'per second', 'µs each'], rows);
}

async function endToEnd(): Promise<void> {
  const fhirBaseUrl = process.env.FHIR_BASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!fhirBaseUrl || !redisUrl) throw new Error('FHIR_BASE_URL and REDIS_URL are required (bench/run.sh sets them)');
  const fhir = await createFhirClient({ baseUrl: fhirBaseUrl, timeoutMs: 60_000, retries: 0 });
  // A development issuer, as npm start runs one: the prescriber of the example signs the requests.
  const key = await generateDevKey();
  const issuer = await startDevIssuer(key);
  const gateway = await startGatewayProcess({
    FHIR_BASE_URL: fhirBaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench-${randomUUID()}`,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: DEV_AUDIENCE,
  });
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-mixed-drugs-device-nursing.json')!;
  const prescriberRpps = JSON.parse(example.body).prescripteur.rpps as string;
  const bearer = `Bearer ${await signDevToken(key, { role: 'prescriber', profession: 'doctor', rpps: prescriberRpps }, { issuer: issuer.issuer, audience: DEV_AUDIENCE })}`;
  const mapper = MAPPERS.find((m) => m.format === 'epu-json')!;
  const totals: Record<'gateway' | 'direct', { seconds: number; errors: number; latencies: number[] }> = {
    gateway: { seconds: 0, errors: 0, latencies: [] },
    direct: { seconds: 0, errors: 0, latencies: [] },
  };
  // Through the gateway: the vendor payload over HTTP.
  const throughGateway = (count: number) =>
    runClosedLoop(
      Array.from({ length: count }, () => wireBody('epu-json', uniquify(example).body)),
      CONCURRENCY,
      async (body) => {
        const res = await fetch(`${gateway.url}/prescriptions`, { method: 'POST', headers: { authorization: bearer, 'content-type': CONTENT_TYPES['epu-json'] }, body });
        if (res.status !== 201) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      },
    );
  // Straight to HAPI: the same kind of transaction, built before the clock starts.
  const straightToHapi = (count: number) => {
    const bundles = Array.from({ length: count }, () => {
      const checked = checkPayload(uniquify(example).body, mapper, new Date());
      if (!checked.ok) throw new Error('example refused');
      const built = buildTransaction(checked.value, newNumber(), randomUUID);
      if (!built.ok) throw new Error('transaction refused');
      return built.value;
    });
    return runClosedLoop(bundles, CONCURRENCY, async (bundle) => {
      await fhir.transaction(bundle);
    });
  };
  let gatewayCpuSeconds = 0;
  try {
    // Warm-up, not measured: a fresh gateway process compiles its hot paths (and HAPI its
    // queries) during its first requests; both paths get the same.
    await throughGateway(E2E_WARM_UP);
    await straightToHapi(E2E_WARM_UP);
    for (let round = 0; round < E2E_ROUNDS; round++) {
      // Alternate which side goes first, so neither always meets a store busy with the other's writes.
      const gatewayFirst = round % 2 === 0;
      const timedGateway = async (count: number) => {
        const before = gateway.cpuSeconds();
        const result = await throughGateway(count);
        gatewayCpuSeconds += gateway.cpuSeconds() - before;
        return result;
      };
      const first = await (gatewayFirst ? timedGateway : straightToHapi)(E2E_PER_ROUND);
      const second = await (gatewayFirst ? straightToHapi : timedGateway)(E2E_PER_ROUND);
      const [g, d] = gatewayFirst ? [first, second] : [second, first];
      for (const [side, r] of [['gateway', g], ['direct', d]] as const) {
        totals[side].seconds += r.seconds;
        totals[side].errors += r.errors;
        totals[side].latencies.push(...r.latencies);
      }
      printTable(`round ${round + 1}`, ['path', 'ok', 'errors', 'per second', 'p50 ms', 'p99 ms'], [
        ['gateway (POST /prescriptions)', g.count, g.errors, g.perSecond, g.p50, g.p99],
        ['direct HAPI transaction', d.count, d.errors, d.perSecond, d.p50, d.p99],
      ]);
    }
  } finally {
    await gateway.stop();
    await issuer.close();
  }
  const g = summarize(totals.gateway.latencies, totals.gateway.seconds);
  const d = summarize(totals.direct.latencies, totals.direct.seconds);
  printTable(
    `(b) end to end, epu-json mixed prescription (12 resources), concurrency ${CONCURRENCY}, ${E2E_ROUNDS} alternating rounds of ${E2E_PER_ROUND} after a warm-up of ${E2E_WARM_UP} each`,
    ['path', 'prescriptions', 'errors', 'per second', 'p50 ms', 'p99 ms'],
    [
      ['gateway', g.count, totals.gateway.errors, g.perSecond, g.p50, g.p99],
      ['direct HAPI', d.count, totals.direct.errors, d.perSecond, d.p50, d.p99],
      ['ratio gateway / direct', '', '', g.perSecond / d.perSecond, g.p50 / d.p50, g.p99 / d.p99],
    ],
  );
  // What the gateway process itself costs (it shares the CPUs with HAPI, PostgreSQL and Redis here).
  console.log(`gateway process CPU: ${((gatewayCpuSeconds * 1000) / Math.max(1, g.count)).toFixed(1)} ms per prescription`);
}

async function main(): Promise<void> {
  inProcess();
  if (process.env.BENCH_SKIP_E2E !== '1') await endToEnd();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
