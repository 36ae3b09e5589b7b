/**
 * Dispensing benchmark (npm run bench:dispense).
 *  (a) lookups by number: GET /prescriptions/{number} through a real gateway process (auth,
 *      throttling, audit, the search, the dispensing summary) beside the very same FHIR search
 *      sent straight to HAPI (prescriptionSearchParams), same prescriptions, same concurrency,
 *      alternating rounds in one run; p50/p99 and the ratio. Target: gateway p99 ≤ 1.2 × direct p99.
 *  (b) dispenses: POST /prescriptions/{number}/dispenses (one box) through the gateway, beside what
 *      a client without the gateway asks HAPI for (the search, then the If-Match transaction) done
 *      straight, each side on its own half of the prescriptions.
 * Needs FHIR_BASE_URL (a HAPI with the project's profiles and SearchParameters) and REDIS_URL;
 * bench/run.sh sets them. Tokens come from an in-process development issuer.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource } from 'fhir/r4';
import { createFhirClient, type FhirClient } from '../../store/fhir-client';
import { buildExecutionTransaction } from '../../fhir/dispensing/build-execution';
import { readExecutionState } from '../../fhir/dispensing/read-state';
import { readRestSubmission } from '../../fhir/dispensing/read-submission';
import { matchedHeaders, prescriptionSearchParams } from '../../fhir/prescription-search';
import { checkExecution } from '../../rules/dispensing/execution-rules';
import { collection, recordsFor, type LineSummary } from '../../test/support/dispensing';
import { syntheticRpps } from '../../test/support/synthetic';
import { CONTENT_TYPES, example, uniquify } from '../../test/support/vendor-fixtures';
import { runClosedLoop } from '../support/load';
import { benchServers, startBenchGateway, type BenchGateway } from '../support/processes';
import { alternatingRounds, CostMeter, printResults, reportGatewayVsDirect } from '../support/cpu';

/** The `RESULT <name> <value>` lines printed at the end. */
const results: Array<[string, number]> = [];

const PRESCRIPTIONS = Number(process.env.BENCH_PRESCRIPTIONS ?? 40);
const LOOKUPS_PER_ROUND = Number(process.env.BENCH_LOOKUPS_PER_ROUND ?? 400);
const DISPENSES_PER_ROUND = Number(process.env.BENCH_DISPENSES_PER_ROUND ?? 80);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);

interface Fixture {
  number: string;
  /** The drug line with the most boxes: what the dispense benchmark takes one box of at a time. */
  line: LineSummary;
}

/** Prescriptions with many boxes to dispense: the mixed epu-json example with its drug quantities raised. */
async function createPrescriptions(gateway: BenchGateway): Promise<Fixture[]> {
  const mixed = example('epu-json', 'valid-mixed-drugs-device-nursing.json');
  const items = Array.from({ length: PRESCRIPTIONS }, () => uniquify(mixed));
  const created: Fixture[] = [];
  await runClosedLoop(items, 4, async (unique) => {
    const json = JSON.parse(unique.body.toString('utf8'));
    json.lignes[0].quantite = 50;
    json.lignes[0].renouvellements = 11;
    const auth = `Bearer ${await gateway.token({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! })}`;
    const res = await fetch(`${gateway.url}/prescriptions`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': CONTENT_TYPES['epu-json'] },
      body: JSON.stringify(json),
    });
    const body = (await res.json()) as { number: string; resources: { MedicationRequest: string[] } };
    if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${JSON.stringify(body)}`);
    const line = {
      request: `MedicationRequest/${body.resources.MedicationRequest[0]}`,
      kind: 'drug',
      unit: 'boîte',
      prescribed: 600,
      sequence: 1,
    } as LineSummary;
    created.push({ number: body.number, line });
  });
  if (created.length !== PRESCRIPTIONS)
    throw new Error(`only ${created.length} of ${PRESCRIPTIONS} prescriptions were created`);
  return created;
}

const pick = <T>(items: readonly T[], n: number): T[] =>
  Array.from({ length: n }, (_, i) => items[(i * 7919) % items.length]!);

async function lookups(gateway: BenchGateway, fhir: FhirClient, fixtures: Fixture[], bearer: string): Promise<void> {
  const gatewayLookup = async ({ number }: Fixture) => {
    const res = await fetch(`${gateway.url}/prescriptions/${number}`, { headers: { authorization: bearer } });
    if (res.status !== 200) throw new Error(`gateway answered ${res.status}`);
    await res.arrayBuffer();
  };
  const directSearch = async ({ number }: Fixture) => {
    const bundle = (await fhir.search('RequestGroup', prescriptionSearchParams(number))) as Bundle<FhirResource>;
    if (!bundle.entry?.length) throw new Error('not found');
  };
  // Warm both paths (JIT, connection pools, HAPI's caches) before measuring.
  await runClosedLoop(pick(fixtures, WARMUP), CONCURRENCY, gatewayLookup);
  await runClosedLoop(pick(fixtures, WARMUP), CONCURRENCY, directSearch);

  const meter = new CostMeter(() => gateway.process.pid);
  const sides = await alternatingRounds(meter, ROUNDS, (side) =>
    runClosedLoop(pick(fixtures, LOOKUPS_PER_ROUND), CONCURRENCY, side === 'gateway' ? gatewayLookup : directSearch),
  );
  reportGatewayVsDirect(
    {
      title: `(a) lookups by number, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${LOOKUPS_PER_ROUND}, ${PRESCRIPTIONS} prescriptions (6 lines each)`,
      counted: 'lookups',
      metric: 'lookup',
      operation: 'lookup',
      missing: meter.missing(),
    },
    { label: 'gateway GET /prescriptions/{n}', ...sides.gateway },
    { label: 'direct HAPI search (same query)', ...sides.direct },
    results,
  );
}

async function dispenses(
  gateway: BenchGateway,
  fhir: FhirClient,
  fixtures: Fixture[],
  bearer: string,
  pharmacistRpps: string,
): Promise<void> {
  // One task per prescription at a time: concurrent dispenses of one prescription would only measure conflicts.
  // Each side dispenses its own half: the direct side's writes go around the gateway (which, in production,
  // nobody's do: README "Lookup cache"), and would make every cached copy of the gateway's stale.
  const own = {
    gateway: fixtures.filter((_, i) => i % 2 === 0),
    direct: fixtures.filter((_, i) => i % 2 === 1),
  };
  const perRound = Math.min(DISPENSES_PER_ROUND, own.gateway.length, own.direct.length);
  const throughGateway = async ({ number, line }: Fixture) => {
    const res = await fetch(`${gateway.url}/prescriptions/${number}/dispenses`, {
      method: 'POST',
      headers: { authorization: bearer, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(collection([{ line, quantity: 1 }])),
    });
    if (res.status !== 201) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  // What the gateway asks of HAPI, done straight: the search, the rules, the If-Match transaction.
  const straight = async ({ number, line }: Fixture) => {
    // The plain search a client without the gateway's knowledge sends (the gateway's is unpaged: no-store).
    const bundle = (await fhir.search('RequestGroup', prescriptionSearchParams(number))) as Bundle<FhirResource>;
    const stored = readExecutionState({ header: matchedHeaders(bundle)[0]!, bundle });
    const submission = readRestSubmission(recordsFor({ line, quantity: 1 })[0]);
    if (!submission.ok) throw new Error('submission refused');
    const decision = checkExecution(
      stored.state,
      submission.value.items,
      { rpps: pharmacistRpps, profession: 'pharmacist', source: 'token' },
      new Date(),
    );
    if (!decision.ok) throw new Error(JSON.stringify(decision.problems));
    const tx = buildExecutionTransaction(
      stored,
      [{ record: submission.value.records[0]!, ...decision.items[0]! }],
      { rpps: pharmacistRpps },
      decision.executed,
      randomUUID,
    );
    await fhir.transaction(tx.bundle);
  };
  const meter = new CostMeter(() => gateway.process.pid);
  const sides = await alternatingRounds(meter, ROUNDS, (side) =>
    runClosedLoop(own[side].slice(0, perRound), CONCURRENCY, side === 'gateway' ? throughGateway : straight),
  );
  reportGatewayVsDirect(
    {
      title: `(b) dispenses (one box each, distinct prescriptions, each side its own), concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${perRound}`,
      counted: 'dispenses',
      metric: 'dispense',
      operation: 'dispense',
      missing: meter.missing(),
    },
    { label: 'gateway POST …/dispenses', ...sides.gateway },
    { label: 'direct HAPI search + transaction', ...sides.direct },
    results,
  );
}

async function main(): Promise<void> {
  const gateway = await startBenchGateway('dispense', { LOOKUP_LIMIT_POINTS: '100000' });
  const fhir = await createFhirClient({ baseUrl: benchServers().fhirBaseUrl, timeoutMs: 60_000, retries: 0 });
  const pharmacistRpps = syntheticRpps();
  const bearer = `Bearer ${await gateway.token({ role: 'dispenser', profession: 'pharmacist', rpps: pharmacistRpps, organization: { finess: '990000017' } })}`;
  try {
    const fixtures = await createPrescriptions(gateway);
    await lookups(gateway, fhir, fixtures, bearer);
    await dispenses(gateway, fhir, fixtures, bearer, pharmacistRpps);
  } finally {
    // Stops the gateway and its issuer, and drops the audit records it queued under this run's prefix.
    await gateway.stop();
  }
  printResults(results);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
