/**
 * The pure dispensing rules: quantities and renewals, line and prescription statuses, who may
 * execute what, dates, substitution, fill codes, cancellation plans, the patient's choice, the
 * hints for a mistyped number, and the checks of what a pharmacy sends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Consent } from 'fhir/r4';
import { checkCharacter, generatePrescriptionNumber } from '../../domain/prescription-number';
import { unknownNumberHint } from '../../domain/prescription-number-hints';
import { readRestSubmission } from '../../fhir/dispensing/read-submission';
import {
  CONSENT_TOPICS,
  CONSENT_TOPIC_SYSTEM,
  EXECUTION_EXTENSIONS,
  GATEWAY_PROFESSION_SYSTEM,
  PROFESSION_G15_SYSTEM,
  RPPS_SYSTEM,
} from '../../fhir/systems';
import type { Profession } from '../../domain/professions';
import { resolvePerformer } from '../../usecases/dispensing/record';
import { planCancellation } from '../../rules/dispensing/cancel-rules';
import { patientObjectsToDispensingView, readPatientChoice, withPatientChoice } from '../../fhir/dispensing/consent';
import {
  checkExecution,
  fillCodeOf,
  type ExecutionItem,
  type ExecutionPerformer,
} from '../../rules/dispensing/execution-rules';
import type { LineKind, LineState, PrescriptionState } from '../../rules/dispensing/model';
import { lineStatusOf, prescriptionStatusOf, remainingOf, renewalsLeftOf } from '../../rules/dispensing/status';
import { ProblemError } from '../../domain/problem';

const NOW = new Date('2026-11-26T11:00:00Z');
const TODAY = '2026-11-26';

function drug(overrides: Partial<LineState> = {}): LineState {
  const perDelivery = overrides.perDelivery ?? 2;
  const renewals = overrides.renewals ?? 1;
  return {
    index: 0,
    reference: 'MedicationRequest/m1',
    requestType: 'MedicationRequest',
    kind: 'drug',
    unit: 'boîte',
    perDelivery,
    renewals,
    prescribed: perDelivery * (1 + renewals),
    executed: 0,
    requestStatus: 'active',
    validUntil: '2027-01-20',
    nonSubstitutable: false,
    productCodes: [{ system: 'urn:oid:1.2.250.1.213.2.3.1', code: '61404477' }],
    ...overrides,
  };
}

const device = (overrides: Partial<LineState> = {}): LineState => ({
  index: 1,
  reference: 'DeviceRequest/d1',
  requestType: 'DeviceRequest',
  kind: 'device',
  unit: 'dispositif',
  perDelivery: 2,
  renewals: 0,
  prescribed: 2,
  executed: 0,
  requestStatus: 'active',
  nonSubstitutable: false,
  productCodes: [],
  ...overrides,
});

const act = (kind: LineKind, overrides: Partial<LineState> = {}): LineState => ({
  index: 2,
  reference: `ServiceRequest/${kind}`,
  requestType: 'ServiceRequest',
  kind,
  unit: 'séance',
  perDelivery: 3,
  renewals: 0,
  prescribed: 3,
  executed: 0,
  requestStatus: 'active',
  nonSubstitutable: false,
  productCodes: [],
  ...overrides,
});

const state = (lines: LineState[], headerStatus = 'active'): PrescriptionState => ({
  number: '2ESZ88JW5N3XZVW02S',
  headerStatus,
  authoredOn: '2026-10-20T16:05:00+02:00',
  lines: lines.map((l, index) => ({ ...l, index })),
});

const RECORD_OF = {
  MedicationRequest: 'MedicationDispense',
  DeviceRequest: 'SupplyDelivery',
  ServiceRequest: 'Procedure',
} as const;

function item(line: LineState, quantity = 1, overrides: Partial<ExecutionItem> = {}): ExecutionItem {
  return {
    recordType: RECORD_OF[line.requestType],
    at: 'Bundle.entry[0].resource',
    lineReference: line.reference,
    lineReferenceAt: 'Bundle.entry[0].resource.authorizingPrescription[0].reference',
    quantity,
    quantityAt: 'Bundle.entry[0].resource.quantity.value',
    when: '2026-11-26T10:00:00+01:00',
    whenAt: 'Bundle.entry[0].resource.whenHandedOver',
    ...overrides,
  };
}

const pharmacist: ExecutionPerformer = { rpps: '99900000110', profession: 'pharmacist', source: 'token' };
const declared = (profession?: Profession): ExecutionPerformer => ({
  rpps: '99900000110',
  ...(profession ? { profession } : {}),
  source: 'declared',
  professionAt: 'Bundle.entry[0].resource.qualification',
});

describe('quantities: drugs count quantity × (1 + renewals), renewals are used from the boxes dispensed', () => {
  test('2 boxes renewable once: 4 in all; renewals left after 0, 2, 3 and 4 boxes', () => {
    const line = drug();
    assert.equal(line.prescribed, 4);
    assert.equal(renewalsLeftOf({ ...line, executed: 0 }), 1);
    assert.equal(renewalsLeftOf({ ...line, executed: 2 }), 1, 'the initial delivery is not a renewal');
    assert.equal(renewalsLeftOf({ ...line, executed: 3 }), 0, 'a started renewal is used');
    assert.equal(renewalsLeftOf({ ...line, executed: 4 }), 0);
    assert.equal(remainingOf({ ...line, executed: 3 }), 1);
  });

  test('devices and acts have no renewals', () => {
    assert.equal(renewalsLeftOf(device({ executed: 1 })), 0);
    assert.equal(renewalsLeftOf(act('acteInfirmier')), 0);
  });
});

describe('line and prescription status', () => {
  test('active, completed, cancelled, expired', () => {
    assert.equal(lineStatusOf(drug(), TODAY).status, 'active');
    assert.equal(lineStatusOf(drug({ executed: 4 }), TODAY).status, 'completed');
    assert.equal(lineStatusOf(drug({ requestStatus: 'completed' }), TODAY).status, 'completed');
    assert.equal(lineStatusOf(drug({ requestStatus: 'revoked' }), TODAY).status, 'cancelled');
    assert.equal(
      lineStatusOf(drug({ requestStatus: 'cancelled' }), TODAY).status,
      'cancelled',
      'MedicationRequest has cancelled, not revoked',
    );
    assert.equal(lineStatusOf(drug({ requestStatus: 'stopped' }), TODAY).status, 'cancelled');
    const expired = lineStatusOf(drug({ validUntil: '2026-11-25' }), TODAY);
    assert.equal(expired.status, 'expired');
    assert.match(expired.reason!, /until 2026-11-25/);
    assert.equal(lineStatusOf(drug({ validUntil: TODAY }), TODAY).status, 'active', 'the last valid day is valid');
    assert.equal(lineStatusOf(device(), '2099-01-01').status, 'active', 'devices do not expire');
  });

  test('the prescription is active while one line is; its QR code is deactivated otherwise, with the reason', () => {
    const partly = prescriptionStatusOf(state([drug({ executed: 4 }), device()]), TODAY);
    assert.deepEqual([partly.status, partly.qrDeactivated], ['active', false]);
    const done = prescriptionStatusOf(state([drug({ executed: 4 }), device({ executed: 2 })]), TODAY);
    assert.deepEqual([done.status, done.qrDeactivated], ['completed', true]);
    assert.match(done.reason!, /fully dispensed/);
    const revoked = prescriptionStatusOf(state([drug()], 'revoked'), TODAY);
    assert.deepEqual([revoked.status, revoked.qrDeactivated], ['cancelled', true]);
    const mixedCancel = prescriptionStatusOf(
      state([drug({ executed: 4 }), device({ requestStatus: 'revoked' })]),
      TODAY,
    );
    assert.equal(mixedCancel.status, 'cancelled');
    const expired = prescriptionStatusOf(
      state([drug({ validUntil: '2026-11-01' }), drug({ reference: 'MedicationRequest/m2', executed: 4 })]),
      TODAY,
    );
    assert.deepEqual([expired.status, expired.qrDeactivated], ['expired', true]);
    assert.match(expired.reason!, /expired/);
  });
});

describe('checkExecution', () => {
  test('a deactivated prescription refuses everything with 409 and says why', () => {
    const decision = checkExecution(state([drug({ executed: 4 })]), [item(drug())], pharmacist, NOW);
    assert.equal(decision.ok, false);
    if (decision.ok) return;
    assert.equal(decision.kind, 'conflict');
    assert.match(decision.problems[0]!.message, /completed .*QR code is deactivated/);
  });

  test('partial deliveries accumulate up to what was prescribed, renewals included; one box more is a 409 naming what remains', () => {
    const line = drug({ executed: 3 });
    const ok = checkExecution(state([line]), [item(line, 1)], pharmacist, NOW);
    assert.ok(ok.ok);
    assert.equal(ok.executed.get(line.reference), 4);
    const over = checkExecution(state([line]), [item(line, 2)], pharmacist, NOW);
    assert.equal(over.ok, false);
    if (over.ok) return;
    assert.equal(over.kind, 'conflict');
    assert.equal(over.problems[0]!.path, 'Bundle.entry[0].resource.quantity.value');
    assert.match(
      over.problems[0]!.message,
      /2 boîtes recorded but only 1 remain \(4 boîtes prescribed: 2 per delivery × \(1 \+ 1 renewal\); 3 already/,
    );
  });

  test('items of one submission on the same line add up', () => {
    const line = drug();
    const split = checkExecution(state([line]), [item(line, 2), item(line, 2)], pharmacist, NOW);
    assert.ok(split.ok);
    assert.equal(split.executed.get(line.reference), 4);
    const tooMuch = checkExecution(state([line]), [item(line, 3), item(line, 2)], pharmacist, NOW);
    assert.equal(tooMuch.ok, false);
    if (!tooMuch.ok) assert.match(tooMuch.problems[0]!.message, /only 1 remain .*3 earlier in this submission/);
  });

  test('a line of another prescription, or the wrong record type, is a 422 naming the candidates', () => {
    const line = drug();
    const unknown = checkExecution(
      state([line]),
      [item(line, 1, { lineReference: 'MedicationRequest/other' })],
      pharmacist,
      NOW,
    );
    assert.equal(unknown.ok, false);
    if (!unknown.ok) {
      assert.equal(unknown.kind, 'invalid');
      assert.match(unknown.problems[0]!.message, /one of MedicationRequest\/m1/);
    }
    const wrongType = checkExecution(
      state([line, device()]),
      [item(line, 1, { lineReference: 'DeviceRequest/d1' })],
      pharmacist,
      NOW,
    );
    assert.equal(wrongType.ok, false);
    if (!wrongType.ok)
      assert.match(wrongType.problems[0]!.message, /executed with a SupplyDelivery, not a MedicationDispense/);
  });

  test('absolute and versioned references to a line are understood', () => {
    const line = drug();
    const decision = checkExecution(
      state([line]),
      [item(line, 1, { lineReference: 'http://fhir.example/fhir/MedicationRequest/m1/_history/3' })],
      pharmacist,
      NOW,
    );
    assert.ok(decision.ok);
  });

  describe('a declared profession (no access token) must match the line type', () => {
    const expectations: Array<[Profession, LineKind[]]> = [
      ['pharmacist', ['drug', 'device']],
      ['lpp-supplier', ['device']],
      ['nurse', ['acteInfirmier']],
      ['physiotherapist', ['acteKinesitherapie']],
      ['speech-therapist', ['acteOrthophonie']],
      ['orthoptist', ['acteOrthoptie']],
      ['podiatrist', ['actePedicurie']],
      ['biologist', ['acteBiologieMedicale']],
      ['doctor', []],
    ];
    const kinds: LineKind[] = [
      'drug',
      'device',
      'acteInfirmier',
      'acteKinesitherapie',
      'acteOrthophonie',
      'acteOrthoptie',
      'actePedicurie',
      'acteBiologieMedicale',
    ];
    const lineOf = (kind: LineKind): LineState => (kind === 'drug' ? drug() : kind === 'device' ? device() : act(kind));
    for (const [profession, allowed] of expectations) {
      test(`${profession}: ${allowed.join(', ') || 'nothing'}`, () => {
        for (const kind of kinds) {
          const line = lineOf(kind);
          const decision = checkExecution(state([line]), [item(line, 1)], declared(profession), NOW);
          if (allowed.includes(kind)) assert.ok(decision.ok, `${profession} on ${kind}`);
          else {
            assert.equal(decision.ok, false, `${profession} on ${kind}`);
            if (!decision.ok) {
              assert.equal(decision.kind, 'forbidden');
              assert.equal(decision.problems[0]!.path, 'Bundle.entry[0].resource.qualification');
            }
          }
        }
      });
    }
    test('no declared profession is a 422', () => {
      const decision = checkExecution(state([drug()]), [item(drug(), 1)], declared(), NOW);
      assert.equal(decision.ok, false);
      if (!decision.ok) assert.equal(decision.kind, 'invalid');
    });
    test('with a token the table is applied by the security layer, not twice', () => {
      const decision = checkExecution(state([act('acteInfirmier')]), [item(act('acteInfirmier'), 1)], pharmacist, NOW);
      assert.ok(decision.ok);
    });
  });

  test('dates: not in the future, not before the prescription, not after a drug line validity', () => {
    const line = drug();
    const cases: Array<[string, RegExp]> = [
      ['2026-11-26T12:00:00+00:00', /in the future/],
      ['2026-11-27', /in the future/],
      ['2026-10-19T10:00:00+02:00', /before the prescription date \(2026-10-20\)/],
    ];
    for (const [when, message] of cases) {
      const decision = checkExecution(state([line]), [item(line, 1, { when })], pharmacist, NOW);
      assert.equal(decision.ok, false, when);
      if (!decision.ok) {
        assert.equal(decision.kind, 'invalid');
        assert.equal(decision.problems[0]!.path, 'Bundle.entry[0].resource.whenHandedOver');
        assert.match(decision.problems[0]!.message, message);
      }
    }
    const late = drug({ validUntil: '2026-11-20' });
    const afterValidity = checkExecution(
      state([late, device()]),
      [item(late, 1, { when: '2026-11-21T10:00:00+01:00' })],
      pharmacist,
      new Date('2026-11-20T12:00:00Z'),
    );
    assert.equal(afterValidity.ok, false, 'a handover dated after the validity');
    assert.ok(
      checkExecution(state([drug()]), [item(drug(), 1, { when: '2026-11-26T11:04:00Z' })], pharmacist, NOW).ok,
      '5 minutes of clock tolerance',
    );
  });

  test('substitution: forbidden on a "non substituable" line; a different product must be declared', () => {
    const locked = drug({ nonSubstitutable: true });
    const substituted = checkExecution(
      state([locked]),
      [item(locked, 1, { wasSubstituted: { value: true, at: 'X.substitution.wasSubstituted' } })],
      pharmacist,
      NOW,
    );
    assert.equal(substituted.ok, false);
    if (!substituted.ok) {
      assert.equal(substituted.problems[0]!.path, 'X.substitution.wasSubstituted');
      assert.match(substituted.problems[0]!.message, /non substituable/);
    }
    const other = {
      codings: [{ system: 'urn:oid:1.2.250.1.213.2.3.1', code: '60000001' }],
      at: 'X.medicationCodeableConcept',
    };
    const undeclared = checkExecution(state([drug()]), [item(drug(), 1, { product: other })], pharmacist, NOW);
    assert.equal(undeclared.ok, false);
    if (!undeclared.ok) assert.match(undeclared.problems[0]!.message, /declare the substitution/);
    const declaredSubstitution = checkExecution(
      state([drug()]),
      [item(drug(), 1, { product: other, wasSubstituted: { value: true, at: 'X' } })],
      pharmacist,
      NOW,
    );
    assert.ok(declaredSubstitution.ok);
    const sameProduct = checkExecution(
      state([drug()]),
      [
        item(drug(), 1, {
          product: { codings: [{ system: 'urn:oid:1.2.250.1.213.2.3.1', code: '61404477' }], at: 'X' },
        }),
      ],
      pharmacist,
      NOW,
    );
    assert.ok(sameProduct.ok);
    const otherSystem = checkExecution(
      state([drug()]),
      [
        item(drug(), 1, {
          product: { codings: [{ system: 'urn:oid:1.2.250.1.213.2.3.2', code: '3400930000000' }], at: 'X' },
        }),
      ],
      pharmacist,
      NOW,
    );
    assert.ok(otherSystem.ok, 'a CIP13 cannot be compared with a prescribed CIS');
  });

  test('fill codes follow the line: first fill or refill, complete at a delivery boundary', () => {
    const line = drug({ perDelivery: 2, renewals: 2 });
    assert.equal(fillCodeOf(line, 0, 1), 'FFP');
    assert.equal(fillCodeOf(line, 1, 1), 'FFC');
    assert.equal(fillCodeOf(line, 0, 2), 'FFC');
    assert.equal(fillCodeOf(line, 2, 1), 'RFP');
    assert.equal(fillCodeOf(line, 2, 2), 'RFC');
    const decision = checkExecution(state([line]), [item(line, 1), item(line, 1), item(line, 2)], pharmacist, NOW);
    assert.ok(decision.ok);
    assert.deepEqual(
      decision.items.map((i) => i.fill),
      ['FFP', 'FFC', 'RFC'],
    );
  });
});

describe('cancellation plan', () => {
  test('undispensed lines are cancelled and the prescription revoked when nothing remains', () => {
    const plan = planCancellation(state([drug(), device({ executed: 2 })]), TODAY);
    assert.deepEqual(
      plan.cancel.map((l) => l.reference),
      ['MedicationRequest/m1'],
    );
    assert.equal(plan.revokePrescription, true);
    assert.equal(plan.alreadyCancelled, false);
  });

  test('a partly dispensed line cannot be cancelled: it stays dispensable, the prescription stays active, and the prescriber is told', () => {
    const plan = planCancellation(state([drug({ executed: 1 }), device()]), TODAY);
    assert.deepEqual(
      plan.cancel.map((l) => l.reference),
      ['DeviceRequest/d1'],
    );
    assert.equal(plan.revokePrescription, false);
    const warning = plan.report.find((p) => p.severity === 'warning')!;
    assert.match(
      warning.message,
      /partly dispensed or executed \(1 of 4 boîte\): a line already started cannot be cancelled/,
    );
  });

  test('nothing to cancel when everything was dispensed; a second cancellation is recognised', () => {
    assert.equal(planCancellation(state([drug({ executed: 4 })]), TODAY).cancel.length, 0);
    assert.equal(planCancellation(state([drug({ executed: 4 })]), TODAY).revokePrescription, false);
    const again = planCancellation(state([drug({ requestStatus: 'revoked' })], 'revoked'), TODAY);
    assert.equal(again.alreadyCancelled, true);
  });

  test('an expired line with nothing dispensed can be cancelled', () => {
    const plan = planCancellation(state([drug({ validUntil: '2026-01-01' })]), TODAY);
    assert.equal(plan.cancel.length, 1);
  });
});

describe("the patient's choice", () => {
  const consent: Consent = {
    resourceType: 'Consent',
    id: 'c1',
    meta: { versionId: '1', profile: ['p'] },
    status: 'active',
    scope: { text: 'x' },
    category: [{ text: 'y' }],
    dateTime: '2026-10-20',
    policyRule: { coding: [{ system: CONSENT_TOPIC_SYSTEM, code: CONSENT_TOPICS.dispensingView }] },
    provision: { type: 'permit', data: [{ meaning: 'related', reference: { reference: 'RequestGroup/1' } }] },
  };

  test('deny is an objection; no recorded permit is treated as one', () => {
    assert.equal(patientObjectsToDispensingView(consent), false);
    assert.equal(patientObjectsToDispensingView({ ...consent, provision: { type: 'deny' } }), true);
    assert.equal(patientObjectsToDispensingView(undefined), true);
  });

  test('a new choice keeps the link to the prescription and dates the statement', () => {
    const updated = withPatientChoice(consent, true, NOW);
    assert.equal(updated.provision?.type, 'deny');
    assert.equal(updated.dateTime, NOW.toISOString());
    assert.deepEqual(updated.provision?.data, consent.provision?.data);
    assert.deepEqual(updated.meta, { profile: ['p'] });
  });

  test('read from {"oppositionConsultationDelivrance": …}, {"oppositionAlimentationDMP": true} or a FHIR Consent', () => {
    const view = (objects: boolean) => ({ ok: true, value: { topic: 'consultation-delivrance', objects } });
    const dmp = { ok: true, value: { topic: 'alimentation-dmp', objects: true } };
    assert.deepEqual(readPatientChoice({ oppositionConsultationDelivrance: true }), view(true));
    assert.deepEqual(readPatientChoice({ oppositionConsultationDelivrance: false }), view(false));
    assert.deepEqual(readPatientChoice({ resourceType: 'Consent', provision: { type: 'deny' } }), view(true));
    assert.deepEqual(readPatientChoice({ oppositionAlimentationDMP: true }), dmp);
    const dmpConsent = (type: string) => ({
      resourceType: 'Consent',
      provision: { type },
      policyRule: { coding: [{ system: CONSENT_TOPIC_SYSTEM, code: 'alimentation-dmp' }] },
    });
    assert.deepEqual(readPatientChoice(dmpConsent('deny')), dmp);
    assert.equal(readPatientChoice({ oppositionConsultationDelivrance: 'yes' }).ok, false);
    assert.equal(readPatientChoice({ oppositionConsultationDelivrance: true, other: 1 }).ok, false);
    assert.equal(readPatientChoice({ resourceType: 'Consent' }).ok, false);
    assert.equal(readPatientChoice({}).ok, false);
    // One choice per request, and a withdrawal from the DMP is final.
    const both = readPatientChoice({ oppositionConsultationDelivrance: true, oppositionAlimentationDMP: true });
    assert.ok(!both.ok && both.problems[0]?.path === '/oppositionAlimentationDMP');
    const lifted = readPatientChoice({ oppositionAlimentationDMP: false });
    assert.ok(
      !lifted.ok && lifted.problems[0]?.path === '/oppositionAlimentationDMP' && lifted.problems[0].rule === 'D11',
    );
    const permit = readPatientChoice(dmpConsent('permit'));
    assert.ok(!permit.ok && permit.problems[0]?.path === 'Consent.provision.type');
    assert.equal(
      readPatientChoice({
        resourceType: 'Consent',
        provision: { type: 'deny' },
        policyRule: { coding: [{ system: CONSENT_TOPIC_SYSTEM, code: 'something-else' }] },
      }).ok,
      false,
    );
  });
});

describe('hints for a number that matched nothing', () => {
  const ours = generatePrescriptionNumber({
    issuedOn: NOW,
    issuer: 7,
    random: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
  });

  test('one wrong character or two swapped neighbours: the check character does not match', () => {
    const wrong = ours.slice(0, 5) + (ours[5] === '7' ? '8' : '7') + ours.slice(6);
    const swapIndex = [...ours].findIndex((c, i) => i < 16 && c !== ours[i + 1]);
    const swapped = ours.slice(0, swapIndex) + ours[swapIndex + 1] + ours[swapIndex] + ours.slice(swapIndex + 2);
    for (const typo of [wrong, swapped]) {
      const hint = unknownNumberHint(typo);
      assert.ok(hint, typo);
      assert.match(
        hint.message,
        /check character .* does not match .* one character is wrong or two neighbouring characters are swapped/,
      );
      assert.doesNotMatch(hint.message, /did you mean/i);
    }
  });

  test('O, I, L or U typed for 0, 1, 1, V are named', () => {
    const body = '0A1' + 'VV' + '0000000000V1';
    const number = body + checkCharacter(body);
    const typed = number.replace(/0/g, 'O').replace('1', 'I').replace(/V/, 'U');
    const hint = unknownNumberHint(typed);
    assert.ok(hint);
    assert.match(
      hint.message,
      /never contain the letters O, I, L or U: it looks like I for the digit 1 and O for the digit 0 and U for V was typed/,
    );
  });

  test('a number with a valid check character, or a vendor-looking one, gets no hint (a plain 404)', () => {
    assert.equal(unknownNumberHint(ours), undefined);
    assert.equal(unknownNumberHint('ABCDEFGHIJKLMNOPQR'), undefined);
  });
});

/** A well-formed record of one box handed over, for the submission tests to vary. */
const dispense = {
  resourceType: 'MedicationDispense',
  status: 'completed',
  medicationCodeableConcept: { text: 'x' },
  quantity: { value: 1 },
  whenHandedOver: '2026-11-26T10:00:00+01:00',
  authorizingPrescription: [{ reference: 'MedicationRequest/1' }],
};

describe('what a pharmacy sends (structure, FHIRPaths)', () => {
  test('not a FHIR resource: malformed (400)', () => {
    const read = readRestSubmission([1, 2]);
    assert.equal(read.ok, false);
    if (!read.ok) assert.equal(read.kind, 'malformed');
  });

  test('a single record is read; JSON-schema errors carry FHIRPaths', () => {
    const read = readRestSubmission(dispense);
    assert.ok(read.ok);
    assert.equal(read.value.items[0]!.quantityAt, 'MedicationDispense.quantity.value');
    const bad = readRestSubmission({ ...dispense, quantity: { value: 'one' } });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.problems[0]!.path, 'MedicationDispense.quantity.value');
  });

  test('required fields, whole quantities, completed status, substitution type and reason', () => {
    const read = readRestSubmission({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: {
            ...dispense,
            status: 'in-progress',
            quantity: { value: 1.5 },
            whenHandedOver: undefined,
            substitution: { wasSubstituted: true },
          },
        },
        { fullUrl: 'urn:uuid:2', resource: { resourceType: 'SupplyDelivery', status: 'completed' } },
        {
          fullUrl: 'urn:uuid:3',
          resource: { resourceType: 'Procedure', status: 'completed', subject: { display: 'p' } },
        },
      ],
    });
    assert.equal(read.ok, false);
    if (read.ok) return;
    const paths = read.problems.map((p) => p.path);
    assert.deepEqual(paths, [
      'Bundle.entry[0].resource.status',
      'Bundle.entry[0].resource.quantity.value',
      'Bundle.entry[0].resource.whenHandedOver',
      'Bundle.entry[0].resource.substitution.type',
      'Bundle.entry[0].resource.substitution.reason',
      'Bundle.entry[1].resource.suppliedItem.quantity.value',
      'Bundle.entry[1].resource.occurrenceDateTime',
      'Bundle.entry[1].resource.extension',
      'Bundle.entry[2].resource.basedOn',
      'Bundle.entry[2].resource.performedDateTime',
    ]);
  });

  test('references: only to the prescription, its patient and the submitted performer', () => {
    const read = readRestSubmission({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:1',
          resource: {
            ...dispense,
            location: { reference: 'Location/1' },
            performer: [{ actor: { reference: 'Practitioner/999' } }],
          },
        },
      ],
    });
    assert.equal(read.ok, false);
    if (!read.ok) {
      assert.deepEqual(read.problems.map((p) => p.path).sort(), [
        'Bundle.entry[0].resource.location.reference',
        'Bundle.entry[0].resource.performer[0].actor.reference',
      ]);
    }
  });

  test('the performer: RPPS checked, profession from our code system or TRE_G15', () => {
    const withPerformer = (identifier: unknown, qualification: unknown) =>
      readRestSubmission({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { fullUrl: 'urn:uuid:p', resource: { resourceType: 'Practitioner', identifier, qualification } },
          { fullUrl: 'urn:uuid:1', resource: { ...dispense, performer: [{ actor: { reference: 'urn:uuid:p' } }] } },
        ],
      });
    const g15 = withPerformer(
      [{ system: RPPS_SYSTEM, value: '99900000110' }],
      [{ code: { coding: [{ system: PROFESSION_G15_SYSTEM, code: '21' }] } }],
    );
    assert.ok(g15.ok);
    assert.equal(g15.value.practitioner?.profession, 'pharmacist');
    const ours = withPerformer(
      [{ system: RPPS_SYSTEM, value: '99900000110' }],
      [{ code: { coding: [{ system: GATEWAY_PROFESSION_SYSTEM, code: 'biologist' }] } }],
    );
    assert.ok(ours.ok);
    assert.equal(ours.value.practitioner?.profession, 'biologist');
    // A TRE_G15 code naming an inherited member of a plain object is an unknown code, not a profession.
    for (const code of ['constructor', '__proto__', 'toString']) {
      const inherited = withPerformer(
        [{ system: RPPS_SYSTEM, value: '99900000110' }],
        [{ code: { coding: [{ system: PROFESSION_G15_SYSTEM, code }] } }],
      );
      assert.ok(inherited.ok);
      assert.equal(inherited.value.practitioner?.profession, undefined, code);
    }
    const badRpps = withPerformer([{ system: RPPS_SYSTEM, value: '99900000111' }], []);
    assert.equal(badRpps.ok, false);
    if (!badRpps.ok) assert.equal(badRpps.problems[0]!.path, 'Bundle.entry[0].resource.identifier[0].value');
  });

  test('the prescription number the records name is read (normalised)', () => {
    const read = readRestSubmission({
      ...dispense,
      extension: [
        {
          url: EXECUTION_EXTENSIONS.prescription,
          valueReference: { identifier: { system: 'urn:oid:1.2.250.1.215.500.1.1', value: '2esz-88jw-5n3x-zvw0-2s' } },
        },
      ],
    });
    assert.ok(read.ok);
    assert.deepEqual(read.value.numbers, [
      { value: '2ESZ88JW5N3XZVW02S', at: 'MedicationDispense.extension[0].valueReference.identifier.value' },
    ]);
  });
});

describe('who performed: the token, else the declared Practitioner (usecases/dispensing/record.ts)', () => {
  const submission = (practitioner?: Record<string, unknown>) => {
    const read = readRestSubmission({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        ...(practitioner
          ? [{ fullUrl: 'urn:uuid:p', resource: { resourceType: 'Practitioner', ...practitioner } }]
          : []),
        { fullUrl: 'urn:uuid:d', resource: { ...dispense } },
      ],
    });
    assert.ok(read.ok);
    return read.value;
  };
  const nurse = {
    identifier: [{ system: RPPS_SYSTEM, value: '99900000110' }],
    qualification: [{ code: { coding: [{ system: GATEWAY_PROFESSION_SYSTEM, code: 'nurse' }] } }],
  };
  const principal = {
    nationalId: '899900000110',
    rpps: '99900000110',
    profession: 'pharmacist' as const,
    organization: { finess: '990000017' },
    role: 'dispenser' as const,
    subject: 's',
  };

  test('no token: the declared Practitioner and profession, with where the profession is', () => {
    const resolved = resolvePerformer(submission(nurse), undefined);
    assert.deepEqual(resolved.rules, {
      rpps: '99900000110',
      profession: 'nurse',
      source: 'declared',
      professionAt: 'Bundle.entry[0].resource.qualification[0].code.coding[0].code',
    });
    assert.throws(
      () => resolvePerformer(submission(), undefined),
      (e: unknown) => e instanceof ProblemError && e.kind === 'invalid',
    );
  });

  test('a token: its professional, its structure; a submission naming someone else is 403, another profession 422', () => {
    const resolved = resolvePerformer(submission(), principal);
    assert.deepEqual(resolved.rules, { rpps: '99900000110', profession: 'pharmacist', source: 'token' });
    assert.deepEqual(resolved.store.organization, { finess: '990000017' });
    assert.throws(
      () => resolvePerformer(submission({ identifier: [{ system: RPPS_SYSTEM, value: '99900000128' }] }), principal),
      (e: unknown) => e instanceof ProblemError && e.kind === 'forbidden',
    );
    assert.throws(
      () => resolvePerformer(submission(nurse), principal),
      (e: unknown) => e instanceof ProblemError && e.kind === 'invalid',
    );
  });
});

describe('every refusal names its rule (domain/rule-codes.ts: issue details.coding)', () => {
  const rulesOf = (decision: ReturnType<typeof checkExecution>): Array<string | undefined> =>
    decision.ok ? [] : decision.problems.map((p) => p.rule);

  test('execution: line (D3), performer (D2, A8), state (D7), quantity (D4), dates (D5, D6), substitution (D8)', () => {
    const line = drug();
    assert.deepEqual(rulesOf(checkExecution(state([line], 'revoked'), [item(line)], pharmacist, NOW)), ['D7']);
    assert.deepEqual(
      rulesOf(
        checkExecution(state([line]), [item(line, 1, { lineReference: 'MedicationRequest/x' })], pharmacist, NOW),
      ),
      ['D3'],
    );
    assert.deepEqual(rulesOf(checkExecution(state([line]), [item(line)], declared(), NOW)), ['D2']);
    assert.deepEqual(rulesOf(checkExecution(state([line]), [item(line)], declared('nurse'), NOW)), ['A8']);
    assert.deepEqual(
      rulesOf(checkExecution(state([line, device({ executed: 2 })]), [item(device({ executed: 2 }))], pharmacist, NOW)),
      ['D7'],
    );
    assert.deepEqual(rulesOf(checkExecution(state([line]), [item(line, 5)], pharmacist, NOW)), ['D4']);
    assert.deepEqual(rulesOf(checkExecution(state([line]), [item(line, 1, { when: '2026-11-27' })], pharmacist, NOW)), [
      'D5',
    ]);
    assert.deepEqual(rulesOf(checkExecution(state([line]), [item(line, 1, { when: '2026-10-01' })], pharmacist, NOW)), [
      'D5',
    ]);
    // Two minutes before midnight in Paris on the last valid day, a pharmacist's clock three minutes ahead.
    const lastDay = drug({ validUntil: '2026-11-26' });
    const late = item(lastDay, 1, { when: '2026-11-27T00:01:00+01:00' });
    assert.deepEqual(rulesOf(checkExecution(state([lastDay]), [late], pharmacist, new Date('2026-11-26T22:58:00Z'))), [
      'D6',
    ]);
    assert.deepEqual(
      rulesOf(checkExecution(state([drug({ validUntil: '2026-11-25' })]), [item(line)], pharmacist, NOW)),
      ['D7'],
    );
    const locked = drug({ nonSubstitutable: true });
    const substituted = item(locked, 1, { wasSubstituted: { value: true, at: 'x' } });
    assert.deepEqual(rulesOf(checkExecution(state([locked]), [substituted], pharmacist, NOW)), ['D8']);
  });

  test('cancellation (D10), the patient’s choice (D11), the submission (D1, D2, D8), a performer (D2), a typo (N4)', () => {
    const plan = planCancellation(state([drug(), device({ executed: 1 }), device({ executed: 2 })]), TODAY);
    assert.deepEqual([...new Set(plan.report.map((p) => p.rule))], ['D10']);
    const choice = readPatientChoice({ oppositionConsultationDelivrance: 'yes' });
    assert.ok(!choice.ok && choice.problems.every((p) => p.rule === 'D11'));
    const read = readRestSubmission({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:p',
          resource: { resourceType: 'Practitioner', identifier: [{ system: RPPS_SYSTEM, value: '12345678901' }] },
        },
        { fullUrl: 'urn:uuid:o', resource: { resourceType: 'Organization' } },
        {
          fullUrl: 'urn:uuid:d',
          resource: { ...dispense, status: 'in-progress', substitution: { wasSubstituted: true } },
        },
      ],
    });
    assert.ok(!read.ok);
    assert.deepEqual(
      read.problems.map((p) => [p.path, p.rule]),
      [
        ['Bundle.entry[0].resource.identifier[0].value', 'D2'],
        ['Bundle.entry[1].resource.identifier', 'D2'],
        ['Bundle.entry[2].resource.status', 'D1'],
        ['Bundle.entry[2].resource.substitution.type', 'D8'],
        ['Bundle.entry[2].resource.substitution.reason', 'D8'],
      ],
    );
    const notFhir = readRestSubmission([1]);
    assert.ok(!notFhir.ok && notFhir.problems.every((p) => p.rule === 'D1'));
    const schema = readRestSubmission({ ...dispense, quantity: { value: 'one' } });
    assert.ok(!schema.ok && schema.problems.every((p) => p.rule === 'V2'));
    assert.throws(
      () => resolvePerformer({ records: [], items: [], numbers: [] }, undefined),
      (e: unknown) => e instanceof ProblemError && e.problems.every((p) => p.rule === 'D2'),
    );
    const ours = generatePrescriptionNumber({ issuedOn: NOW, issuer: 1, random: new Uint8Array(8) });
    const mistyped = ours.slice(0, 17) + (ours[17] === '0' ? '1' : '0');
    assert.equal(unknownNumberHint(mistyped)?.rule, 'N4');
  });
});
