/**
 * Intake benchmark (npm run bench:intake).
 *  (a) map + validate in process: vendor bytes → checked canonical prescription → FHIR transaction
 *      checked against the R4 JSON schema, per vendor format (lgc-xml: its XSD too, in the
 *      validator's thread, whose CPU time is counted; also the XSD alone, and 8 payloads in flight).
 *  (b) end to end: prescriptions/s and latency through a real gateway process, beside the same
 *      prescriptions posted straight to HAPI as a plain client's transactions (every entry a
 *      conditional create), same concurrency, alternating rounds in one run, with the ratio.
 *      BENCH_E2E_FORMAT=lgc-xml posts the lgc-xml example instead of epu-json.
 * Needs FHIR_BASE_URL (a HAPI with the project's profiles) and REDIS_URL; bench/run.sh sets them.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource } from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import { createFhirClient } from '../../store/fhir-client';
import { buildTransaction, checkPayload } from '../../usecases/intake/prepare';
import { MAPPERS, mapperForFormat } from '../../mappers/index';
import { LGC_XML_SCHEMA } from '../../mappers/lgc-xml';
import { vendorSchema, vendorSchemaValidator } from '../../platform/xsd/vendor-schemas';
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
import { addRun, emptyTotals, printTable } from '../support/stats';
import { CostMeter, printResults, reportGatewayVsDirect, zeroCost } from '../support/cpu';

/** The `RESULT <name> <value>` lines printed at the end. */
const results: Array<[string, number]> = [];

const SECONDS_PER_FORMAT = Number(process.env.BENCH_SECONDS ?? 3);
const E2E_PER_ROUND = Number(process.env.BENCH_E2E_PER_ROUND ?? 150);
const E2E_ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const E2E_WARM_UP = Number(process.env.BENCH_E2E_WARM_UP ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** The vendor format posted end to end: epu-json (default) or lgc-xml. */
const E2E_FORMAT: VendorFormat = process.env.BENCH_E2E_FORMAT === 'lgc-xml' ? 'lgc-xml' : 'epu-json';

/** Runs `step` over `bodies` round after round for SECONDS_PER_FORMAT, `inFlight` at a time: count, CPU seconds. */
async function timed(
  bodies: readonly Buffer[],
  inFlight: number,
  step: (body: Buffer) => Promise<void>,
): Promise<[count: number, cpuSeconds: number]> {
  let count = 0;
  const started = process.cpuUsage();
  const wallStart = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() - wallStart < SECONDS_PER_FORMAT * 1000) {
      await step(bodies[next++ % bodies.length]!);
      count++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const cpu = process.cpuUsage(started); // the whole process: the XSD validator's thread included
  return [count, (cpu.user + cpu.system) / 1e6];
}

async function inProcess(): Promise<void> {
  const now = new Date();
  const rows: Array<[string, number, number, number]> = [];
  const examples = vendorExamples();
  const xsd = vendorSchemaValidator;
  await vendorSchema(LGC_XML_SCHEMA); // started (schema compiled) before the clock runs
  const row = (name: string, [count, cpuSeconds]: [number, number]) => {
    rows.push([name, count, count / cpuSeconds, (cpuSeconds * 1e6) / count]);
    if (!name.includes(' '))
      results.push([`map_validate_${name.replace('-', '_')}_per_cpu_second`, count / cpuSeconds]);
  };
  for (const mapper of MAPPERS) {
    const bodies = examples
      .filter((e) => e.format === mapper.format && e.valid)
      .map((e) => Buffer.from(e.body, e.encoding));
    const mapAndValidate = async (body: Buffer): Promise<void> => {
      const checked = await checkPayload(body, mapper, now, xsd);
      if (!checked.ok) throw new Error(`${mapper.format} example refused: ${JSON.stringify(checked.problems)}`);
      const built = buildTransaction(checked.value, 'BENCH0000000000000', randomUUID);
      if (!built.ok) throw new Error(`${mapper.format} transaction refused: ${JSON.stringify(built.problems)}`);
    };
    row(mapper.format, await timed(bodies, 1, mapAndValidate));
    if (mapper.format === 'lgc-xml') {
      // The XSD share, and what overlapping the validator's thread with the main thread gives.
      row(
        'lgc-xml: the XSD validation alone',
        await timed(bodies, 1, async (body) => void (await xsd.validate(LGC_XML_SCHEMA, body))),
      );
      row('lgc-xml, 8 payloads in flight', await timed(bodies, 8, mapAndValidate));
    }
  }
  printTable(
    '(a) map + validate in process (one payload at a time unless said; payloads per CPU-second of the process)',
    ['format', 'payloads', 'per second', 'µs each'],
    rows,
  );
}

async function endToEnd(): Promise<void> {
  // A gateway process and the development issuer it trusts: the prescriber of the example signs the requests.
  const fhir = await createFhirClient({ baseUrl: benchServers().fhirBaseUrl, timeoutMs: 60_000, retries: 0 });
  const gateway = await startBenchGateway('intake');
  const example = vendorExample(
    E2E_FORMAT,
    `valid-mixed-drugs-device-nursing.${E2E_FORMAT === 'lgc-xml' ? 'xml' : 'json'}`,
  );
  const prescriberRpps = uniquify(example).prescriberRpps!;
  // Without the number the example carries: a sender's number is a lookup, throttled per professional
  // (LOOKUP_LIMIT_POINTS, README Security), which stopped every run after 30 prescriptions; the gateway
  // generates the number instead.
  const uniqueBody = (): Buffer => {
    const text = uniquify(example).body.toString('utf8');
    if (E2E_FORMAT === 'lgc-xml')
      return Buffer.from(text.replace(/<EPrescriptionNumber>[^<]*<\/EPrescriptionNumber>/, ''));
    const json = JSON.parse(text) as Record<string, unknown>;
    delete json.identifiantPrescription;
    return Buffer.from(JSON.stringify(json));
  };
  const bearer = `Bearer ${await gateway.token({ role: 'prescriber', profession: 'doctor', rpps: prescriberRpps })}`;
  const mapper = mapperForFormat(E2E_FORMAT)!;
  const totals = { gateway: emptyTotals(), direct: emptyTotals() };
  const meter = new CostMeter(() => gateway.process.pid);
  const costs = { gateway: zeroCost(), direct: zeroCost() };
  // Through the gateway: the vendor payload over HTTP.
  const throughGateway = (count: number) =>
    runClosedLoop(
      Array.from({ length: count }, () => wireBody(E2E_FORMAT, uniqueBody())),
      CONCURRENCY,
      async (body) => {
        const res = await fetch(`${gateway.url}/prescriptions`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': CONTENT_TYPES[E2E_FORMAT] },
          body,
        });
        if (res.status !== 201) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      },
    );
  // Straight to HAPI: the same prescriptions as the transactions a plain FHIR client sends (and the
  // gateway sent until it knew better, ffdc793): every entry a conditional create, so that a resent
  // message writes nothing and no Patient, Practitioner or Organization is stored twice. Built
  // before the clock starts.
  const straightToHapi = async (count: number) => {
    const bundles: Bundle<FhirResource>[] = [];
    for (let i = 0; i < count; i++) {
      const checked = await checkPayload(uniqueBody(), mapper, new Date(), vendorSchemaValidator);
      if (!checked.ok) throw new Error('example refused');
      const built = buildTransaction(checked.value, freshNumber(), randomUUID, { conditionalMessageEntries: true });
      if (!built.ok) throw new Error('transaction refused');
      bundles.push(built.value);
    }
    return meter.measure(costs.direct, () =>
      runClosedLoop(bundles, CONCURRENCY, async (bundle) => {
        await fhir.transaction(bundle);
      }),
    );
  };
  try {
    // Warm-up, not measured: a fresh gateway process compiles its hot paths (and HAPI its
    // queries) during its first requests; both paths get the same.
    await throughGateway(E2E_WARM_UP);
    await straightToHapi(E2E_WARM_UP);
    for (let round = 0; round < E2E_ROUNDS; round++) {
      // Alternate which side goes first, so neither always meets a store busy with the other's writes.
      const gatewayFirst = round % 2 === 0;
      const timedGateway = (count: number) => meter.measure(costs.gateway, () => throughGateway(count));
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
  // What each process costs per stored prescription (they all share the CPUs here).
  reportGatewayVsDirect(
    {
      title: `(b) end to end, ${E2E_FORMAT} mixed prescription (12 resources), concurrency ${CONCURRENCY}, ${E2E_ROUNDS} alternating rounds of ${E2E_PER_ROUND} after a warm-up of ${E2E_WARM_UP} each`,
      counted: 'prescriptions',
      metric: 'intake',
      operation: 'prescription',
      missing: meter.missing(),
    },
    { label: 'gateway (POST /prescriptions)', totals: totals.gateway, cost: costs.gateway },
    { label: 'direct HAPI transaction', totals: totals.direct, cost: costs.direct },
    results,
  );
}

async function main(): Promise<void> {
  await inProcess();
  if (process.env.BENCH_SKIP_E2E !== '1') await endToEnd();
  printResults(results);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
