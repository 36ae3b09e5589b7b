/**
 * The dry run POST /prescriptions/$validate on the real HAPI and Redis: for every vendor example (valid
 * and invalid, three formats) its verdict is POST /prescriptions' (valid ⇔ 201 there, the same issues
 * otherwise), every issue names its rule in details.coding, nothing is written to the store, no number
 * lookup is spent; callers are refused as POST refuses them; the rules CodeSystem and the
 * OperationDefinition are served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import type {
  AuditEvent,
  Bundle,
  CodeSystem,
  FhirResource,
  OperationOutcome,
  OperationOutcomeIssue,
  Parameters,
  RequestGroup,
} from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { RULE_CODES, RULES_CODE_SYSTEM } from '../../domain/rule-codes';
import { QUEUE_NAMES } from '../../queue/queues';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { AUDIT_RECORD_SYSTEM } from '../../usecases/audit/build-audit-event';
import { PLACEHOLDER_NUMBER } from '../../usecases/intake/dry-run';
import { startAuditWorker } from '../support/audit-worker';
import { bearerFor, prescriberBearer } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { CONTENT_TYPES, example, uniquify, vendorExamples, wireBody } from '../support/vendor-fixtures';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const dryRun = (
  auth: string | undefined,
  format: VendorFormat,
  body: Buffer,
  requestId?: string,
): Promise<Response> => {
  const req = request(gw.app).post('/prescriptions/$validate').set('content-type', CONTENT_TYPES[format]);
  if (auth) req.set('authorization', auth);
  if (requestId) req.set('x-request-id', requestId);
  return req.send(wireBody(format, body));
};

/** Every type a stored prescription writes (fhir/build-transaction.ts, the outbox Task). */
const WRITTEN_TYPES = [
  'RequestGroup',
  'Patient',
  'Practitioner',
  'Organization',
  'Consent',
  'MedicationRequest',
  'DeviceRequest',
  'ServiceRequest',
  'Task',
] as const;

/**
 * How many resources of each type were created or changed between two instants. A time window, not a
 * total: HAPI may answer a repeated `_summary=count` search from its cache.
 */
async function writtenBetween(from: Date, to: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const type of WRITTEN_TYPES) {
    const bundle = await gw.deps.fhir.search(type, {
      _lastUpdated: [`ge${from.toISOString()}`, `le${to.toISOString()}`],
      _summary: 'count',
    });
    counts[type] = bundle.total ?? 0;
  }
  return counts;
}
const nothing = Object.fromEntries(WRITTEN_TYPES.map((t) => [t, 0]));

/** Points spent from a professional's number-lookup budget in the current window (gateway/security/lookup-limit.ts). */
const lookupsSpent = async (rpps: string): Promise<number> =>
  Number((await gw.deps.redis.get(`${gw.deps.config.queuePrefix}:lookup-limit:8${rpps}`)) ?? 0);

function partsOf(res: Response): { outcome: OperationOutcome; transaction?: Bundle<FhirResource> } {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'] ?? '', /^application\/fhir\+json/);
  const parameters = res.body as Parameters;
  assert.equal(parameters.resourceType, 'Parameters');
  const names = (parameters.parameter ?? []).map((p) => p.name);
  assert.ok(names[0] === 'outcome' && names.length <= 2 && (names.length === 1 || names[1] === 'return'), `${names}`);
  const outcome = parameters.parameter![0]!.resource as OperationOutcome;
  const transaction = parameters.parameter?.[1]?.resource as Bundle<FhirResource> | undefined;
  return { outcome, ...(transaction ? { transaction } : {}) };
}

/** Every issue names a rule of the published CodeSystem, with its display as text. */
function assertCoded(issues: readonly OperationOutcomeIssue[]): void {
  assert.ok(issues.length > 0);
  for (const issue of issues) {
    const coding = issue.details?.coding ?? [];
    assert.equal(coding.length, 1, JSON.stringify(issue));
    assert.equal(coding[0]!.system, RULES_CODE_SYSTEM);
    assert.ok((RULE_CODES as readonly string[]).includes(coding[0]!.code!), coding[0]!.code);
    assert.equal(issue.details?.text, coding[0]!.display);
  }
}

const isError = (i: OperationOutcomeIssue) => i.severity === 'error' || i.severity === 'fatal';
const codesOf = (issues: readonly OperationOutcomeIssue[]) => issues.map((i) => i.details?.coding?.[0]?.code);

describe('every vendor example: the verdict of POST /prescriptions, nothing stored, no lookup spent', () => {
  for (const vendorExample of vendorExamples()) {
    test(`${vendorExample.format}/${vendorExample.name}`, async () => {
      const unique = uniquify(vendorExample);
      const rpps = unique.prescriberRpps;
      const auth = await prescriberBearer(rpps);
      const spentBefore = rpps ? await lookupsSpent(rpps) : 0;

      const start = new Date();
      const dry = await dryRun(auth, vendorExample.format, unique.body);
      const end = new Date();
      assert.deepEqual(await writtenBetween(start, end), nothing, 'the dry run wrote nothing');
      if (rpps) assert.equal(await lookupsSpent(rpps), spentBefore, 'the dry run spent no number lookup');

      const posted = await postPrescription(gw.app, auth, vendorExample.format, unique.body);
      const afterPost = new Date();

      if (dry.status !== 200) {
        // A payload that cannot be read: answered as POST answers it.
        assert.equal(dry.status, posted.status);
        assert.deepEqual(dry.body, posted.body);
        assertCoded((dry.body as OperationOutcome).issue);
        return;
      }
      const { outcome, transaction } = partsOf(dry);
      assertCoded(outcome.issue);
      if (!vendorExample.valid) {
        assert.ok([400, 422].includes(posted.status), `POST answered ${posted.status}`);
        assert.equal(transaction, undefined, 'no Bundle for an invalid payload');
        assert.ok(outcome.issue.every(isError));
        // The very issues POST answers, rule codes, paths and texts alike.
        assert.deepEqual(outcome.issue, (posted.body as OperationOutcome).issue);
        return;
      }

      assert.equal(posted.status, 201, posted.text);
      assert.ok(!outcome.issue.some(isError), JSON.stringify(outcome.issue));
      assert.deepEqual(codesOf(outcome.issue), ['intake', unique.number ? 'N2' : 'N3']);
      assert.match(outcome.issue[0]!.diagnostics!, /^valid/);
      assert.ok(transaction, 'a valid payload comes with the Bundle that would be stored');
      assert.equal(transaction.type, 'transaction');
      for (const entry of transaction.entry ?? []) {
        assert.match(entry.fullUrl ?? '', /^urn:uuid:[0-9a-f-]{36}$/);
        assert.equal(entry.request?.method, 'POST');
      }
      const header = transaction.entry?.find((e) => e.resource?.resourceType === 'RequestGroup')?.resource as
        RequestGroup | undefined;
      assert.deepEqual(header?.groupIdentifier, {
        system: PRESCRIPTION_NUMBER_SYSTEM,
        value: unique.number ?? PLACEHOLDER_NUMBER,
      });
      // What POST stored is what the dry run showed: the same resources, the number aside.
      const storedTypes = (transaction.entry ?? []).map((e) => e.resource?.resourceType).sort();
      const written = await writtenBetween(end, afterPost);
      for (const type of ['RequestGroup', 'Patient', 'Consent'] as const) {
        assert.equal(written[type], storedTypes.filter((t) => t === type).length, `${type} written by POST`);
      }
      if (unique.number && rpps)
        assert.ok((await lookupsSpent(rpps)) > spentBefore, 'POST looked the vendor number up');
    });
  }
});

describe('who is refused: as POST /prescriptions refuses', () => {
  const payload = () => uniquify(example('epu-json', 'valid-drugs-only.json'));

  test('a nurse outside her prescribing scope: 200 with one forbidden issue per line (A3), POST 403 with the same', async () => {
    const unique = payload();
    const nurse = await bearerFor({ role: 'prescriber', profession: 'nurse', rpps: unique.prescriberRpps! });
    const start = new Date();
    const { outcome, transaction } = partsOf(await dryRun(nurse, 'epu-json', unique.body));
    assert.deepEqual(await writtenBetween(start, new Date()), nothing);
    assert.equal(transaction, undefined);
    assert.deepEqual(codesOf(outcome.issue), ['A3', 'A3', 'A3']);
    assert.deepEqual(
      outcome.issue.map((i) => [i.code, i.expression?.[0]]),
      [
        ['forbidden', '/lignes/0'],
        ['forbidden', '/lignes/1'],
        ['forbidden', '/lignes/2'],
      ],
    );
    const posted = await postPrescription(gw.app, nurse, 'epu-json', unique.body);
    assert.equal(posted.status, 403);
    assert.deepEqual(outcome.issue, (posted.body as OperationOutcome).issue);
  });

  test('a payload signed by another prescriber: 200 with a forbidden issue (A2), POST 403 with the same', async () => {
    const unique = payload();
    const other = await prescriberBearer();
    const { outcome } = partsOf(await dryRun(other, 'epu-json', unique.body));
    assert.deepEqual(codesOf(outcome.issue), ['A2']);
    assert.equal(outcome.issue[0]!.code, 'forbidden');
    const posted = await postPrescription(gw.app, other, 'epu-json', unique.body);
    assert.equal(posted.status, 403);
    assert.deepEqual(outcome.issue, (posted.body as OperationOutcome).issue);
  });

  test('no token: 401 as POST; a dispenser or an auditor: 403 (A1) as POST', async () => {
    const { body } = payload();
    const anonymous = await dryRun(undefined, 'epu-json', body);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers['www-authenticate'] ?? '', /^Bearer realm="ordo-gateway"/);
    assert.equal((await postPrescription(gw.app, '', 'epu-json', body)).status, 401);
    for (const identity of [{ role: 'dispenser', profession: 'pharmacist' }, { role: 'auditor' }] as const) {
      const bearer = await bearerFor(identity);
      const refused = await dryRun(bearer, 'epu-json', body);
      assert.equal(refused.status, 403, identity.role);
      assert.deepEqual(codesOf((refused.body as OperationOutcome).issue), ['A1']);
      assert.equal((await postPrescription(gw.app, bearer, 'epu-json', body)).status, 403);
    }
  });

  test('a body that cannot be read (400, V1) or an unknown media type (415, F1): as POST', async () => {
    const auth = await prescriberBearer();
    const garbage = Buffer.from('{"idMessage": ');
    const unreadable = await dryRun(auth, 'epu-json', garbage);
    assert.equal(unreadable.status, 400);
    assert.deepEqual(codesOf((unreadable.body as OperationOutcome).issue), ['V1']);
    assert.deepEqual(unreadable.body, (await postPrescription(gw.app, auth, 'epu-json', garbage)).body);
    const unknown = await request(gw.app)
      .post('/prescriptions/$validate')
      .set('authorization', auth)
      .set('content-type', 'text/plain')
      .send('hello');
    assert.equal(unknown.status, 415);
    assert.deepEqual(codesOf((unknown.body as OperationOutcome).issue), ['F1']);
  });
});

describe('the audit trail records a dry run as an operation, without patient data', () => {
  test('a valid run is a success (200), a refused one what POST would have answered (422); both are written', async () => {
    const queue = gw.deps.queues[QUEUE_NAMES.audit];
    const jobFor = async (requestId: string): Promise<AuditJob> => {
      const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
      const job = jobs.find((j) => (j.data as AuditJob).request?.requestId === requestId);
      assert.ok(job, `audit job of ${requestId}`);
      return job.data as AuditJob;
    };
    const valid = uniquify(example('lgc-xml', 'valid-drugs-only.xml'));
    const auth = await prescriberBearer(valid.prescriberRpps);
    const validId = `dry-run-valid-${Date.now()}`;
    assert.equal((await dryRun(auth, 'lgc-xml', valid.body, validId)).status, 200);
    const job = await jobFor(validId);
    assert.deepEqual(job.event, { type: 'rest', interaction: 'operation', action: 'E', name: 'prescription.validate' });
    assert.equal(job.outcome.status, 200);
    assert.equal(job.entity, undefined, 'no number, no stored record');
    assert.ok(!JSON.stringify(job).includes(valid.ins), 'no INS in the audit job');

    const invalid = uniquify(example('epu-json', 'invalid-nir-key.json'));
    const invalidId = `dry-run-invalid-${Date.now()}`;
    assert.equal((await dryRun(auth, 'epu-json', invalid.body, invalidId)).status, 200);
    const refused = await jobFor(invalidId);
    assert.equal(refused.outcome.status, 422);
    assert.equal(refused.outcome.detail, undefined, 'the issues quote the payload: not in the audit trail');

    // The audit writer stores both as AuditEvents (no entity to resolve).
    const worker = startAuditWorker(gw);
    try {
      await worker.drain();
    } finally {
      await worker.close();
    }
    for (const [record, outcome] of [
      [job, '0'],
      [refused, '4'],
    ] as const) {
      const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
        'entity-identifier': `${AUDIT_RECORD_SYSTEM}|${record.id}`,
      });
      assert.equal(found.entry?.length, 1, `AuditEvent of ${record.request?.requestId}`);
      assert.equal(found.entry![0]!.resource!.outcome, outcome);
      assert.equal(found.entry![0]!.resource!.action, 'E');
    }
  });
});

describe('the rules CodeSystem and the OperationDefinition are served without a token', () => {
  test('GET /fhir/CodeSystem/rules and /fhir/OperationDefinition/prescription-validate', async () => {
    const rules = await request(gw.app).get('/fhir/CodeSystem/rules').expect(200);
    const codeSystem = rules.body as CodeSystem;
    assert.equal(codeSystem.url, RULES_CODE_SYSTEM);
    assert.deepEqual(
      codeSystem.concept?.map((c) => c.code),
      RULE_CODES,
    );
    const found = await request(gw.app).get('/fhir/CodeSystem').query({ url: RULES_CODE_SYSTEM }).expect(200);
    assert.equal((found.body as Bundle).total, 1);
    const operation = await request(gw.app).get('/fhir/OperationDefinition/prescription-validate').expect(200);
    assert.equal(operation.body.code, 'validate');
  });
});
