/**
 * POST /prescriptions end to end on the real HAPI: every vendor example, valid and invalid,
 * idempotent replays, conflicts, and the documents of a stored prescription.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome } from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import { hasValidCheckCharacter, PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { prescriberBearer } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';
import { CONTENT_TYPES, freshNumber, uniquify, vendorExamples, wireBody } from '../support/vendor-fixtures';

let gw: TestGateway;
/**
 * A prescriber with no prescription of the examples (transport errors, invalid payloads); intake refuses
 * anyone but the one who signs the payload.
 */
let someone: string;

before(async () => {
  gw = await startTestGateway();
  someone = await prescriberBearer();
});
after(async () => {
  await gw.close();
});

/** How many resources of a type the store holds for an INS (to prove nothing was written). */
async function countForPatient(ins: string): Promise<number> {
  if (!ins) return 0;
  const bundle = await gw.deps.fhir.search('Patient', { identifier: ins, _summary: 'count' });
  return bundle.total ?? 0;
}

const EXPECTED_COUNTS: Record<string, [number, number, number]> = {
  'valid-drugs-only': [3, 0, 0],
  'valid-mixed-drugs-device-nursing': [2, 2, 2],
  'valid-biology-only': [0, 0, 5],
};

describe('every valid vendor example is stored', () => {
  for (const example of vendorExamples().filter((e) => e.valid)) {
    test(`${example.format}/${example.name}`, async () => {
      const unique = uniquify(example);
      const body = unique.body;
      assert.ok(unique.prescriberRpps, 'a valid example names its prescriber');
      const auth = await prescriberBearer(unique.prescriberRpps);
      const res = await request(gw.app)
        .post('/prescriptions')
        .set('authorization', auth)
        .set('content-type', CONTENT_TYPES[example.format])
        .send(wireBody(example.format, body));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      // The vendor's number is kept; without one the gateway generates a number with our check character.
      const number: string = unique.number ?? res.body.number;
      if (!unique.number) assert.ok(hasValidCheckCharacter(number), number);
      assert.equal(res.headers.location, `/prescriptions/${number}`);
      assert.equal(res.body.number, number);
      assert.equal(res.body.status, 'active');
      assert.deepEqual(res.body.links, {
        qr: `/prescriptions/${number}/qr.png`,
        pdf: `/prescriptions/${number}/ordonnance.pdf`,
        fhir: `/prescriptions/${number}`,
      });
      const expected = EXPECTED_COUNTS[example.name.replace(/\.\w+$/, '')];
      if (expected) {
        assert.deepEqual(
          [
            res.body.resources.MedicationRequest.length,
            res.body.resources.DeviceRequest.length,
            res.body.resources.ServiceRequest.length,
          ],
          expected,
        );
      }
      const stored = await request(gw.app).get(`/prescriptions/${number}`).set('authorization', auth).expect(200);
      assert.match(stored.headers['content-type'] ?? '', /application\/fhir\+json/);
      const bundle = stored.body as Bundle<FhirResource>;
      const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
      for (const t of ['RequestGroup', 'Patient', 'Practitioner', 'Organization', 'Consent'])
        assert.ok(types.includes(t as never), `${t} in ${types}`);
      const meds = (bundle.entry ?? [])
        .map((e) => e.resource)
        .filter((r): r is MedicationRequest => r?.resourceType === 'MedicationRequest');
      for (const m of meds) assert.equal(m.groupIdentifier?.value, number);
      for (const m of meds) assert.equal(m.groupIdentifier?.system, PRESCRIPTION_NUMBER_SYSTEM);

      // HAPI's own validator, with the project's profiles loaded, accepts every stored resource.
      const storedResources = (bundle.entry ?? [])
        .map((e) => e.resource!)
        .filter((r) => r.meta?.versionId !== undefined);
      for (const resource of storedResources) {
        const { resource: outcome } = await gw.deps.fhir.request<OperationOutcome>(
          'POST',
          `${resource.resourceType}/$validate`,
          resource,
        );
        const errors = (outcome.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
        assert.deepEqual(errors, [], `${resource.resourceType}/${resource.id}: ${JSON.stringify(errors)}`);
      }

      const pdf = await request(gw.app)
        .get(`/prescriptions/${number}/ordonnance.pdf`)
        .set('authorization', auth)
        .buffer(true)
        .expect(200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(Buffer.from(pdf.body).subarray(0, 5).toString(), '%PDF-');
      const png = await request(gw.app)
        .get(`/prescriptions/${number}/qr.png`)
        .set('authorization', auth)
        .buffer(true)
        .expect(200);
      assert.equal(png.headers['content-type'], 'image/png');
      const svg = await request(gw.app).get(`/prescriptions/${number}/qr.svg`).set('authorization', auth).expect(200);
      assert.match(String(svg.text || svg.body), /<svg/);
    });
  }
});

describe('every invalid vendor example is refused and nothing is written', () => {
  for (const example of vendorExamples().filter((e) => !e.valid)) {
    test(`${example.format}/${example.name}`, async () => {
      const { body, ins, prescriberRpps } = uniquify(example);
      const res = await request(gw.app)
        .post('/prescriptions')
        .set('authorization', await prescriberBearer(prescriberRpps))
        .set('content-type', CONTENT_TYPES[example.format])
        .send(wireBody(example.format, body));
      assert.ok(res.status === 422 || res.status === 400, `status ${res.status}`);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.ok(res.body.issue.length >= 1);
      for (const issue of res.body.issue) {
        assert.equal(issue.severity, 'error');
        assert.ok(issue.expression?.[0] || issue.diagnostics, 'each issue names the field');
      }
      assert.equal(await countForPatient(ins), 0);
    });
  }
});

describe('values the store cannot keep and implausible dates are refused at the vendor path (issue 11)', () => {
  type Json = any;
  const json = (change: (j: Json) => void) => (body: Buffer) => {
    const j = JSON.parse(body.toString('utf8'));
    change(j);
    return Buffer.from(JSON.stringify(j), 'utf8');
  };
  const xml = (from: RegExp, to: string) => (body: Buffer) => {
    const text = body.toString('utf8');
    assert.match(text, from);
    return Buffer.from(text.replace(from, to), 'utf8');
  };
  const fhirPatient = (j: Json) => j.entry[1].resource;
  // [format, what, change, status, path]: before, a NUL came back as 409 "changed by someone else"
  // after four attempts, a lone surrogate as 502, and the dates were stored.
  const CASES: Array<[VendorFormat, string, (body: Buffer) => Buffer, number, string | undefined]> = [
    ['epu-json', 'NUL in patient.nom', json((j) => (j.patient.nom = 'ESSAI\u0000')), 422, '/patient/nom'],
    ['epu-json', 'lone surrogate in a label', json((j) => (j.lignes[0].libelle = 'X\uD800')), 422, '/lignes/0/libelle'],
    [
      'epu-json',
      'BEL in the practice name',
      json((j) => (j.prescripteur.structure.nom = 'A\u0007')),
      422,
      '/prescripteur/structure/nom',
    ],
    [
      'epu-json',
      'birth date 1850-01-01',
      json((j) => (j.patient.dateNaissance = '1850-01-01')),
      422,
      '/patient/dateNaissance',
    ],
    [
      'fhir-message',
      'NUL in the family name',
      json((j) => (fhirPatient(j).name[0].family = 'ESSAI\u0000')),
      422,
      'Bundle.entry[1].resource.name[0].family',
    ],
    [
      'fhir-message',
      'lone surrogate in a label',
      json((j) => (j.entry[6].resource.medicationCodeableConcept.text = '\uDC00')),
      422,
      'Bundle.entry[6].resource.medicationCodeableConcept.text',
    ],
    [
      'fhir-message',
      'groupIdentifier: 12345',
      json((j) => (j.entry[7].resource.groupIdentifier = 12345)),
      422,
      'Bundle.entry[7].resource.groupIdentifier',
    ],
    [
      'fhir-message',
      'null in a coding array',
      json((j) => j.entry[6].resource.medicationCodeableConcept.coding.push(null)),
      422,
      'Bundle.entry[6].resource.medicationCodeableConcept.coding[2]',
    ],
    [
      'fhir-message',
      'birth date 1850-01-01',
      json((j) => (fhirPatient(j).birthDate = '1850-01-01')),
      422,
      'Bundle.entry[1].resource.birthDate',
    ],
    [
      'fhir-message',
      'timestamp 9999-12-31',
      json((j) => (j.timestamp = '9999-12-31T00:00:00Z')),
      422,
      'Bundle.timestamp',
    ],
    [
      'lgc-xml',
      'birth date 01/01/1850',
      xml(/<BirthDate>[^<]*</, '<BirthDate>01/01/1850<'),
      422,
      '/Prescription/Patient/BirthDate',
    ],
    // In XML a control character or a surrogate is not well-formed: 400, with its position.
    ['lgc-xml', 'NUL as a character reference', xml(/<LastName>ESSAI/, '<LastName>ESSAI&#0;'), 400, undefined],
    [
      'lgc-xml',
      'a surrogate as a character reference',
      xml(/<LastName>ESSAI/, '<LastName>ESSAI&#xD800;'),
      400,
      undefined,
    ],
    ['lgc-xml', "'<' in an attribute", xml(/<Patient sex="F"/, '<Patient sex="F<"'), 400, '/Prescription/Patient'],
  ];
  for (const [format, what, change, status, path] of CASES) {
    test(`${format}: ${what} → ${status}${path ? ` at ${path}` : ''}, nothing stored`, async () => {
      const example = vendorExamples().find((e) => e.format === format && e.name.startsWith('valid-drugs-only'))!;
      const unique = uniquify(example);
      const res = await request(gw.app)
        .post('/prescriptions')
        .set('authorization', await prescriberBearer(unique.prescriberRpps))
        .set('content-type', CONTENT_TYPES[format])
        .send(wireBody(format, change(unique.body)));
      assert.equal(res.status, status, res.text);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      if (path)
        assert.ok(
          res.body.issue.some((i: { expression?: string[] }) => i.expression?.[0] === path),
          res.text,
        );
      assert.equal(await countForPatient(unique.ins), 0);
    });
  }
});

describe('idempotency and conflicts', () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
  let auth: string;
  before(async () => {
    auth = await prescriberBearer(uniquify(example).prescriberRpps);
  });

  test('the same message twice gives one prescription and the same answer (200 the second time)', async () => {
    const body = uniquify(example).body.toString();
    const first = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(body)
      .expect(201);
    const second = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(body)
      .expect(200);
    assert.deepEqual(second.body, first.body);
  });

  test('the same message sent concurrently yields one prescription', async () => {
    const unique = uniquify(example);
    const body = unique.body.toString();
    const number = unique.number!;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(gw.app)
          .post('/prescriptions')
          .set('authorization', auth)
          .set('content-type', 'application/json')
          .send(body),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses.filter((s) => s === 201).length, 1, `statuses ${statuses}`);
    assert.ok(
      statuses.every((s) => s === 200 || s === 201),
      `statuses ${statuses}`,
    );
    for (const a of answers) assert.deepEqual(a.body.resources, answers[0]!.body.resources);
    const groups = await gw.deps.fhir.search('RequestGroup', {
      'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
    });
    assert.equal(groups.entry?.length, 1);
    const meds = await gw.deps.fhir.search('MedicationRequest', {
      'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
    });
    assert.equal(meds.entry?.length, 3);
  });

  test('first prescriptions of a brand-new prescriber sent at once are all stored (race on the shared Practitioner)', async () => {
    const rpps = syntheticRpps();
    const auth = await prescriberBearer(rpps);
    const bodies = Array.from({ length: 6 }, () => {
      const json = JSON.parse(uniquify(example).body.toString());
      json.prescripteur.rpps = rpps;
      delete json.identifiantPrescription;
      return JSON.stringify(json);
    });
    const answers = await Promise.all(
      bodies.map((body) =>
        request(gw.app)
          .post('/prescriptions')
          .set('authorization', auth)
          .set('content-type', 'application/json')
          .send(body),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201, 201, 201, 201, 201],
      JSON.stringify(answers.map((a) => a.body)),
    );
    const practitioners = await gw.deps.fhir.search('Practitioner', {
      identifier: `https://rpps.esante.gouv.fr|${rpps}`,
    });
    assert.equal(practitioners.entry?.length, 1, 'one Practitioner, never duplicated');
  });

  test('the same message id with different content is a 409', async () => {
    const body = uniquify(example).body.toString();
    await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(body)
      .expect(201);
    const changed = JSON.parse(body);
    changed.lignes[0].quantite = 2;
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(JSON.stringify(changed))
      .expect(409);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });

  test('a vendor number already used by another prescription is a 409', async () => {
    const first = uniquify(example);
    await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(first.body.toString())
      .expect(201);
    const other = JSON.parse(uniquify(example).body.toString());
    other.identifiantPrescription = first.number!;
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(JSON.stringify(other))
      .expect(409);
    assert.match(res.body.issue[0].diagnostics, /already belongs/);
  });

  test('without a vendor number the gateway generates one with a valid check character', async () => {
    const json = JSON.parse(uniquify(example).body.toString());
    delete json.identifiantPrescription;
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', auth)
      .set('content-type', 'application/json')
      .send(JSON.stringify(json))
      .expect(201);
    assert.ok(hasValidCheckCharacter(res.body.number), res.body.number);
  });
});

describe('transport errors', () => {
  test('unknown media type → 415', async () => {
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', someone)
      .set('content-type', 'text/plain')
      .send('hello')
      .expect(415);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });
  test('unknown X-Vendor-Format → 415', async () => {
    await request(gw.app)
      .post('/prescriptions')
      .set('authorization', someone)
      .set('x-vendor-format', 'hl7v2')
      .set('content-type', 'application/json')
      .send('{}')
      .expect(415);
  });
  test('malformed JSON → 400', async () => {
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', someone)
      .set('content-type', 'application/json')
      .send('{"formatVersion": ')
      .expect(400);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });
  test('body over 1 MiB → 413', async () => {
    const big = JSON.stringify({ padding: 'x'.repeat(1_100_000) });
    const res = await request(gw.app)
      .post('/prescriptions')
      .set('authorization', someone)
      .set('content-type', 'application/json')
      .send(big)
      .expect(413);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });
  test('unknown number → 404, malformed number → 400', async () => {
    await request(gw.app).get(`/prescriptions/${freshNumber()}`).set('authorization', someone).expect(404);
    // Our alphabet but a check character that does not match: a typo, said so (README "Typed numbers").
    await request(gw.app).get('/prescriptions/ZZZZZZZZZZZZZZZZZZ').set('authorization', someone).expect(400);
    await request(gw.app).get('/prescriptions/abc').set('authorization', someone).expect(400);
  });
});
