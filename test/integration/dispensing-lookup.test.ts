/**
 * Finding a prescription at the counter on the real HAPI: by number (normalised), by scan (the
 * QR content or a bare number), and the answers for a mistyped number — never a "did you mean".
 * None of the answers names the FHIR store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle, FhirResource, MedicationDispense, OperationOutcome, Parameters } from 'fhir/r4';
import { qrPayload } from '../../documents/qr-code';
import { checkCharacter, NUMBER_ALPHABET } from '../../domain/prescription-number';
import { storedPrescriptionOf } from '../../documents/prescription-documents';
import { findPrescriptionByNumber } from '../../usecases/prescriptions/repository';
import {
  collection,
  example,
  lookUp,
  postDispenses,
  professional,
  startDispensingGateway,
  storeExample,
  summaryOf,
  type Professional,
  type StoredExample,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
let pharmacist: Professional;
let stored: StoredExample;

before(async () => {
  gw = await startDispensingGateway();
  pharmacist = await professional('pharmacist');
  stored = await storeExample(gw.app, example('lgc-xml', 'valid-mixed-drugs-device-nursing.xml'));
});
after(async () => {
  await gw.close();
});

const get = (path: string) => request(gw.app).get(path).set('authorization', pharmacist.bearer);
const scan = (text: string, type = 'text/plain') =>
  request(gw.app)
    .post('/prescriptions/scan')
    .set('authorization', pharmacist.bearer)
    .set('content-type', type)
    .send(text);
const diagnostics = (res: { text: string }): string =>
  (JSON.parse(res.text) as OperationOutcome).issue.map((i) => i.diagnostics).join(' | ');

describe('by number', () => {
  test('the Bundle holds the summary first, then the stored prescription; typed case, spaces and dashes do not matter', async () => {
    const typed = `${stored.number.slice(0, 6).toLowerCase()} ${stored.number.slice(6, 12)}-${stored.number.slice(12)}`;
    const res = await get(`/prescriptions/${encodeURIComponent(typed)}`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers['content-type'] ?? '', /application\/fhir\+json/);
    const bundle = JSON.parse(res.text) as Bundle<FhirResource>;
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.entry![0]!.resource!.resourceType, 'Parameters');
    assert.match(bundle.entry![0]!.fullUrl!, /^urn:uuid:[0-9a-f-]{36}$/);
    const types = bundle.entry!.map((e) => e.resource!.resourceType);
    for (const t of [
      'RequestGroup',
      'Patient',
      'Practitioner',
      'Organization',
      'Consent',
      'MedicationRequest',
      'DeviceRequest',
      'ServiceRequest',
    ])
      assert.ok(types.includes(t as never), t);
    const summary = summaryOf(bundle);
    assert.equal(summary.number, stored.number);
    assert.equal(summary.lines.length, 6);
  });

  test('one wrong character or two swapped neighbours of one of our numbers: 400 naming the likely typo, never a candidate', async () => {
    const n = stored.number;
    const other = NUMBER_ALPHABET[(NUMBER_ALPHABET.indexOf(n[7]!) + 1) % 32]!;
    const wrong = n.slice(0, 7) + other + n.slice(8);
    const i = [...n].findIndex((c, k) => k > 4 && k < 16 && c !== n[k + 1]);
    const swapped = n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2);
    for (const typo of [wrong, swapped]) {
      const res = await get(`/prescriptions/${typo}`);
      assert.equal(res.status, 400, typo);
      assert.match(
        diagnostics(res),
        /check character .* does not match .* one character is wrong or two neighbouring characters are swapped/,
      );
      assert.doesNotMatch(res.text, new RegExp(n), 'the stored number is never suggested');
    }
  });

  test('O, I, L or U typed instead of 0, 1 or V: 400 naming those letters', async () => {
    const zeroes = [...stored.number].map((c, k) => (c === '0' ? k : -1)).filter((k) => k >= 0);
    const body = 'AB0CD' + '00000000000V';
    const ours = body + checkCharacter(body);
    const typed = zeroes.length > 0 ? stored.number.replace('0', 'O') : ours.replace('0', 'O');
    const res = await get(`/prescriptions/${typed}`);
    assert.equal(res.status, 400, res.text);
    assert.match(diagnostics(res), /never contain the letters O, I, L or U: it looks like O for the digit 0 was typed/);
  });

  test('a well-formed number nobody has: 404; not a number at all: 400 saying why', async () => {
    const unknown = await get(`/prescriptions/${freshNumber()}`);
    assert.equal(unknown.status, 404);
    assert.match(diagnostics(unknown), /no prescription has the number/);
    const short = await get('/prescriptions/ABC123');
    assert.equal(short.status, 400);
    assert.match(diagnostics(short), /6 characters where 18 are expected/);
    const symbols = await get(`/prescriptions/${encodeURIComponent('ABC123ABC123ABC12#')}`);
    assert.equal(symbols.status, 400);
    assert.match(diagnostics(symbols), /'#'/);
  });
});

describe('by scan', () => {
  const qrText = async (number: string) =>
    qrPayload(storedPrescriptionOf((await findPrescriptionByNumber(gw.deps.fhir, number))!).prescription, number);

  test('the QR content, a bare number or a JSON string: the same prescription Bundle', async () => {
    const text = await qrText(stored.number);
    const byQr = await scan(text, 'application/json');
    assert.equal(byQr.status, 200, byQr.text);
    const byNumber = await scan(`  ${stored.number.toLowerCase()}\n`);
    assert.equal(byNumber.status, 200, byNumber.text);
    const byJsonString = await scan(JSON.stringify(stored.number), 'application/json');
    assert.equal(byJsonString.status, 200, byJsonString.text);
    const summaries = [byQr, byNumber, byJsonString]
      .map((r) => JSON.parse(r.text) as Bundle<FhirResource>)
      .map((b) => b.entry![0]!.resource as Parameters);
    assert.deepEqual(summaries[1], summaries[0]);
    assert.deepEqual(summaries[2], summaries[0]);
  });

  test('a QR code describing another patient or prescriber than the stored prescription: 422', async () => {
    const json = JSON.parse(await qrText(stored.number));
    json.D.P.D = '1901-01-01';
    const res = await scan(JSON.stringify(json), 'application/json');
    assert.equal(res.status, 422, res.text);
    assert.match(diagnostics(res), /the patient in the QR code is not the patient of this prescription/);
  });

  test('unreadable scans: 400 saying what was expected', async () => {
    const truncated = await scan('{"S":{"V":2},"D":{"ID":"', 'text/plain');
    assert.equal(truncated.status, 400);
    assert.match(diagnostics(truncated), /not valid JSON \(truncated scan\?\)/);
    const garbage = await scan('hello', 'text/plain');
    assert.equal(garbage.status, 400);
    const empty = await request(gw.app)
      .post('/prescriptions/scan')
      .set('authorization', pharmacist.bearer)
      .set('content-type', 'text/plain')
      .send('');
    assert.equal(empty.status, 400);
  });
});

describe('the FHIR store stays internal', () => {
  /**
   * Every fullUrl a urn:uuid (the summary) or the gateway's `…/audit/fhir/<Type>/<id>`; the store's address
   * nowhere.
   */
  function assertNoStoreAddress(res: { status: number; text: string }, expected: number): Bundle<FhirResource> {
    assert.equal(res.status, expected, res.text);
    assert.ok(!res.text.includes(gw.deps.config.fhirBaseUrl), `${gw.deps.config.fhirBaseUrl} in the answer`);
    const bundle = JSON.parse(res.text) as Bundle<FhirResource>;
    assert.ok(bundle.entry!.length > 1);
    for (const { fullUrl, resource } of bundle.entry!) {
      if (resource!.resourceType === 'Parameters') assert.match(fullUrl!, /^urn:uuid:[0-9a-f-]{36}$/);
      else
        assert.equal(
          fullUrl,
          `${gw.deps.config.publicBaseUrl}/audit/fhir/${resource!.resourceType}/${resource!.id}`,
          'the configured public base URL, whatever Host the client sent',
        );
    }
    return bundle;
  }

  /** A relative reference resolved the FHIR way: against the base of the referring entry's fullUrl. */
  const resolves = (bundle: Bundle<FhirResource>, fullUrl: string, reference: string): boolean =>
    bundle.entry!.some(
      (e) => e.fullUrl === `${fullUrl.slice(0, fullUrl.lastIndexOf('/', fullUrl.lastIndexOf('/') - 1))}/${reference}`,
    );

  test('no fullUrl of the lookup, scan, dispense and dispenses answers names the store; references resolve in the Bundle', async () => {
    const drugs = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'), (text) => {
      const json = JSON.parse(text);
      json.consentement.oppositionConsultationDelivrance = false;
      return JSON.stringify(json);
    });
    const { summary } = await lookUp(gw.app, drugs.number, pharmacist.bearer);
    const recorded = assertNoStoreAddress(
      await postDispenses(
        gw.app,
        drugs.number,
        pharmacist.bearer,
        collection([{ line: summary.lines[1]!, quantity: 1 }]),
      ),
      201,
    );
    assert.equal(recorded.entry![1]!.resource!.resourceType, 'MedicationDispense');

    const lookup = assertNoStoreAddress(await get(`/prescriptions/${drugs.number}`), 200);
    assertNoStoreAddress(await scan(drugs.number), 200);
    const dispenses = assertNoStoreAddress(
      await request(gw.app).get(`/prescriptions/${drugs.number}/dispenses`).set('authorization', drugs.prescriber),
      200,
    );
    const dispenseIn = (bundle: Bundle<FhirResource>) =>
      bundle.entry!.find((e) => e.resource!.resourceType === 'MedicationDispense')!;
    for (const bundle of [lookup, dispenses])
      assert.equal(
        dispenseIn(bundle).fullUrl,
        dispenseIn(recorded).fullUrl,
        'one address for the record in every answer',
      );
    const { fullUrl, resource } = dispenseIn(lookup);
    const prescribed = (resource as MedicationDispense).authorizingPrescription![0]!.reference!;
    // The summary (a urn:uuid entry) refers to the line by its absolute address, the record by a relative one.
    assert.equal(summary.lines[1]!.request, `${gw.deps.config.publicBaseUrl}/audit/fhir/${prescribed}`);
    assert.ok(
      lookup.entry!.some((e) => e.fullUrl === summary.lines[1]!.request),
      "the summary's reference is an entry's fullUrl",
    );
    assert.ok(resolves(lookup, fullUrl!, prescribed), `${prescribed} resolves in the prescription Bundle`);
  });
});
