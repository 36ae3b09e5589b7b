/**
 * The pure parts of the counter outcomes (README "Counter outcomes"): reading a line not
 * delivered, a dosage agreement and a correction; the dosage rule (D14); the correction rules
 * (A9, D15: who, the 24-hour window, what returns to the line); the correction transaction.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MedicationDispense, MedicationRequest, RequestGroup } from 'fhir/r4';
import { readRestSubmission } from '../../fhir/dispensing/read-submission';
import { buildCorrectionTransaction } from '../../fhir/dispensing/build-correction';
import type { StoredExecutionState } from '../../fhir/dispensing/read-state';
import { DISPENSE_STATUS_REASON_SYSTEMS, LOCAL_NOT_DONE_REASON_SYSTEM } from '../../fhir/dispensing/not-done-reasons';
import { ACT_CODE_SYSTEM, EXECUTION_EXTENSIONS, RPPS_SYSTEM } from '../../fhir/systems';
import { checkDosage, type DosageContext } from '../../rules/dispensing/dosage-rules';
import { checkCorrection, CORRECTION_WINDOW_HOURS } from '../../rules/dispensing/correction-rules';
import type { CorrectionTarget } from '../../rules/dispensing/correction-model';
import { checkExecution } from '../../rules/dispensing/execution-rules';
import type { LineState, PrescriptionState } from '../../rules/dispensing/model';
import { prescriptionStatusOf } from '../../rules/dispensing/status';

const NOW = new Date('2026-11-26T11:00:00Z');
const PRESCRIBER = '10001234567';
const line: LineState = {
  index: 0,
  reference: 'MedicationRequest/m1',
  requestType: 'MedicationRequest',
  kind: 'drug',
  unit: 'boîte',
  perDelivery: 2,
  renewals: 0,
  prescribed: 2,
  executed: 2,
  requestStatus: 'completed',
  validUntil: '2027-01-20',
  nonSubstitutable: false,
  productCodes: [],
};
const state: PrescriptionState = {
  number: 'N1',
  headerStatus: 'completed',
  authoredOn: '2026-11-20T10:00:00+01:00',
  lines: [line],
};

const declined = (reason?: object): MedicationDispense => ({
  resourceType: 'MedicationDispense',
  status: 'declined',
  ...(reason ? { statusReasonCodeableConcept: reason } : {}),
  medicationCodeableConcept: { text: 'x' },
  authorizingPrescription: [{ reference: 'MedicationRequest/m1' }],
});

describe('reading the outcomes', () => {
  test('a declined dispense is read as an item counting nothing; its reason is required and coded', () => {
    const read = readRestSubmission(
      declined({ coding: [{ system: DISPENSE_STATUS_REASON_SYSTEMS[1], code: 'outofstock' }] }),
    );
    assert.ok(read.ok);
    assert.equal(read.value.items[0]!.notDone, true);
    assert.equal(read.value.items[0]!.quantity, 0);

    const none = readRestSubmission(declined());
    assert.ok(!none.ok);
    assert.equal(none.problems[0]!.rule, 'D13');
    assert.equal(none.problems[0]!.path, 'MedicationDispense.statusReasonCodeableConcept');

    for (const coding of [
      { system: DISPENSE_STATUS_REASON_SYSTEMS[0], code: 'patient-refused' }, // not an HL7 code
      { system: 'http://snomed.info/sct', code: '183944003' }, // SNOMED is for acts
      { system: LOCAL_NOT_DONE_REASON_SYSTEM, code: 'constructor' },
    ]) {
      const wrong = readRestSubmission(declined({ coding: [coding] }));
      assert.ok(!wrong.ok, JSON.stringify(coding));
      assert.equal(wrong.problems[0]!.rule, 'D13');
    }
  });

  test('a Procedure not-done reads with a SNOMED CT or a gateway reason; a SupplyDelivery abandoned is refused', () => {
    const procedure = {
      resourceType: 'Procedure' as const,
      status: 'not-done' as const,
      subject: { display: 'x' },
      basedOn: [{ reference: 'ServiceRequest/s1' }],
    };
    assert.ok(
      readRestSubmission({
        ...procedure,
        statusReason: { coding: [{ system: 'http://snomed.info/sct', code: '183944003' }] },
      }).ok,
    );
    assert.ok(
      readRestSubmission({
        ...procedure,
        statusReason: { coding: [{ system: LOCAL_NOT_DONE_REASON_SYSTEM, code: 'patient-refused' }] },
      }).ok,
    );
    const abandoned = readRestSubmission({
      resourceType: 'SupplyDelivery',
      status: 'abandoned',
      suppliedItem: { quantity: { value: 1 } },
      occurrenceDateTime: '2026-11-26',
      extension: [{ url: EXECUTION_EXTENSIONS.fulfils, valueReference: { reference: 'DeviceRequest/d1' } }],
    });
    assert.ok(!abandoned.ok);
    assert.match(abandoned.problems[0]!.message, /no reason element/);
  });

  test('a correction names its record by id or identifier, and comes alone', () => {
    const byId = readRestSubmission({ resourceType: 'MedicationDispense', id: '12', status: 'entered-in-error' });
    assert.ok(byId.ok);
    assert.deepEqual(byId.value.corrections, [
      { at: 'MedicationDispense', recordType: 'MedicationDispense', id: '12', identifiers: [] },
    ]);
    assert.equal(byId.value.records.length, 0);
    const anonymous = readRestSubmission({ resourceType: 'MedicationDispense', status: 'entered-in-error' });
    assert.ok(!anonymous.ok);
    assert.equal(anonymous.problems[0]!.rule, 'D15');
    const mixed = readRestSubmission({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'MedicationDispense', id: '12', status: 'entered-in-error' } },
        {
          resource: {
            resourceType: 'MedicationDispense',
            status: 'completed',
            medicationCodeableConcept: { text: 'x' },
            quantity: { value: 1 },
            whenHandedOver: '2026-11-26',
            authorizingPrescription: [{ reference: 'MedicationRequest/m1' }],
            type: { coding: [{ system: ACT_CODE_SYSTEM, code: 'FFP' }] },
          },
        },
      ],
    });
    assert.ok(!mixed.ok);
    assert.equal(mixed.problems[0]!.rule, 'D15');
  });

  test('a dosage agreement needs the prescriber RPPS and a date', () => {
    const read = readRestSubmission({
      ...declined(),
      status: 'completed',
      quantity: { value: 1 },
      whenHandedOver: '2026-11-26',
      dosageInstruction: [{ text: 'twice a day' }],
      extension: [
        {
          url: EXECUTION_EXTENSIONS.dosageAgreement,
          extension: [{ url: 'prescriber', valueIdentifier: { system: RPPS_SYSTEM, value: '12345678901' } }],
        },
      ],
    });
    assert.ok(!read.ok);
    assert.deepEqual(
      read.problems.map((p) => [p.rule, p.path]),
      [
        ['D14', 'MedicationDispense.extension[0].extension[0].valueIdentifier.value'],
        ['D14', 'MedicationDispense.extension[0].extension'],
      ],
    );
  });
});

describe('D14 dosage adapted', () => {
  const context: DosageContext = {
    prescribed: new Map([['MedicationRequest/m1', [{ sequence: 1, text: 'once a day' }]]]),
    prescribers: [PRESCRIBER],
    authoredOn: state.authoredOn,
    now: NOW,
  };
  const dosage = (text: string, agreement?: { rpps: string; on: string }) => ({
    instructions: [{ text }],
    at: 'x.dosageInstruction',
    agreementAt: 'x.extension',
    ...(agreement
      ? { agreement: { prescriberRpps: agreement.rpps, prescriberAt: 'p', agreedOn: agreement.on, agreedOnAt: 'd' } }
      : {}),
  });
  test('the prescribed dosage restated needs no agreement, another one does', () => {
    assert.deepEqual(checkDosage('MedicationRequest/m1', dosage('once a day'), context), []);
    assert.deepEqual(
      checkDosage('MedicationRequest/m1', dosage('twice a day'), context).map((p) => [p.rule, p.path]),
      [['D14', 'x.extension']],
    );
  });
  test('the agreement is the prescriber’s, given between the prescription date and now', () => {
    assert.deepEqual(
      checkDosage('MedicationRequest/m1', dosage('twice a day', { rpps: PRESCRIBER, on: '2026-11-25' }), context),
      [],
    );
    const wrong = [
      { rpps: '10009999999', on: '2026-11-25' },
      { rpps: PRESCRIBER, on: '2026-11-27' },
      { rpps: PRESCRIBER, on: '2026-11-19' },
    ];
    for (const agreement of wrong)
      assert.equal(
        checkDosage('MedicationRequest/m1', dosage('twice a day', agreement), context).length,
        1,
        JSON.stringify(agreement),
      );
  });
});

describe('declined items in the execution rules', () => {
  test('a declined item on an active line is accepted and counts nothing; on a completed prescription it is a conflict', () => {
    const active: PrescriptionState = {
      ...state,
      headerStatus: 'active',
      lines: [{ ...line, executed: 0, requestStatus: 'active' }],
    };
    const item = {
      recordType: 'MedicationDispense' as const,
      at: 'x',
      lineReference: 'MedicationRequest/m1',
      lineReferenceAt: 'x.a',
      quantity: 0,
      quantityAt: 'x',
      when: '',
      whenAt: 'x',
      notDone: true,
    };
    const performer = { rpps: '10001234567', profession: 'pharmacist' as const, source: 'token' as const };
    const ok = checkExecution(active, [item], performer, NOW);
    assert.ok(ok.ok);
    assert.equal(ok.executed.size, 0);
    const refused = checkExecution(state, [item], performer, NOW);
    assert.ok(!refused.ok);
    assert.equal(refused.kind, 'conflict');
  });
});

describe('A9 / D15 corrections', () => {
  const target = (overrides: Partial<CorrectionTarget> = {}): CorrectionTarget => ({
    reference: 'MedicationDispense/r1',
    recordType: 'MedicationDispense',
    at: 'MedicationDispense',
    lineReference: 'MedicationRequest/m1',
    quantity: 2,
    recordedAt: '2026-11-26T10:00:00Z',
    alreadyCorrected: false,
    recordedBy: { finess: '990000001' },
    ...overrides,
  });
  const corrector = { rpps: '10001234567', finess: '990000001' };

  test('the recording structure, within the window: the quantity returns to the line', () => {
    const decision = checkCorrection(state, [target()], corrector, NOW);
    assert.ok(decision.ok);
    assert.deepEqual([...decision.executed], [['MedicationRequest/m1', 0]]);
  });
  test('another structure: forbidden (A9); a record naming no structure: its professional only', () => {
    const other = checkCorrection(state, [target()], { rpps: corrector.rpps, finess: '990000002' }, NOW);
    assert.ok(!other.ok);
    assert.equal(other.kind, 'forbidden');
    assert.equal(other.problems[0]!.rule, 'A9');
    const byRpps = target({ recordedBy: { rpps: corrector.rpps } });
    assert.ok(checkCorrection(state, [byRpps], corrector, NOW).ok);
    assert.ok(!checkCorrection(state, [byRpps], { rpps: '10009999999', finess: '990000001' }, NOW).ok);
  });
  test(`the window is ${CORRECTION_WINDOW_HOURS} hours after the record was stored, inclusive`, () => {
    const recorded = Date.parse('2026-11-26T10:00:00Z');
    const at = (hours: number) => new Date(recorded + hours * 3_600_000);
    assert.ok(checkCorrection(state, [target()], corrector, at(CORRECTION_WINDOW_HOURS)).ok);
    const late = checkCorrection(state, [target()], corrector, at(CORRECTION_WINDOW_HOURS + 0.01));
    assert.ok(!late.ok);
    assert.equal(late.kind, 'conflict');
    assert.equal(late.problems[0]!.rule, 'D15');
  });
  test('a record already corrected is left out (idempotent); a declined one gives nothing back', () => {
    const already = checkCorrection(state, [target({ alreadyCorrected: true })], corrector, NOW);
    assert.ok(already.ok);
    assert.deepEqual(already.toCorrect, []);
    const declinedRecord = checkCorrection(state, [target({ quantity: 0 })], corrector, NOW);
    assert.ok(declinedRecord.ok);
    assert.equal(declinedRecord.toCorrect.length, 1);
    assert.equal(declinedRecord.executed.size, 0);
  });

  test('the transaction: record entered-in-error, line and header active again, every entry with If-Match', () => {
    const request: MedicationRequest & { id: string } = {
      resourceType: 'MedicationRequest',
      id: 'm1',
      status: 'completed',
      intent: 'order',
      subject: { reference: 'Patient/p1' },
    };
    const header: RequestGroup & { id: string } = {
      resourceType: 'RequestGroup',
      id: 'g1',
      status: 'completed',
      intent: 'order',
      meta: { versionId: '3' },
    };
    const record: MedicationDispense = {
      resourceType: 'MedicationDispense',
      id: 'r1',
      meta: { versionId: '1', lastUpdated: '2026-11-26T10:00:00Z' },
      status: 'completed',
      medicationCodeableConcept: { text: 'x' },
      quantity: { value: 2 },
    };
    const stored: StoredExecutionState = {
      state,
      header,
      headerVersion: '3',
      requests: new Map([['MedicationRequest/m1', { resource: request, version: '5' }]]),
      patientReference: 'Patient/p1',
      records: [record],
    };
    const decision = checkCorrection(state, [target()], corrector, NOW);
    assert.ok(decision.ok);
    const tx = buildCorrectionTransaction(stored, decision.toCorrect, decision.executed);
    const entries = tx.bundle.entry!;
    assert.deepEqual(
      entries.map((e) => [e.request?.url, e.request?.ifMatch, (e.resource as { status?: string }).status]),
      [
        ['MedicationDispense/r1', 'W/"1"', 'entered-in-error'],
        ['MedicationRequest/m1', 'W/"5"', 'active'],
        ['RequestGroup/g1', 'W/"3"', 'active'],
      ],
    );
    const after: PrescriptionState = {
      ...state,
      headerStatus: 'active',
      lines: [{ ...line, executed: 0, requestStatus: 'active' }],
    };
    assert.equal(prescriptionStatusOf(after, '2026-11-26').qrDeactivated, false);
  });
});
