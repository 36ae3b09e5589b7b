/**
 * Intake benchmark (npm run bench:intake).
 *  (a) map + validate in process, one core: vendor bytes → checked canonical prescription →
 *      FHIR transaction checked against the R4 JSON schema, per vendor format.
 *  (b) end to end: prescriptions/s and latency through a real gateway process, beside the same
 *      transaction Bundles posted straight to HAPI, same concurrency, alternating rounds in one
 *      run, with the ratio.
 * Needs FHIR_BASE_URL (a HAPI with the project's profiles) and REDIS_URL; bench/run.sh sets them.
 */
import { randomUUID } from 'node:crypto';
import { createFhirClient } from '../../store/fhir-client';
import { buildTransaction, checkPayload } from '../../usecases/intake/prepare';
import { MAPPERS, mapperForFormat } from '../../mappers/index';
import {
  CONTENT_TYPES,
  example as vendorExample,
  freshNumber,
  uniquify,
  vendorExamples,
  wireBody,
} from '../../test/support/vendor-fixtures';
import { runClosedLoop } from '../support/load';
import { benchServers, startBenchGateway } from '../support/processes';
import { addRun, emptyTotals, printComparison, printTable } from '../support/stats';

const SECONDS_PER_FORMAT = Number(process.env.BENCH_SECONDS ?? 3);
const E2E_PER_ROUND = Number(process.env.BENCH_E2E_PER_ROUND ?? 150);
const E2E_ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const E2E_WARM_UP = Number(process.env.BENCH_E2E_WARM_UP ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function inProcess(): void {
  const now = new Date();
  const rows: Array<[string, number, number, number]> = [];
  const examples = vendorExamples();
  for (const mapper of MAPPERS) {
    const bodies = examples
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
  printTable(
    '(a) map + validate in process (one core; payloads per CPU-second)',
    ['format', 'payloads', 'per second', 'µs each'],
    rows,
  );
}

async function endToEnd(): Promise<void> {
  // A gateway process and the development issuer it trusts: the prescriber of the example signs the requests.
  const fhir = await createFhirClient({ baseUrl: benchServers().fhirBaseUrl, timeoutMs: 60_000, retries: 0 });
  const gateway = await startBenchGateway('intake');
  const example = vendorExample('epu-json', 'valid-mixed-drugs-device-nursing.json');
  const prescriberRpps = JSON.parse(example.body).prescripteur.rpps as string;
  const bearer = `Bearer ${await gateway.token({ role: 'prescriber', profession: 'doctor', rpps: prescriberRpps })}`;
  const mapper = mapperForFormat('epu-json')!;
  const totals = { gateway: emptyTotals(), direct: emptyTotals() };
  // Through the gateway: the vendor payload over HTTP.
  const throughGateway = (count: number) =>
    runClosedLoop(
      Array.from({ length: count }, () => wireBody('epu-json', uniquify(example).body)),
      CONCURRENCY,
      async (body) => {
        const res = await fetch(`${gateway.url}/prescriptions`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': CONTENT_TYPES['epu-json'] },
          body,
        });
        if (res.status !== 201) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      },
    );
  // Straight to HAPI: the same kind of transaction, built before the clock starts.
  const straightToHapi = (count: number) => {
    const bundles = Array.from({ length: count }, () => {
      const checked = checkPayload(uniquify(example).body, mapper, new Date());
      if (!checked.ok) throw new Error('example refused');
      const built = buildTransaction(checked.value, freshNumber(), randomUUID);
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
      addRun(totals.gateway, g);
      addRun(totals.direct, d);
      printTable(
        `round ${round + 1}`,
        ['path', 'ok', 'errors', 'per second', 'p50 ms', 'p99 ms'],
        [
          ['gateway (POST /prescriptions)', g.count, g.errors, g.perSecond, g.p50, g.p99],
          ['direct HAPI transaction', d.count, d.errors, d.perSecond, d.p50, d.p99],
        ],
      );
    }
  } finally {
    await gateway.stop();
  }
  const { g } = printComparison(
    `(b) end to end, epu-json mixed prescription (12 resources), concurrency ${CONCURRENCY}, ${E2E_ROUNDS} alternating rounds of ${E2E_PER_ROUND} after a warm-up of ${E2E_WARM_UP} each`,
    'prescriptions',
    ['gateway', totals.gateway],
    ['direct HAPI', totals.direct],
  );
  // What the gateway process itself costs (it shares the CPUs with HAPI, PostgreSQL and Redis here).
  console.log(
    `gateway process CPU: ${((gatewayCpuSeconds * 1000) / Math.max(1, g.count)).toFixed(1)} ms per prescription`,
  );
}

async function main(): Promise<void> {
  inProcess();
  if (process.env.BENCH_SKIP_E2E !== '1') await endToEnd();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
