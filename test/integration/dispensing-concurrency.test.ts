/**
 * Two pharmacies dispensing the last box at the same moment, through two real gateway processes
 * (spawned like `npm start` runs them, each with its own FHIR client and Redis connection, same
 * HAPI): exactly one dispense is recorded, the other pharmacy gets 409 with an OperationOutcome.
 * 100 rounds in a row, a fresh prescription each round. Nothing in the gateway holds a lock: the
 * only arbiter is HAPI's version check (If-Match inside the dispense transaction).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome } from 'fhir/r4';
import { startGatewayProcess, type RunningGateway } from '../../bench/support/processes';
import { EXECUTION_EXTENSIONS } from '../../fhir/systems';
import { testIssuer, TEST_AUDIENCE } from '../support/auth';
import { collection, example, professional, type LineSummary, type Professional } from '../support/dispensing';
import { testConfig, testFhirClient } from '../support/env';
import { CONTENT_TYPES, uniquify } from '../support/vendor-fixtures';
import { bearerFor } from '../support/auth';
import type { FhirClient } from '../../store/fhir-client';

const ROUNDS = 100;
const SETUP_CONCURRENCY = 8;

let gateways: [RunningGateway, RunningGateway];
let fhir: FhirClient;
let pharmacies: [Professional, Professional];

before(async () => {
  const issuer = await testIssuer();
  const config = testConfig();
  const env = {
    FHIR_BASE_URL: config.fhirBaseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: `${config.queuePrefix}-${randomUUID().slice(0, 8)}`,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    LOOKUP_LIMIT_POINTS: '100000',
    LOG_LEVEL: 'error',
  };
  gateways = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  fhir = await testFhirClient(config);
  pharmacies = [await professional('pharmacist'), await professional('pharmacist')];
});

after(async () => {
  await Promise.all((gateways ?? []).map((g) => g.stop()));
});

/** A prescription whose first line is one box, no renewal: the box both pharmacies want. */
async function oneBoxPrescription(gateway: RunningGateway): Promise<{ number: string; request: string }> {
  const unique = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const json = JSON.parse(unique.body.toString('utf8'));
  json.lignes[0].quantite = 1;
  json.lignes[0].renouvellements = 0;
  const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
  const res = await fetch(`${gateway.url}/prescriptions`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': CONTENT_TYPES['epu-json'] },
    body: JSON.stringify(json),
  });
  const body = (await res.json()) as { number: string; resources: { MedicationRequest: string[] } };
  assert.equal(res.status, 201, JSON.stringify(body));
  return { number: body.number, request: `MedicationRequest/${body.resources.MedicationRequest[0]}` };
}

async function dispense(gateway: RunningGateway, pharmacy: Professional, number: string, line: LineSummary) {
  const res = await fetch(`${gateway.url}/prescriptions/${number}/dispenses`, {
    method: 'POST',
    headers: { authorization: pharmacy.bearer, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(collection([{ line, quantity: 1 }])),
  });
  return { status: res.status, body: (await res.json()) as Bundle<FhirResource> | OperationOutcome };
}

test(`two gateway processes, two pharmacies, the last box: exactly one dispense wins, ${ROUNDS} rounds in a row`, async (t) => {
  // Fresh prescriptions first (alternately through both processes), so that each round is only the race.
  const prescriptions: Array<{ number: string; request: string }> = [];
  for (let i = 0; i < ROUNDS; i += SETUP_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(SETUP_CONCURRENCY, ROUNDS - i) }, (_, k) =>
      oneBoxPrescription(gateways[(i + k) % 2]!),
    );
    prescriptions.push(...(await Promise.all(batch)));
  }

  let raced = 0;
  for (const [round, { number, request }] of prescriptions.entries()) {
    const line = { request, kind: 'drug', unit: 'boîte', prescribed: 1, sequence: 1 } as LineSummary;
    // Alternate which process serves which pharmacy, and fire both at once.
    const [a, b] = round % 2 === 0 ? [0, 1] : [1, 0];
    const answers = await Promise.all([
      dispense(gateways[a]!, pharmacies[0], number, line),
      dispense(gateways[b]!, pharmacies[1], number, line),
    ]);
    const statuses = answers.map((x) => x.status).sort();
    assert.deepEqual(statuses, [201, 409], `round ${round}: ${JSON.stringify(answers)}`);
    const loser = answers.find((x) => x.status === 409)!.body as OperationOutcome;
    assert.equal(loser.resourceType, 'OperationOutcome');
    assert.ok(
      loser.issue.some((i) => i.code === 'conflict' && /only 0 remain|fully dispensed/.test(i.diagnostics ?? '')),
      JSON.stringify(loser),
    );
    if (loser.issue.some((i) => /at the same moment/.test(i.diagnostics ?? ''))) raced++;

    // The store holds exactly one dispense, and the line counts one box.
    const dispenses = await fhir.search('MedicationDispense', { prescription: request, _summary: 'count' });
    assert.equal(dispenses.total, 1, `round ${round}: ${dispenses.total} dispenses stored`);
    const { resource } = await fhir.read<MedicationRequest>('MedicationRequest', request.split('/')[1]!);
    assert.equal(resource.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.executedQuantity)?.valueInteger, 1);
    assert.equal(resource.status, 'completed');
  }
  // How often both had read the prescription before either committed (the store's version check decided).
  t.diagnostic(
    `${raced} of ${ROUNDS} rounds were decided by the store's version check, the others by the rules on a fresh read`,
  );
});
