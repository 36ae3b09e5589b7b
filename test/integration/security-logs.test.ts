/**
 * No INS, patient name or birth date reaches the logs: a full journey (intake → lookup → PDF,
 * plus refused and invalid requests) with the logger at its most verbose level writing to a
 * buffer, which is then searched for the patient's data in every spelling; and HAPI's refusals,
 * whose diagnostics quote the values refused, are logged as their status and HAPI codes only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { Bundle, FhirResource, Organization } from 'fhir/r4';
import { FINESS_SYSTEM } from '../../fhir/systems';
import { createLogger } from '../../platform/logger';
import type { FhirClient } from '../../store/fhir-client';
import { bearerFor } from '../support/auth';
import { testConfig, testFhirClient } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { syntheticRpps } from '../support/synthetic';
import { example, uniquify, vendorExamples } from '../support/vendor-fixtures';

let gw: TestGateway;
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});

before(async () => {
  gw = await startTestGateway({ logger: createLogger('trace', sink) });
});
after(async () => {
  await gw.close();
});

const letters = (n: number) => Array.from({ length: n }, () => 'BCDFGHJKLMNPQRSTVWXZ'[randomInt(20)]).join('');

test('a journey leaves no INS, name or birth date in the logs', async () => {
  const example = vendorExamples().find(
    (e) => e.format === 'epu-json' && e.name.startsWith('valid-mixed-drugs-device-nursing'),
  )!;
  const unique = uniquify(example);
  const json = JSON.parse(unique.body.toString());
  // Patient data unique to this run, so that any occurrence in the logs comes from here.
  const family = `FAM${letters(8)}`;
  const given = `Giv${letters(8).toLowerCase()}`;
  const year = 1930 + randomInt(40);
  const birth = {
    year: String(year),
    month: String(randomInt(1, 13)).padStart(2, '0'),
    day: String(randomInt(1, 29)).padStart(2, '0'),
  };
  json.patient.nom = family;
  json.patient.prenom = given;
  json.patient.dateNaissance = `${birth.year}-${birth.month}-${birth.day}`;
  const body = JSON.stringify(json);
  const prescriber = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
  const pharmacist = await bearerFor({ role: 'dispenser', profession: 'pharmacist' });

  const created = await request(gw.app)
    .post('/prescriptions')
    .set('authorization', prescriber)
    .set('content-type', 'application/json')
    .send(body)
    .expect(201);
  const number: string = created.body.number;
  await request(gw.app)
    .post('/prescriptions')
    .set('authorization', prescriber)
    .set('content-type', 'application/json')
    .send(body)
    .expect(200);
  await request(gw.app).get(`/prescriptions/${number}`).set('authorization', pharmacist).expect(200);
  await request(gw.app).get(`/prescriptions/${number}/ordonnance.pdf`).set('authorization', pharmacist).expect(200);
  await request(gw.app).get(`/prescriptions/${number}/qr.png`).set('authorization', prescriber).expect(200);
  // refused and failing requests log too
  await request(gw.app)
    .get(`/prescriptions/${number}`)
    .set('authorization', await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: syntheticRpps() }))
    .expect(403);
  await request(gw.app)
    .post('/prescriptions')
    .set('authorization', await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: syntheticRpps() }))
    .set('content-type', 'application/json')
    .send(JSON.stringify({ ...json, idMessage: randomUUID(), identifiantPrescription: undefined }))
    .expect(403);
  const invalid = {
    ...json,
    idMessage: randomUUID(),
    patient: { ...json.patient, ins: { ...json.patient.ins, valeur: `${unique.ins.slice(0, 13)}00` } },
  };
  await request(gw.app)
    .post('/prescriptions')
    .set('authorization', prescriber)
    .set('content-type', 'application/json')
    .send(JSON.stringify(invalid))
    .expect(422);
  await request(gw.app)
    .get(`/prescriptions/${number}`)
    .set('authorization', `Bearer ${family}.${given}.${unique.ins}`)
    .expect(401);
  await request(gw.app)
    .get(`/prescriptions/${number}?ins=${unique.ins}&name=${family}`)
    .set('authorization', pharmacist)
    .expect(200);

  const logs = lines.join('');
  assert.ok(lines.length >= 10, `the journey was logged (${lines.length} lines)`);
  assert.ok(logs.includes(number), 'the logs do say what happened (the number is there)');
  const secrets = [
    unique.ins,
    unique.ins.slice(0, 13),
    family,
    family.toLowerCase(),
    given,
    given.toUpperCase(),
    `${birth.year}-${birth.month}-${birth.day}`,
    `${birth.day}/${birth.month}/${birth.year}`,
    `${birth.year}${birth.month}${birth.day}`,
  ];
  for (const secret of secrets)
    assert.ok(
      !logs.includes(secret),
      `"${secret}" found in the logs:\n${lines.filter((l) => l.includes(secret)).join('')}`,
    );
});

/**
 * A store in front of the real HAPI that appends `corruption` to the name of the prescriber's
 * structure in every transaction: what the gateway refuses before storing (a NUL, a lone surrogate)
 * reaches HAPI as it would through a validation gap, and HAPI answers as it does (409 quoting the
 * SQL insert of the name's index, 500 quoting the name). The structure, whose name the store
 * indexes, gets a new identifier each time so that its conditional create inserts it (a Patient's
 * name is no longer indexed: profiles/indexed-search-parameters.json).
 */
async function corruptingStore(): Promise<{ fhir: FhirClient; corrupt(suffix: string): void; transactions(): number }> {
  const fhir = await testFhirClient();
  let suffix = '';
  let transactions = 0;
  const transaction = fhir.transaction.bind(fhir);
  fhir.transaction = (bundle: Bundle<FhirResource>, options) => {
    transactions++;
    for (const entry of bundle.entry ?? []) {
      const organization = entry.resource as Organization | undefined;
      if (organization?.resourceType !== 'Organization') continue;
      const finess = `99${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
      organization.name = `${organization.name ?? ''}${suffix}`;
      organization.identifier = [{ system: FINESS_SYSTEM, value: finess }];
      entry.request = { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${FINESS_SYSTEM}|${finess}` };
    }
    return transaction(bundle, options);
  };
  return {
    fhir,
    corrupt: (value) => {
      suffix = value;
    },
    transactions: () => transactions,
  };
}

test("HAPI's refusals are logged as their status and HAPI codes, never their diagnostics (which quote the name)", async () => {
  const refusalLines: string[] = [];
  const refusalSink = new Writable({
    write(chunk, _encoding, done) {
      refusalLines.push(String(chunk));
      done();
    },
  });
  const store = await corruptingStore();
  // Without the identity cache: the structure is always in the transaction, created conditionally.
  const refusing = await startTestGateway({
    config: testConfig({ identityCache: false }),
    logger: createLogger('trace', refusalSink),
    fhir: store.fhir,
  });
  try {
    // [what HAPI gets, its status]: a NUL in an indexed string (409), a lone surrogate (500).
    for (const [suffix, hapiStatus] of [
      ['\u0000', 409],
      ['\uD800', 500],
    ] as const) {
      const unique = uniquify(example('epu-json', 'valid-drugs-only.json'));
      const json = JSON.parse(unique.body.toString());
      const family = `FAM${letters(10)}`;
      json.patient.nom = family;
      store.corrupt(suffix);
      const before = store.transactions();
      const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
      const res = await postPrescription(refusing.app, auth, 'epu-json', Buffer.from(JSON.stringify(json)));
      // A permanent refusal of the payload: not "changed by someone else" (409), not "retry later" (5xx).
      assert.equal(res.status, 422, `HAPI ${hapiStatus}: ${res.text}`);
      assert.equal(store.transactions() - before, 1, 'one transaction: a refused value is not a race to retry');
      const logs = refusalLines.join('');
      assert.ok(logs.includes(`FHIR server answered ${hapiStatus}`), 'the refusal is logged…');
      assert.match(logs, /HAPI-\d{4}/, "…with HAPI's code…");
      for (const secret of [family, family.toLowerCase(), unique.ins])
        assert.ok(!logs.includes(secret), `…and no payload value: "${secret}" found in:\n${logs}`);
    }
  } finally {
    await refusing.close();
  }
});
