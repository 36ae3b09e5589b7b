/**
 * Recording dispenses through FHIR messaging: POST /fhir/$process-message with event
 * dispense-record, on the real HAPI. The records name their prescription with the extension
 * https://ordo-gateway.example.org/fhir/StructureDefinition/ordo-ext-prescription (identifier = the number).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, FhirResource, MessageHeader, OperationOutcome } from 'fhir/r4';
import {
  dispenseRecordMessage,
  example,
  lookUp,
  professional,
  startDispensingGateway,
  storeExample,
  summaryOf,
  TEST_NOW,
  type LineSummary,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';

let gw: TestGateway;
let pharmacist: Professional;

before(async () => {
  gw = await startDispensingGateway();
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await gw.close();
});

const dispenseMessage = (
  number: string | undefined,
  executions: Array<{ line: LineSummary; quantity: number }>,
  rpps = pharmacist.rpps,
): Bundle<FhirResource> => dispenseRecordMessage(number, executions, rpps, TEST_NOW);

const post = (body: unknown) =>
  request(gw.app)
    .post('/fhir/$process-message')
    .set('authorization', pharmacist.bearer)
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify(body));
const headerOf = (bundle: Bundle<FhirResource>) => bundle.entry![0]!.resource as MessageHeader;
const outcomeOf = (bundle: Bundle<FhirResource>) =>
  bundle.entry!.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource as OperationOutcome | undefined;

describe('dispense-record', () => {
  test('recorded, answered ok with the summary and the stored records; the same message again is not recorded twice', async () => {
    const { number } = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const message = dispenseMessage(number, [{ line: summary.lines[1]!, quantity: 2 }]);
    const res = await post(message);
    assert.equal(res.status, 200, res.text);
    const answer = JSON.parse(res.text) as Bundle<FhirResource>;
    const header = headerOf(answer);
    assert.equal(header.response?.code, 'ok', res.text);
    const focus = header.focus!.map((f) => answer.entry!.find((e) => e.fullUrl === f.reference)!.resource!);
    assert.deepEqual(
      focus.map((r) => r.resourceType),
      ['Parameters', 'MedicationDispense'],
    );
    assert.equal(
      summaryOf({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: focus[0]! }] }).lines[1]!.dispensed,
      2,
    );

    const replay = await post(message);
    assert.equal(replay.status, 200);
    assert.equal(headerOf(JSON.parse(replay.text) as Bundle<FhirResource>).response?.code, 'ok');
    assert.equal((await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!.dispensed, 2);
  });

  test('records that do not name their prescription: fatal-error with the FHIRPath of each', async () => {
    const { number } = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const res = await post(dispenseMessage(undefined, [{ line: summary.lines[1]!, quantity: 1 }]));
    const answer = JSON.parse(res.text) as Bundle<FhirResource>;
    assert.equal(headerOf(answer).response?.code, 'fatal-error');
    assert.deepEqual(outcomeOf(answer)!.issue[0]!.expression, ['Bundle.entry[2].resource.extension']);
  });

  test('the rules apply as on the REST door: too many boxes is refused with the reason, nothing recorded', async () => {
    const { number } = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const line = summary.lines[2]!; // 2 boxes, no renewal
    const answer = JSON.parse(
      (await post(dispenseMessage(number, [{ line, quantity: 3 }]))).text,
    ) as Bundle<FhirResource>;
    assert.equal(headerOf(answer).response?.code, 'fatal-error');
    assert.match(outcomeOf(answer)!.issue[0]!.diagnostics!, /3 boîtes recorded but only 2 remain/);
    assert.deepEqual(outcomeOf(answer)!.issue[0]!.expression, ['Bundle.entry[2].resource.quantity.value']);
    assert.equal((await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[2]!.dispensed, 0);
  });

  test('resource types outside the event are refused', async () => {
    const { number } = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const message = dispenseMessage(number, [{ line: summary.lines[1]!, quantity: 1 }]);
    message.entry!.push({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'Basic', code: { text: 'x' } },
    });
    const answer = JSON.parse((await post(message)).text) as Bundle<FhirResource>;
    assert.equal(headerOf(answer).response?.code, 'fatal-error');
    assert.match(outcomeOf(answer)!.issue[0]!.diagnostics!, /Basic is not allowed in a dispense-record message/);
  });
});
