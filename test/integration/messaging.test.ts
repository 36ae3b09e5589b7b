/**
 * POST /fhir/$process-message: FHIR messaging with reliable delivery, on the real HAPI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { AuditEvent, Bundle, FhirResource, MessageHeader, OperationOutcome, RequestGroup } from 'fhir/r4';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { IDNATPS_SYSTEM, MESSAGE_EVENT_SYSTEM, MESSAGE_EVENTS } from '../../fhir/systems';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import { syntheticRpps } from '../support/synthetic';
import { bearerFor, prescriberBearer } from '../support/auth';
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

describe('reliable messaging is per sender and per content', () => {
  /** The message signed by another prescriber (a fresh synthetic RPPS in place of the example's). */
  function signedBy(json: Bundle<FhirResource>, from: string | undefined, to: string): Bundle<FhirResource> {
    assert.ok(from, 'the example names its prescriber');
    return JSON.parse(JSON.stringify(json).split(from).join(to)) as Bundle<FhirResource>;
  }
  const focusOf = (bundle: Bundle<FhirResource>) =>
    bundle.entry?.find((e) => e.fullUrl === responseHeader(bundle).focus?.[0]?.reference)?.resource as
      RequestGroup | undefined;
  const auditOf = async (rpps: string): Promise<AuditEvent[]> => {
    await audit.drain();
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'agent-identifier': `${IDNATPS_SYSTEM}|8${rpps}`,
      _sort: 'date',
      _count: '50',
    });
    return (found.entry ?? []).map((e) => e.resource as AuditEvent);
  };
  const numberIn = (e: AuditEvent) =>
    e.entity?.flatMap((x) =>
      x.what?.identifier?.system === PRESCRIPTION_NUMBER_SYSTEM ? [x.what.identifier.value] : [],
    )[0];

  let audit: TestAuditWorker;
  before(() => {
    audit = startAuditWorker(gw);
  });
  after(async () => {
    await audit.close();
  });

  test('another prescriber reusing the ids has his own prescription stored, never the first response', async () => {
    const first = message('valid-drugs-only.json');
    const a = await post(first.json, await prescriberBearer(first.prescriberRpps)).expect(200);
    const numberA = focusOf(a.body)?.groupIdentifier?.value;
    assert.equal(responseHeader(a.body).response?.code, 'ok');

    const other = message('valid-biology-only.json');
    const rppsB = syntheticRpps();
    const second = signedBy(other.json, other.prescriberRpps, rppsB);
    second.id = first.json.id;
    (second.entry![0]!.resource as MessageHeader).id = first.headerId;
    const b = await post(second, await prescriberBearer(rppsB)).expect(200);
    assert.equal(responseHeader(b.body).response?.code, 'ok', JSON.stringify(b.body));
    const numberB = focusOf(b.body)?.groupIdentifier?.value;
    assert.ok(numberB && numberB !== numberA, `B got ${numberB}, A has ${numberA}`);
    assert.notDeepEqual(b.body, a.body);
    // B's own prescription is stored: B reads it back.
    await request(gw.app)
      .get(`/prescriptions/${numberB}`)
      .set('authorization', await prescriberBearer(rppsB))
      .expect(200);
  });

  test('the same ids with other content from the same sender is a fatal-error conflict', async () => {
    const first = message('valid-drugs-only.json');
    const auth = await prescriberBearer(first.prescriberRpps);
    const a = await post(first.json, auth).expect(200);
    const changed = message('valid-drugs-only.json');
    changed.json.id = first.json.id;
    (changed.json.entry![0]!.resource as MessageHeader).id = first.headerId;
    const res = await post(changed.json, auth).expect(200);
    const header = responseHeader(res.body);
    assert.equal(header.response?.code, 'fatal-error');
    const outcome = res.body.entry.find((e: { fullUrl: string }) => e.fullUrl === header.response?.details?.reference)
      ?.resource as OperationOutcome;
    assert.equal(outcome.issue[0]?.code, 'conflict');
    assert.equal(focusOf(res.body), undefined, 'not the first response');
    assert.notDeepEqual(res.body, a.body);
  });

  test("a pharmacist sending a dispense-record with a prescriber's ids never gets the prescriber's response", async () => {
    const first = message('valid-drugs-only.json');
    const a = await post(first.json, await prescriberBearer(first.prescriberRpps)).expect(200);
    const numberA = focusOf(a.body)?.groupIdentifier?.value;
    const dispense = {
      resourceType: 'Bundle',
      id: first.json.id,
      type: 'message',
      entry: [
        {
          fullUrl: `urn:uuid:${randomUUID()}`,
          resource: {
            resourceType: 'MessageHeader',
            id: first.headerId,
            eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: MESSAGE_EVENTS.dispenseRecord },
            source: { endpoint: 'urn:example:pharmacy' },
          },
        },
      ],
    };
    const pharmacist = await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: syntheticRpps() });
    const res = await post(dispense, pharmacist).expect(200);
    assert.notEqual(responseHeader(res.body).response?.code, 'ok');
    assert.ok(!JSON.stringify(res.body).includes(numberA!), "the prescriber's number is not disclosed");
  });

  test('the same Bundle.identifier and content under new ids is the same prescription (an idempotent resend)', async () => {
    const first = message('valid-drugs-only.json');
    const auth = await prescriberBearer(first.prescriberRpps);
    const a = await post(first.json, auth).expect(200);
    const resent = JSON.parse(JSON.stringify(first.json)) as Bundle<FhirResource>;
    resent.id = randomUUID();
    (resent.entry![0]!.resource as MessageHeader).id = randomUUID();
    const b = await post(resent, auth).expect(200);
    assert.equal(responseHeader(b.body).response?.code, 'ok', JSON.stringify(b.body));
    assert.equal(focusOf(b.body)?.groupIdentifier?.value, focusOf(a.body)?.groupIdentifier?.value);
    assert.equal(focusOf(b.body)?.id, focusOf(a.body)?.id);
  });

  test('a message and its resend are each audited with the prescription number', async () => {
    const refusedRpps = syntheticRpps();
    const bad = message('valid-drugs-only.json');
    const refused = signedBy(bad.json, bad.prescriberRpps, refusedRpps);
    // Signed by someone else than the sender: refused (403 on the REST route).
    const res = await post(refused, await prescriberBearer(syntheticRpps())).expect(200);
    assert.equal(responseHeader(res.body).response?.code, 'fatal-error');

    const good = message('valid-drugs-only.json');
    const goodRpps = syntheticRpps();
    const signed = signedBy(good.json, good.prescriberRpps, goodRpps);
    const auth = await prescriberBearer(goodRpps);
    const first = await post(signed, auth).expect(200);
    const number = focusOf(first.body)?.groupIdentifier?.value;
    await post(signed, auth).expect(200);
    const events = await auditOf(goodRpps);
    assert.equal(events.length, 2, 'the message and its resend');
    for (const e of events) {
      assert.equal(e.outcome, '0');
      assert.equal(numberIn(e), number, 'each record names the prescription number');
    }
  });

  test('the refusal itself is recorded with a failure outcome', async () => {
    const senderRpps = syntheticRpps();
    const sender = await prescriberBearer(senderRpps);
    const { json } = message('invalid-cip13-check-digit.json');
    const res = await post(json, sender).expect(200);
    assert.equal(responseHeader(res.body).response?.code, 'fatal-error');
    const events = await auditOf(senderRpps);
    assert.equal(events.length, 1);
    assert.notEqual(events[0]!.outcome, '0', 'a refused message is not a success');
    assert.match(events[0]!.outcomeDesc ?? '', /^HTTP 4\d\d/);
  });
});
