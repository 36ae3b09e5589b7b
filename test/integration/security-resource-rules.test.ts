/**
 * Resource-level rules on the real store: a prescriber submits only what they sign (on both
 * doors, POST /prescriptions and $process-message) and reads only their own prescriptions; a
 * dispenser reads any prescription by its number. Refusals store nothing and are audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Bundle, FhirResource, MessageHeader, OperationOutcome } from 'fhir/r4';
import { IDNATPS_SYSTEM } from '../../fhir/systems';
import { bearerFor } from '../support/auth';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';
import { uniquify, vendorExamples } from '../support/vendor-fixtures';
import { postPrescription } from '../support/post-prescription';

let gw: TestGateway;
let audit: TestAuditWorker;
before(async () => {
  gw = await startTestGateway();
  audit = startAuditWorker(gw);
});
after(async () => {
  await audit.close();
  await gw.close();
});

const prescriber = (rpps: string) => bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
const patientsWithIns = async (ins: string) =>
  (await gw.deps.fhir.search('Patient', { identifier: ins, _summary: 'count' })).total ?? 0;
const refusalsOf = async (rpps: string) =>
  (
    (await gw.deps.fhir.search<AuditEvent>('AuditEvent', { 'agent-identifier': `${IDNATPS_SYSTEM}|8${rpps}` })).entry ??
    []
  )
    .map((e) => e.resource!)
    .filter((e) => e.outcome !== '0');

describe('a prescriber submits only prescriptions they sign', () => {
  for (const example of vendorExamples().filter((e) => e.valid)) {
    test(`POST /prescriptions ${example.format}/${example.name} by another prescriber → 403, nothing stored`, async () => {
      const unique = uniquify(example);
      const impostor = syntheticRpps();
      const res = await postPrescription(gw.app, await prescriber(impostor), example.format, unique.body);
      assert.equal(res.status, 403, res.text);
      assert.equal(res.body.issue[0].code, 'forbidden');
      assert.equal(await patientsWithIns(unique.ins), 0);
    });
  }

  test('$process-message from a sender who does not sign the message → fatal-error (forbidden), nothing stored, audited', async () => {
    const example = vendorExamples().find((e) => e.format === 'fhir-message' && e.name.startsWith('valid-drugs-only'))!;
    const unique = uniquify(example);
    const json = JSON.parse(unique.body.toString()) as Bundle<FhirResource>;
    json.id = randomUUID();
    const impostor = syntheticRpps();
    const res = await request(gw.app)
      .post('/fhir/$process-message')
      .set('authorization', await prescriber(impostor))
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(json))
      .expect(200);
    const header = res.body.entry[0].resource as MessageHeader;
    assert.equal(header.response?.code, 'fatal-error');
    const outcome = res.body.entry.find((e: { fullUrl: string }) => e.fullUrl === header.response?.details?.reference)
      ?.resource as OperationOutcome;
    assert.equal(outcome.issue[0]?.code, 'forbidden');
    assert.equal(await patientsWithIns(unique.ins), 0);
    await audit.drain();
    const refused = await refusalsOf(impostor);
    assert.equal(refused.length, 1);
    assert.equal(
      refused[0]!.subtype?.find((c) => c.system === 'urn:ordo-gateway:audit-event')?.code,
      'fhir.process-message',
    );
    assert.match(refused[0]!.outcomeDesc ?? '', /^HTTP 403: the prescription is signed by another prescriber/);
  });
});

describe('who reads a prescription', () => {
  let number: string;
  let ownerRpps: string;
  before(async () => {
    const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name.startsWith('valid-mixed'))!;
    const unique = uniquify(example);
    ownerRpps = unique.prescriberRpps!;
    const res = await postPrescription(gw.app, await prescriber(ownerRpps), example.format, unique.body);
    assert.equal(res.status, 201, res.text);
    number = res.body.number;
  });

  test('its prescriber: the bundle and the documents', async () => {
    const auth = await prescriber(ownerRpps);
    await request(gw.app).get(`/prescriptions/${number}`).set('authorization', auth).expect(200);
    await request(gw.app).get(`/prescriptions/${number}/qr.svg`).set('authorization', auth).expect(200);
  });

  test('another prescriber: 403 on the bundle and on every document', async () => {
    const auth = await prescriber(syntheticRpps());
    for (const path of ['', '/qr.png', '/qr.svg', '/ordonnance.pdf']) {
      const res = await request(gw.app).get(`/prescriptions/${number}${path}`).set('authorization', auth);
      assert.equal(res.status, 403, path);
      assert.equal(res.body.issue[0].code, 'forbidden');
    }
  });

  test('any dispenser, by number, whatever their profession', async () => {
    for (const profession of ['pharmacist', 'nurse', 'biologist', 'lpp-supplier'] as const) {
      await request(gw.app)
        .get(`/prescriptions/${number}`)
        .set('authorization', await bearerFor({ role: 'dispenser', profession }))
        .expect(200);
    }
  });
});
