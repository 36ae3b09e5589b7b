/**
 * POST /fhir/$process-message: FHIR messaging with reliable delivery, on the real HAPI.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, FhirResource, MessageHeader, OperationOutcome, RequestGroup } from 'fhir/r4';
import { prescriberBearer } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { uniquify, vendorExamples } from '../support/vendor-fixtures';

let gw: TestGateway;
/** A prescriber who signs none of the examples (for messages refused before the sender matters). */
let someone: string;
before(async () => {
  gw = await startTestGateway();
  someone = await prescriberBearer();
});
after(async () => {
  await gw.close();
});

const example = (name: string) => vendorExamples().find((e) => e.format === 'fhir-message' && e.name === name)!;

/** A unique message with a Bundle.id and MessageHeader.id, as a reliable-messaging sender sends it. */
function message(name: string): { json: Bundle<FhirResource>; headerId: string; prescriberRpps: string | undefined } {
  const unique = uniquify(example(name));
  const json = JSON.parse(unique.body.toString()) as Bundle<FhirResource>;
  json.id = randomUUID();
  const header = json.entry?.[0]?.resource as MessageHeader | undefined;
  const headerId = randomUUID();
  if (header?.resourceType === 'MessageHeader') header.id = headerId;
  return { json, headerId, prescriberRpps: unique.prescriberRpps };
}

/** The sender must be the prescriber who signs the message (prescriberBearer(prescriberRpps)). */
const post = (body: unknown, auth = someone) =>
  request(gw.app)
    .post('/fhir/$process-message')
    .set('authorization', auth)
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify(body));

const responseHeader = (bundle: Bundle<FhirResource>) => bundle.entry?.[0]?.resource as MessageHeader;

test('a prescription-create message is stored and answered ok with the prescription header', async () => {
  const { json, headerId, prescriberRpps } = message('valid-drugs-only.json');
  const res = await post(json, await prescriberBearer(prescriberRpps)).expect(200);
  const bundle = res.body as Bundle<FhirResource>;
  assert.equal(bundle.type, 'message');
  const header = responseHeader(bundle);
  assert.equal(header.response?.identifier, headerId);
  assert.equal(header.response?.code, 'ok');
  const focus = bundle.entry?.find((e) => e.fullUrl === header.focus?.[0]?.reference)?.resource as RequestGroup;
  assert.equal(focus.resourceType, 'RequestGroup');
  assert.equal(focus.action?.length, 3);
  assert.match(focus.groupIdentifier?.value ?? '', /^[0-9A-Z]{18}$/);
});

test('the same Bundle.id and MessageHeader.id get the original response again', async () => {
  const { json, prescriberRpps } = message('valid-biology-only.json');
  const auth = await prescriberBearer(prescriberRpps);
  const first = await post(json, auth).expect(200);
  const second = await post(json, auth).expect(200);
  assert.deepEqual(second.body, first.body);
});

test('a message refused by the rules is answered fatal-error with the OperationOutcome naming the field', async () => {
  const { json, headerId } = message('invalid-cip13-check-digit.json');
  const res = await post(json).expect(200);
  const header = responseHeader(res.body);
  assert.equal(header.response?.identifier, headerId);
  assert.equal(header.response?.code, 'fatal-error');
  const outcome = res.body.entry.find((e: { fullUrl: string }) => e.fullUrl === header.response?.details?.reference)
    ?.resource as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome');
  assert.ok(
    outcome.issue.some(
      (i) => /V5/.test(i.diagnostics ?? '') && /medicationCodeableConcept/.test(i.expression?.[0] ?? ''),
    ),
    JSON.stringify(outcome),
  );
});

test('a message without MessageHeader is answered fatal-error (V12)', async () => {
  const { json } = message('invalid-missing-message-header.json');
  const res = await post(json).expect(200);
  assert.equal(responseHeader(res.body).response?.code, 'fatal-error');
});

test("an event code naming an inherited object member is an unsupported event, not a 500 nor an 'ok'", async () => {
  for (const code of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const { json } = message('valid-drugs-only.json');
    (json.entry![0]!.resource as MessageHeader).eventCoding!.code = code;
    const res = await post(json);
    assert.equal(res.status, 200, `${code}: ${res.text}`);
    assert.equal(responseHeader(res.body).response?.code, 'fatal-error', code);
  }
});

test('a value the store cannot keep is a fatal-error at its path, never a transient-error', async () => {
  const { json, prescriberRpps } = message('valid-drugs-only.json');
  const patient = json.entry![1]!.resource as { name: Array<{ family: string }> };
  patient.name[0]!.family = 'ESSAI\uD800';
  const res = await post(json, await prescriberBearer(prescriberRpps)).expect(200);
  const header = responseHeader(res.body);
  assert.equal(header.response?.code, 'fatal-error');
  const outcome = res.body.entry.find((e: { fullUrl: string }) => e.fullUrl === header.response?.details?.reference)
    ?.resource as OperationOutcome;
  assert.deepEqual(
    outcome.issue.map((i) => i.expression?.[0]),
    ['Bundle.entry[1].resource.name[0].family'],
  );
});

test('a body that is not JSON is a 400 OperationOutcome; a wrong media type is a 415', async () => {
  const bad = await request(gw.app)
    .post('/fhir/$process-message')
    .set('authorization', someone)
    .set('content-type', 'application/fhir+json')
    .send('{oops')
    .expect(400);
  assert.equal(bad.body.resourceType, 'OperationOutcome');
  await request(gw.app)
    .post('/fhir/$process-message')
    .set('authorization', someone)
    .set('content-type', 'application/xml')
    .send('<a/>')
    .expect(415);
});

test('the CapabilityStatement declares the reliable-messaging cache period', async () => {
  const res = await request(gw.app).get('/fhir/metadata').set('authorization', someone).expect(200);
  assert.equal(res.body.resourceType, 'CapabilityStatement');
  assert.ok(res.body.messaging[0].reliableCache > 0);
  assert.ok(res.body.messaging[0].supportedMessage.length >= 1);
});
