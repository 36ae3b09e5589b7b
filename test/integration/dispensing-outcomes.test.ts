/**
 * Counter outcomes on the real stack (HAPI, Redis): a line not dispensed with its reason, a dosage
 * adapted with the prescriber's agreement, a correction of a record entered by mistake — each
 * through POST /prescriptions/{number}/dispenses and through a dispense-record message, replays
 * included; a correction racing new dispenses on the line it frees; the stored records checked by
 * the Java FHIR validator (HAPI's FhirInstanceValidator with the gateway's conformance resources).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type {
  AuditEvent,
  Bundle,
  FhirResource,
  MedicationDispense,
  MedicationRequest,
  MessageHeader,
  OperationOutcome,
  Procedure,
  SupplyDelivery,
} from 'fhir/r4';
import { EXECUTION_EXTENSIONS, PRESCRIPTION_NUMBER_SYSTEM, RPPS_SYSTEM } from '../../fhir/systems';
import { DISPENSE_STATUS_REASON_SYSTEMS, LOCAL_NOT_DONE_REASON_SYSTEM } from '../../fhir/dispensing/not-done-reasons';
import { RULES_CODE_SYSTEM } from '../../domain/rule-codes';
import {
  collection,
  dispenseRecordMessage,
  example,
  lookUp,
  postDispenses,
  professional,
  recordsFor,
  resourcesOf,
  startDispensingGateway,
  storeExample,
  summaryOf,
  TEST_NOW,
  type LineSummary,
  type Professional,
  type StoredExample,
} from '../support/dispensing';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import { testFhirClient } from '../support/env';
import type { TestGateway } from '../support/gateway';
import { describeFindings, runFhirValidator } from '../support/fhir-validator';
import type { FhirClient } from '../../store/fhir-client';

let gw: TestGateway;
let gw2: TestGateway;
let audit: TestAuditWorker;
let fhir: FhirClient;
let pharmacy: Professional;
let otherPharmacy: Professional;
let nurse: Professional;
let thirdPharmacy: Professional;
/** Stored records of the flows, validated at the end. */
const toValidate: Array<{ name: string; reference: string }> = [];

before(async () => {
  [gw, gw2] = await Promise.all([startDispensingGateway(), startDispensingGateway()]);
  audit = startAuditWorker(gw);
  fhir = await testFhirClient();
  [pharmacy, otherPharmacy, thirdPharmacy, nurse] = await Promise.all([
    professional('pharmacist'),
    professional('pharmacist'),
    professional('pharmacist'),
    professional('nurse'),
  ]);
});
after(async () => {
  await audit?.close();
  await Promise.all([gw?.close(), gw2?.close()]);
});

// ---------------------------------------------------------------------------------------------
// Helpers

const reasonOf = (system: string, code: string) => ({ coding: [{ system, code }] });
const OUT_OF_STOCK = reasonOf(DISPENSE_STATUS_REASON_SYSTEMS[0], 'outofstock');
const PATIENT_REFUSED = reasonOf(LOCAL_NOT_DONE_REASON_SYSTEM, 'patient-refused');

function declinedDispense(line: LineSummary, number?: string): MedicationDispense {
  const [dispense] = recordsFor({ line, quantity: 1 }, number) as [MedicationDispense];
  const { quantity: _q, whenHandedOver: _w, type: _t, ...rest } = dispense;
  return { ...rest, status: 'declined', statusReasonCodeableConcept: OUT_OF_STOCK };
}

const single = (resource: FhirResource): Bundle<FhirResource> => ({
  resourceType: 'Bundle',
  type: 'collection',
  entry: [{ fullUrl: `urn:uuid:${randomUUID()}`, resource }],
});

/** A dispense-record message carrying the given records (their prescription named by extension). */
function message(records: FhirResource[], rpps: string): Bundle<FhirResource> {
  const base = dispenseRecordMessage(undefined, [], rpps, TEST_NOW);
  const performer = base.entry![1]!;
  for (const r of records)
    if (r.resourceType === 'MedicationDispense' && r.status !== 'entered-in-error')
      r.performer = [{ actor: { reference: performer.fullUrl! } }];
  return {
    ...base,
    entry: [...base.entry!, ...records.map((resource) => ({ fullUrl: `urn:uuid:${randomUUID()}`, resource }))],
  };
}

const numberExtension = (number: string) => ({
  url: EXECUTION_EXTENSIONS.prescription,
  valueReference: { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number } },
});

async function processMessage(app: TestGateway['app'], bearer: string, body: Bundle<FhirResource>) {
  const res = await request(app)
    .post('/fhir/$process-message')
    .set('authorization', bearer)
    .set('content-type', 'application/fhir+json')
    .send(JSON.stringify(body));
  assert.equal(res.status, 200, res.text);
  const answer = JSON.parse(res.text) as Bundle<FhirResource>;
  const header = answer.entry![0]!.resource as MessageHeader;
  const outcome = answer.entry!.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource as
    OperationOutcome | undefined;
  return { answer, code: header.response?.code, outcome };
}

const ruleCodes = (outcome: OperationOutcome | undefined): string[] =>
  (outcome?.issue ?? []).flatMap((i) =>
    (i.details?.coding ?? []).filter((c) => c.system === RULES_CODE_SYSTEM).map((c) => c.code!),
  );

/** The line parts the summary adds for outcomes: reasons not dispensed, records corrected. */
function outcomePartsOf(bundle: Bundle<FhirResource>, sequence: number) {
  const summary = resourcesOf(bundle, 'Parameters')[0]!;
  const line = summary.parameter!.filter((p) => p.name === 'line')[sequence - 1]!;
  return {
    notDispensed: line.part!.filter((p) => p.name === 'notDispensed').map((p) => p.valueCoding!.code),
    corrected: line.part!.find((p) => p.name === 'corrected')?.valueInteger ?? 0,
  };
}

const storedRecord = async <T extends FhirResource>(type: T['resourceType'], id: string): Promise<T> =>
  (await fhir.read<T>(type, id)).resource;

async function executedOf(reference: string): Promise<{ executed: number; status: string }> {
  const [type, id] = reference.split('/') as ['MedicationRequest', string];
  const request = await storedRecord<MedicationRequest>(type, id);
  return {
    executed: request.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.executedQuantity)?.valueInteger ?? 0,
    status: request.status,
  };
}

/** A correction of a stored record: the record named by id, status entered-in-error. */
const correctionOf = (record: { resourceType: string; id?: string }, number?: string): FhirResource =>
  ({
    resourceType: record.resourceType,
    id: record.id,
    status: 'entered-in-error',
    // R4 requires a Procedure's subject; a client sending the record back as answered has it.
    ...(record.resourceType === 'Procedure' ? { subject: { display: 'the patient of the prescription' } } : {}),
    ...(number ? { extension: [numberExtension(number)] } : {}),
  }) as FhirResource;

/** Dispenses everything that remains on every line (one record per line), by `who`. */
async function dispenseAll(app: TestGateway['app'], number: string, who: Professional) {
  const { summary } = await lookUp(app, number, who.bearer);
  const res = await postDispenses(
    app,
    number,
    who.bearer,
    collection(summary.lines.map((line) => ({ line, quantity: line.remaining! }))),
  );
  assert.equal(res.status, 201, res.text);
  return resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'MedicationDispense');
}

// ---------------------------------------------------------------------------------------------

describe('a line not dispensed, with its reason', () => {
  test('REST: a declined MedicationDispense is stored with its reason, consumes nothing, the line stays dispensable; a replay is answered 200', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const declined = declinedDispense(summary.lines[1]!);
    const res = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(declined));
    assert.equal(res.status, 201, res.text);
    const answer = JSON.parse(res.text) as Bundle<FhirResource>;
    const record = resourcesOf(answer, 'MedicationDispense')[0]!;
    assert.equal(record.status, 'declined');
    assert.deepEqual(outcomePartsOf(answer, 2).notDispensed, ['outofstock']);
    toValidate.push({ name: 'declined dispense', reference: `MedicationDispense/${record.id}` });

    const after = await lookUp(gw.app, stored.number, pharmacy.bearer);
    assert.equal(after.summary.lines[1]!.dispensed, 0);
    assert.equal(after.summary.lines[1]!.status, 'active');
    assert.equal(after.summary.qrCodeDeactivated, false);
    assert.equal((await executedOf(summary.lines[1]!.requestKey)).executed, 0);

    // The prescriber sees it, with its reason (the patient did not object in this example).
    const view = await request(gw.app)
      .get(`/prescriptions/${stored.number}/dispenses`)
      .set('authorization', stored.prescriber);
    assert.equal(view.status, 200, view.text);
    const viewBundle = JSON.parse(view.text) as Bundle<FhirResource>;
    assert.deepEqual(outcomePartsOf(viewBundle, 2).notDispensed, ['outofstock']);
    assert.equal(
      resourcesOf(viewBundle, 'MedicationDispense')[0]!.statusReasonCodeableConcept?.coding?.[0]?.code,
      'outofstock',
    );

    // The same record again (same identifier): not stored twice.
    const replay = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(declined));
    assert.equal(replay.status, 200, replay.text);
    assert.equal(resourcesOf(JSON.parse(replay.text) as Bundle<FhirResource>, 'MedicationDispense')[0]!.id, record.id);
    const recordsNow = resourcesOf((await lookUp(gw.app, stored.number, pharmacy.bearer)).bundle, 'MedicationDispense');
    assert.equal(recordsNow.length, 1);

    // And the line can still be dispensed.
    const later = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      collection([{ line: summary.lines[1]!, quantity: 1 }]),
    );
    assert.equal(later.status, 201, later.text);
  });

  test('REST: a declined record without a reason, or with a reason outside the accepted systems, is refused (422, D13); a device cannot be declined', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-mixed-drugs-device-nursing.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const drug = summary.lines.find((l) => l.kind === 'drug')!;
    const { statusReasonCodeableConcept: _r, ...withoutReason } = declinedDispense(drug);
    const none = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single(withoutReason as MedicationDispense),
    );
    assert.equal(none.status, 422, none.text);
    const noneOutcome = JSON.parse(none.text) as OperationOutcome;
    assert.deepEqual(ruleCodes(noneOutcome), ['D13']);
    assert.deepEqual(noneOutcome.issue[0]!.expression, ['Bundle.entry[0].resource.statusReasonCodeableConcept']);
    const unknown = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single({ ...declinedDispense(drug), statusReasonCodeableConcept: reasonOf('urn:example:other', 'x') }),
    );
    assert.equal(unknown.status, 422, unknown.text);
    assert.deepEqual(ruleCodes(JSON.parse(unknown.text) as OperationOutcome), ['D13']);

    const device = summary.lines.find((l) => l.kind === 'device')!;
    const [delivery] = recordsFor({ line: device, quantity: 1 }) as [SupplyDelivery];
    const abandoned = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single({ ...delivery, status: 'abandoned' }),
    );
    assert.equal(abandoned.status, 422, abandoned.text);
    assert.match(JSON.parse(abandoned.text).issue[0].diagnostics, /R4 SupplyDelivery has no reason element/);
    assert.equal(
      resourcesOf((await lookUp(gw.app, stored.number, pharmacy.bearer)).bundle, 'MedicationDispense').length,
      0,
    );
  });

  test('REST: a nursing act not done (Procedure not-done, refused by the patient) consumes no session', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-mixed-drugs-device-nursing.json'));
    const { summary } = await lookUp(gw.app, stored.number, nurse.bearer);
    const act = summary.lines.find((l) => l.kind === 'acteInfirmier')!;
    const [session] = recordsFor({ line: act, quantity: 1 }) as [Procedure];
    const { performedDateTime: _p, ...notDone } = session;
    const res = await postDispenses(
      gw.app,
      stored.number,
      nurse.bearer,
      single({ ...notDone, status: 'not-done', statusReason: PATIENT_REFUSED }),
    );
    assert.equal(res.status, 201, res.text);
    const answer = JSON.parse(res.text) as Bundle<FhirResource>;
    const procedure = resourcesOf(answer, 'Procedure')[0]!;
    assert.equal(procedure.status, 'not-done');
    assert.deepEqual(outcomePartsOf(answer, act.sequence).notDispensed, ['patient-refused']);
    toValidate.push({ name: 'procedure not done', reference: `Procedure/${procedure.id}` });
    const after = await lookUp(gw.app, stored.number, nurse.bearer);
    assert.equal(after.summary.lines[act.sequence - 1]!.dispensed, 0);
    assert.equal(after.summary.lines[act.sequence - 1]!.remaining, act.prescribed);
  });

  test('messaging: a declined record in a dispense-record message is stored; the same message again is answered the same, nothing twice', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const declined = declinedDispense(summary.lines[0]!, stored.number);
    declined.statusReasonCodeableConcept = reasonOf(LOCAL_NOT_DONE_REASON_SYSTEM, 'suspected-forgery');
    const sent = message([declined], pharmacy.rpps);
    const first = await processMessage(gw.app, pharmacy.bearer, sent);
    assert.equal(first.code, 'ok', JSON.stringify(first.outcome));
    const again = await processMessage(gw.app, pharmacy.bearer, sent);
    assert.equal(again.code, 'ok');
    // A new message (new ids) with the same record: matched by its identifier, not stored again.
    const resent = await processMessage(
      gw.app,
      pharmacy.bearer,
      message(
        [declinedDispense(summary.lines[0]!, stored.number)].map((r) => ({ ...r, identifier: declined.identifier })),
        pharmacy.rpps,
      ),
    );
    assert.equal(resent.code, 'ok', JSON.stringify(resent.outcome));
    const { bundle } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    assert.equal(resourcesOf(bundle, 'MedicationDispense').length, 1);
    assert.deepEqual(outcomePartsOf(bundle, 1).notDispensed, ['suspected-forgery']);
    assert.equal(summaryOf(bundle).lines[0]!.dispensed, 0);
  });
});

describe('a dosage adapted with the prescriber agreement', () => {
  const adapted = [
    { text: '1 comprimé matin et soir', timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' as const } } },
  ];
  const agreement = (rpps: string, when = '2026-11-26T09:30:00+01:00') => ({
    url: EXECUTION_EXTENSIONS.dosageAgreement,
    extension: [
      { url: 'prescriber', valueIdentifier: { system: RPPS_SYSTEM, value: rpps } },
      { url: 'agreedOn', valueDateTime: when },
    ],
  });
  const withDosage = (line: LineSummary, ext?: object, number?: string): MedicationDispense => {
    const [dispense] = recordsFor({ line, quantity: 1 }, number) as [MedicationDispense];
    return {
      ...dispense,
      dosageInstruction: adapted,
      ...(ext ? { extension: [...(dispense.extension ?? []), ext as never] } : {}),
    };
  };

  test('REST: another dosage without an agreement, or agreed by someone else than the prescriber, is refused (422, D14); with the prescriber agreement it is stored', async () => {
    const stored: StoredExample = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const line = summary.lines[1]!;
    const missing = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(withDosage(line)));
    assert.equal(missing.status, 422, missing.text);
    const missingOutcome = JSON.parse(missing.text) as OperationOutcome;
    assert.deepEqual(ruleCodes(missingOutcome), ['D14']);
    assert.deepEqual(missingOutcome.issue[0]!.expression, ['Bundle.entry[0].resource.extension']);

    const stranger = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single(withDosage(line, agreement(pharmacy.rpps))),
    );
    assert.equal(stranger.status, 422, stranger.text);
    assert.match(JSON.parse(stranger.text).issue[0].diagnostics, /is not the prescriber of this prescription/);

    const future = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single(withDosage(line, agreement(stored.prescriberRpps, '2026-11-27T10:00:00+01:00'))),
    );
    assert.equal(future.status, 422, future.text);
    assert.equal((await executedOf(line.requestKey)).executed, 0, 'nothing recorded by the refusals');

    const agreed = withDosage(line, agreement(stored.prescriberRpps));
    const ok = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(agreed));
    assert.equal(ok.status, 201, ok.text);
    const record = resourcesOf(JSON.parse(ok.text) as Bundle<FhirResource>, 'MedicationDispense')[0]!;
    const kept = await storedRecord<MedicationDispense>('MedicationDispense', record.id!);
    assert.equal(kept.dosageInstruction?.[0]?.text, '1 comprimé matin et soir');
    const ext = kept.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.dosageAgreement);
    assert.equal(ext?.extension?.find((e) => e.url === 'prescriber')?.valueIdentifier?.value, stored.prescriberRpps);
    toValidate.push({ name: 'dosage adapted', reference: `MedicationDispense/${record.id}` });
    assert.equal((await executedOf(line.requestKey)).executed, 1);

    const replay = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(agreed));
    assert.equal(replay.status, 200, replay.text);
    assert.equal((await executedOf(line.requestKey)).executed, 1);

    // The prescribed dosage restated needs no agreement.
    const prescribed = (await storedRecord<MedicationRequest>('MedicationRequest', line.requestKey.split('/')[1]!))
      .dosageInstruction;
    const [same] = recordsFor({ line, quantity: 1 }) as [MedicationDispense];
    const restated = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single({ ...same, dosageInstruction: prescribed! }),
    );
    assert.equal(restated.status, 201, restated.text);
  });

  test('messaging: the same agreement in a dispense-record message; a replay records nothing more', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const line = summary.lines[1]!;
    const refused = await processMessage(
      gw.app,
      pharmacy.bearer,
      message([withDosage(line, undefined, stored.number)], pharmacy.rpps),
    );
    assert.equal(refused.code, 'fatal-error');
    assert.deepEqual(ruleCodes(refused.outcome), ['D14']);
    const sent = message([withDosage(line, agreement(stored.prescriberRpps), stored.number)], pharmacy.rpps);
    const ok = await processMessage(gw.app, pharmacy.bearer, sent);
    assert.equal(ok.code, 'ok', JSON.stringify(ok.outcome));
    const again = await processMessage(gw.app, pharmacy.bearer, sent);
    assert.equal(again.code, 'ok');
    assert.equal((await executedOf(line.requestKey)).executed, 1);
  });
});

describe('a correction of a record entered by mistake', () => {
  test('REST: only the recording structure, within 24 hours; the quantity returns, the QR code is reactivated, the prescriber and the audit trail see it; a replay is idempotent', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const records = await dispenseAll(gw.app, stored.number, pharmacy);
    const before = await lookUp(gw.app, stored.number, pharmacy.bearer);
    assert.equal(before.summary.status, 'completed');
    assert.equal(before.summary.qrCodeDeactivated, true);
    const target = records[2]!; // line 3: 2 boxes
    const line = before.summary.lines[2]!;

    const stranger = await postDispenses(gw.app, stored.number, otherPharmacy.bearer, single(correctionOf(target)));
    assert.equal(stranger.status, 403, stranger.text);
    assert.deepEqual(ruleCodes(JSON.parse(stranger.text) as OperationOutcome), ['A9']);

    const unknown = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      single(correctionOf({ resourceType: 'MedicationDispense', id: '999999999' })),
    );
    assert.equal(unknown.status, 404, unknown.text);

    const mixed = await postDispenses(gw.app, stored.number, pharmacy.bearer, {
      ...single(correctionOf(target)),
      entry: [...single(correctionOf(target)).entry!, ...collection([{ line, quantity: 1 }]).entry!],
    });
    assert.equal(mixed.status, 422, mixed.text);
    assert.deepEqual(ruleCodes(JSON.parse(mixed.text) as OperationOutcome), ['D15']);

    const res = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(correctionOf(target)));
    assert.equal(res.status, 201, res.text);
    const answer = JSON.parse(res.text) as Bundle<FhirResource>;
    assert.equal(resourcesOf(answer, 'MedicationDispense')[0]!.status, 'entered-in-error');
    assert.equal(summaryOf(answer).qrCodeDeactivated, false);
    toValidate.push({ name: 'corrected dispense', reference: `MedicationDispense/${target.id}` });

    const after = await lookUp(gw.app, stored.number, pharmacy.bearer);
    assert.equal(after.summary.status, 'active');
    assert.equal(after.summary.qrCodeDeactivated, false);
    assert.equal(after.summary.lines[2]!.dispensed, 0);
    assert.equal(after.summary.lines[2]!.status, 'active');
    assert.deepEqual(await executedOf(line.requestKey), { executed: 0, status: 'active' });
    assert.equal(resourcesOf(after.bundle, 'RequestGroup')[0]!.status, 'active');
    assert.equal((await storedRecord<MedicationDispense>('MedicationDispense', target.id!)).status, 'entered-in-error');

    // The same correction again: answered with the record as it stands, nothing changed.
    const replay = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(correctionOf(target)));
    assert.equal(replay.status, 200, replay.text);
    assert.equal((await executedOf(line.requestKey)).executed, 0);

    // The prescriber's view shows the corrected record and the count.
    const view = await request(gw.app)
      .get(`/prescriptions/${stored.number}/dispenses`)
      .set('authorization', stored.prescriber);
    const viewBundle = JSON.parse(view.text) as Bundle<FhirResource>;
    assert.equal(outcomePartsOf(viewBundle, 3).corrected, 1);
    assert.equal(
      resourcesOf(viewBundle, 'MedicationDispense').find((r) => r.id === target.id)?.status,
      'entered-in-error',
    );

    // The audit trail records the correction as an update, dispense.correct.
    await audit.drain();
    const events = await fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${stored.number}`,
      _count: '100',
    });
    const corrections = (events.entry ?? [])
      .map((e) => e.resource!)
      .filter((e) => e.subtype?.some((s) => s.code === 'dispense.correct'));
    assert.ok(corrections.length >= 1, 'an AuditEvent dispense.correct');
    assert.ok(corrections.every((e) => e.action === 'U'));
    assert.ok(corrections.some((e) => e.outcome === '0'));
  });

  test('REST: a device delivery and a nursing session are corrected too (the structure of a Procedure read when the search did not bring it)', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-mixed-drugs-device-nursing.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const device = summary.lines.find((l) => l.kind === 'device' && l.prescribed === 2)!;
    const act = summary.lines.find((l) => l.kind === 'acteInfirmier' && l.prescribed > 1)!;

    const delivered = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      collection([{ line: device, quantity: 2 }]),
    );
    assert.equal(delivered.status, 201, delivered.text);
    const delivery = resourcesOf(JSON.parse(delivered.text) as Bundle<FhirResource>, 'SupplyDelivery')[0]!;
    // A SupplyDelivery names no structure: only its professional corrects it, not a colleague of another pharmacy.
    const colleague = await postDispenses(gw.app, stored.number, otherPharmacy.bearer, single(correctionOf(delivery)));
    assert.equal(colleague.status, 403, colleague.text);
    const deliveryFixed = await postDispenses(gw.app, stored.number, pharmacy.bearer, single(correctionOf(delivery)));
    assert.equal(deliveryFixed.status, 201, deliveryFixed.text);
    assert.equal((await executedOf(device.requestKey)).executed, 0);
    toValidate.push({ name: 'corrected delivery', reference: `SupplyDelivery/${delivery.id}` });

    const done = await postDispenses(gw.app, stored.number, nurse.bearer, collection([{ line: act, quantity: 2 }]));
    assert.equal(done.status, 201, done.text);
    const sessions = resourcesOf(JSON.parse(done.text) as Bundle<FhirResource>, 'Procedure');
    assert.equal(sessions.length, 2);
    const otherNurse = await professional('nurse');
    const foreign = await postDispenses(gw.app, stored.number, otherNurse.bearer, single(correctionOf(sessions[0]!)));
    assert.equal(foreign.status, 403, foreign.text);
    const sessionFixed = await postDispenses(gw.app, stored.number, nurse.bearer, single(correctionOf(sessions[0]!)));
    assert.equal(sessionFixed.status, 201, sessionFixed.text);
    const after = await lookUp(gw.app, stored.number, nurse.bearer);
    assert.equal(after.summary.lines[act.sequence - 1]!.dispensed, 1);
    assert.equal(outcomePartsOf(after.bundle, act.sequence).corrected, 1);
    toValidate.push({ name: 'corrected session', reference: `Procedure/${sessions[0]!.id}` });
  });

  test('REST: a correction more than 24 hours after the record was stored is refused (409, D15)', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const res = await postDispenses(
      gw.app,
      stored.number,
      pharmacy.bearer,
      collection([{ line: summary.lines[0]!, quantity: 1 }]),
    );
    const record = resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'MedicationDispense')[0]!;
    const recordedAt = Date.parse(
      (await storedRecord<MedicationDispense>('MedicationDispense', record.id!)).meta!.lastUpdated!,
    );
    const later = await startDispensingGateway(() => new Date(recordedAt + 25 * 3_600_000));
    try {
      const late = await postDispenses(later.app, stored.number, pharmacy.bearer, single(correctionOf(record)));
      assert.equal(late.status, 409, late.text);
      const outcome = JSON.parse(late.text) as OperationOutcome;
      assert.deepEqual(ruleCodes(outcome), ['D15']);
      assert.match(outcome.issue[0]!.diagnostics!, /within 24 hours of being recorded/);
    } finally {
      await later.close();
    }
    assert.equal((await executedOf(summary.lines[0]!.requestKey)).executed, 1);
  });

  test('messaging: a record sent back with status entered-in-error, named by its identifier; resent, the answer is the same', async () => {
    const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
    const sent = message(recordsFor({ line: summary.lines[1]!, quantity: 2 }, stored.number), pharmacy.rpps);
    assert.equal((await processMessage(gw.app, pharmacy.bearer, sent)).code, 'ok');
    const original = sent.entry!.at(-1)!.resource as MedicationDispense;
    assert.equal((await executedOf(summary.lines[1]!.requestKey)).executed, 2);

    const correction = message(
      [
        {
          resourceType: 'MedicationDispense',
          identifier: original.identifier,
          status: 'entered-in-error',
          extension: [numberExtension(stored.number)],
        } as MedicationDispense,
      ],
      pharmacy.rpps,
    );
    const stranger = await processMessage(
      gw.app,
      otherPharmacy.bearer,
      message([...correction.entry!.slice(2).map((e) => e.resource!)], otherPharmacy.rpps),
    );
    assert.equal(stranger.code, 'fatal-error');
    assert.deepEqual(ruleCodes(stranger.outcome), ['A9']);

    const first = await processMessage(gw.app, pharmacy.bearer, correction);
    assert.equal(first.code, 'ok', JSON.stringify(first.outcome));
    const focus = (first.answer.entry![0]!.resource as MessageHeader).focus!.map(
      (f) => first.answer.entry!.find((e) => e.fullUrl === f.reference)!.resource!,
    );
    assert.equal(
      (focus.find((r) => r.resourceType === 'MedicationDispense') as MedicationDispense).status,
      'entered-in-error',
    );
    assert.equal((await executedOf(summary.lines[1]!.requestKey)).executed, 0);

    const again = await processMessage(gw.app, pharmacy.bearer, correction);
    assert.equal(again.code, 'ok');
    // A new message with the same correction: idempotent too.
    const anew = message([...correction.entry!.slice(2).map((e) => e.resource!)], pharmacy.rpps);
    assert.equal((await processMessage(gw.app, pharmacy.bearer, anew)).code, 'ok');
    assert.equal((await executedOf(summary.lines[1]!.requestKey)).executed, 0);
  });

  test('race: a correction freeing a box while two pharmacies dispense it, through two gateways — never more than prescribed, the totals match the records', async () => {
    const ROUNDS = 6;
    for (let round = 0; round < ROUNDS; round++) {
      const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
      const records = await dispenseAll(gw.app, stored.number, pharmacy);
      const { summary } = await lookUp(gw.app, stored.number, pharmacy.bearer);
      const line = summary.lines[2]!; // 2 boxes, fully dispensed by records[2]
      assert.equal(line.remaining, 0);
      // The correction frees both boxes of line 3; each other pharmacy wants both, and tries again on a 409
      // until an attempt started after the correction was answered: exactly one of them gets the boxes.
      let correctedAt: number | undefined;
      const dispenseUntilSettled = async (app: TestGateway['app'], who: Professional) => {
        for (;;) {
          const startedAfterCorrection = correctedAt !== undefined;
          const res = await postDispenses(app, stored.number, who.bearer, collection([{ line, quantity: 2 }]));
          if (res.status !== 409 || startedAfterCorrection) return res;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      const [correction, a, b] = await Promise.all([
        postDispenses(gw.app, stored.number, pharmacy.bearer, single(correctionOf(records[2]!))).then((res) => {
          correctedAt = Date.now();
          return res;
        }),
        dispenseUntilSettled(gw2.app, otherPharmacy),
        dispenseUntilSettled(gw.app, thirdPharmacy),
      ]);
      assert.equal(correction.status, 201, `round ${round}: ${correction.text}`);
      for (const r of [a, b]) assert.ok([201, 409].includes(r.status), `round ${round}: ${r.status} ${r.text}`);
      const won = [a, b].filter((r) => r.status === 201).length;
      assert.equal(won, 1, `round ${round}: ${won} pharmacies dispensed the 2 boxes freed`);
      const { executed } = await executedOf(line.requestKey);
      const { bundle } = await lookUp(gw.app, stored.number, pharmacy.bearer);
      const live = resourcesOf(bundle, 'MedicationDispense').filter(
        (r) => r.status === 'completed' && r.authorizingPrescription?.[0]?.reference === line.requestKey,
      );
      assert.equal(
        executed,
        live.reduce((sum, r) => sum + (r.quantity?.value ?? 0), 0),
        `round ${round}: total = records`,
      );
      assert.equal(executed, 2 * won, `round ${round}`);
      assert.ok(executed <= line.prescribed);
      assert.equal(summaryOf(bundle).qrCodeDeactivated, won === 1, `round ${round}: QR state follows the lines`);
    }
  });
});

test('the Java FHIR validator finds no error in the stored records of these flows', async () => {
  assert.ok(toValidate.length >= 4, toValidate.map((v) => v.name).join(', '));
  const resources = await Promise.all(
    toValidate.map(async ({ name, reference }) => {
      const [type, id] = reference.split('/') as [FhirResource['resourceType'], string];
      return {
        name,
        resource: (await fhir.read<FhirResource>(type, id)).resource as unknown as Record<string, unknown>,
      };
    }),
  );
  const served = await new Promise<string>((resolve, reject) => {
    const server = gw.app.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(`http://127.0.0.1:${address.port}`);
      else reject(new Error('no address'));
      after(() => server.close());
    });
  });
  const report = await runFhirValidator({
    options: { readReferences: false },
    conformance: { base: `${served}/fhir` },
    validate: resources,
  });
  assert.deepEqual(report.failures, []);
  const results = report.results.filter((r) => toValidate.some((v) => v.name === r.name));
  assert.equal(results.length, toValidate.length);
  assert.deepEqual(
    results.flatMap((r) => r.errors),
    [],
    describeFindings(results),
  );
});
