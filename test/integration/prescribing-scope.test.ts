/**
 * Prescribing scope end to end on the real HAPI: a prescriber whose profession may not prescribe a
 * line gets a 403 OperationOutcome naming the rule and the line in the vendor's payload, through
 * POST /prescriptions (every vendor format) and $process-message, and nothing is stored; lines within
 * the scope are stored (201). The scope table itself: test/unit/prescribing-scope.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, FhirResource, MessageHeader, OperationOutcome } from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import type { Profession } from '../../domain/professions';
import { bearerFor } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { example, uniquify } from '../support/vendor-fixtures';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const asPrescriber = (profession: Profession, rpps: string): Promise<string> =>
  bearerFor({ role: 'prescriber', profession, rpps });

/** How many Patients the store holds for an INS (to prove nothing was written). */
async function countForPatient(ins: string): Promise<number> {
  const bundle = await gw.deps.fhir.search('Patient', { identifier: ins, _summary: 'count' });
  return bundle.total ?? 0;
}

/** A unique copy of a vendor example; for epu-json, `lines` replaces its `lignes`. */
function payload(format: VendorFormat, name: string, lines?: unknown[]) {
  const unique = uniquify(example(format, name));
  if (!lines) return { ...unique, prescriberRpps: unique.prescriberRpps! };
  const json = JSON.parse(unique.body.toString());
  json.lignes = lines;
  return { ...unique, body: Buffer.from(JSON.stringify(json)), prescriberRpps: unique.prescriberRpps! };
}

const DOLIPRANE = {
  type: 'medicament',
  codeCIP13: '3400935955838',
  codeCIS: '60234100',
  libelle: 'DOLIPRANE 1000 mg, comprimé',
  posologie: { texte: '1 comprimé jusqu’à 3 fois par jour si douleur' },
  quantite: 1,
};
const COMPRESSES = {
  type: 'dispositifMedical',
  codeLPP: '6376090',
  libelle: 'Compresses non tissées non stériles ≥ 100 cm², boîte de 100',
  quantite: 2,
};
const BIOLOGY = { type: 'acteBiologieMedicale', code: '1104', libelle: 'Hémogramme (NFS) y compris plaquettes' };
const PODIATRY = { type: 'actePedicurie', libelle: 'Soins de pédicurie', nombreSeances: 4 };

function forbiddenIssues(outcome: OperationOutcome): OperationOutcome['issue'] {
  assert.equal(outcome.resourceType, 'OperationOutcome');
  for (const issue of outcome.issue) {
    assert.equal(issue.severity, 'error');
    assert.equal(issue.code, 'forbidden');
  }
  return outcome.issue;
}

describe('lines outside the profession’s scope are refused with 403 and nothing is stored', () => {
  test('a nurse posting LEVOTHYROX, RAMIPRIL and DOLIPRANE (epu-json): one issue per line, naming the rule', async () => {
    const { body, ins, prescriberRpps } = payload('epu-json', 'valid-drugs-only.json');
    const res = await postPrescription(gw.app, await asPrescriber('nurse', prescriberRpps), 'epu-json', body);
    assert.equal(res.status, 403, res.text);
    const issues = forbiddenIssues(res.body);
    assert.deepEqual(
      issues.map((i) => i.expression),
      [['/lignes/0'], ['/lignes/1'], ['/lignes/2']],
    );
    assert.match(
      issues[0]!.diagnostics!,
      /^a nurse \(G15_60\) may prescribe drugs only from these lists: vaccines of the vaccination calendar \(CSP L\.4311-1 and R\.4311-5-1, arrêté du 8 août 2023\); nicotine substitutes \(CSP L\.3511-3\): drug line 1 \(CIP13 3400930065785, CIS 62080626\) is in none of them/,
    );
    assert.equal(await countForPatient(ins), 0);
  });

  test('a physiotherapist posting the same drugs (lgc-xml, CIS only): 403 with the XPath of each line', async () => {
    const { body, ins, prescriberRpps } = payload('lgc-xml', 'valid-drugs-only.xml');
    const res = await postPrescription(gw.app, await asPrescriber('physiotherapist', prescriberRpps), 'lgc-xml', body);
    assert.equal(res.status, 403, res.text);
    const issues = forbiddenIssues(res.body);
    assert.deepEqual(
      issues.map((i) => i.expression?.[0]),
      ['/Prescription/Items/Item[1]', '/Prescription/Items/Item[2]', '/Prescription/Items/Item[3]'],
    );
    assert.match(issues[1]!.diagnostics!, /^a physiotherapist \(G15_70\) .*\(CIS 61599041\) is in none of them/);
    assert.equal(await countForPatient(ins), 0);
  });

  test('a nurse posting the mixed example (fhir-message): drugs, devices out of the list and nursing acts refused', async () => {
    const { body, ins, prescriberRpps } = payload('fhir-message', 'valid-mixed-drugs-device-nursing.json');
    const res = await postPrescription(gw.app, await asPrescriber('nurse', prescriberRpps), 'fhir-message', body);
    assert.equal(res.status, 403, res.text);
    const issues = forbiddenIssues(res.body);
    assert.equal(issues.length, 6);
    for (const issue of issues) assert.match(issue.expression?.[0] ?? '', /^Bundle\.entry\[\d+\]\.resource$/);
    assert.ok(
      issues.some((i) => /may not prescribe nursing acts: .* — CSP L\.4311-1$/.test(i.diagnostics ?? '')),
      JSON.stringify(issues),
    );
    assert.equal(await countForPatient(ins), 0);
  });

  test('a dentist may not prescribe podiatry (outside the art dentaire): 403 naming L.4141-1', async () => {
    const { body, ins, prescriberRpps } = payload('epu-json', 'valid-drugs-only.json', [DOLIPRANE, PODIATRY]);
    const res = await postPrescription(gw.app, await asPrescriber('dentist', prescriberRpps), 'epu-json', body);
    assert.equal(res.status, 403, res.text);
    const issues = forbiddenIssues(res.body);
    assert.deepEqual(
      issues.map((i) => [i.expression?.[0], i.diagnostics]),
      [
        [
          '/lignes/1',
          'a dentist (G15_40) may not prescribe podiatry acts: podiatry act line 2 is outside that scope — CSP L.4141-1 and L.4141-2',
        ],
      ],
    );
    assert.equal(await countForPatient(ins), 0);
  });

  test('$process-message prescription-create by a nurse: fatal-error with the same issues, nothing stored', async () => {
    const unique = uniquify(example('fhir-message', 'valid-drugs-only.json'));
    const json = JSON.parse(unique.body.toString()) as Bundle<FhirResource>;
    json.id = randomUUID();
    (json.entry![0]!.resource as MessageHeader).id = randomUUID();
    const res = await request(gw.app)
      .post('/fhir/$process-message')
      .set('authorization', await asPrescriber('nurse', unique.prescriberRpps!))
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(json))
      .expect(200);
    const header = (res.body as Bundle<FhirResource>).entry![0]!.resource as MessageHeader;
    assert.equal(header.response?.code, 'fatal-error');
    const outcome = (res.body as Bundle<FhirResource>).entry!.find(
      (e) => e.fullUrl === header.response?.details?.reference,
    )?.resource as OperationOutcome;
    const issues = forbiddenIssues(outcome);
    assert.equal(issues.length, 3);
    assert.match(issues[0]!.diagnostics!, /^a nurse \(G15_60\) may prescribe drugs only from/);
    assert.match(issues[0]!.expression?.[0] ?? '', /^Bundle\.entry\[\d+\]\.resource$/);
    assert.equal(await countForPatient(unique.ins), 0);
  });
});

describe('lines within the scope are stored', () => {
  test('a nurse prescribing a device of the nurses’ list gets 201', async () => {
    const { body, prescriberRpps } = payload('epu-json', 'valid-drugs-only.json', [COMPRESSES]);
    const res = await postPrescription(gw.app, await asPrescriber('nurse', prescriberRpps), 'epu-json', body);
    assert.equal(res.status, 201, res.text);
    assert.match(res.body.number, /^[0-9A-Z]{18}$/);
  });

  test('a dentist (TRE_G15 40) prescribes drugs: the three drugs of the example are stored', async () => {
    const { body, prescriberRpps } = payload('epu-json', 'valid-drugs-only.json');
    const res = await postPrescription(gw.app, await asPrescriber('dentist', prescriberRpps), 'epu-json', body);
    assert.equal(res.status, 201, res.text);
  });

  test('a midwife (TRE_G15 50) prescribes paracetamol, compresses and a blood count', async () => {
    const { body, prescriberRpps } = payload('epu-json', 'valid-drugs-only.json', [DOLIPRANE, COMPRESSES, BIOLOGY]);
    const res = await postPrescription(gw.app, await asPrescriber('midwife', prescriberRpps), 'epu-json', body);
    assert.equal(res.status, 201, res.text);
  });
});
