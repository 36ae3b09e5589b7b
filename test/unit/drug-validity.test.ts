/**
 * Validity per drug line and per delivery (domain/drug-validity.ts, rules/dispensing/validity-rules.ts):
 * each rule named by its article of the Code de la santé publique. Dates are Europe/Paris days; the
 * rules are pure, the clock is passed in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDuration,
  drugValidityOf,
  lastDeliveryDay,
  suppliedUntil,
  type Delivery,
  type DrugValidityInput,
} from '../../domain/drug-validity';
import type { MedicationDispense } from 'fhir/r4';
import type { Duration } from '../../domain/prescription';
import { deliveriesByRequest } from '../../fhir/dispensing/read-validity';
import { checkExecution, type ExecutionItem, type ExecutionPerformer } from '../../rules/dispensing/execution-rules';
import type { LineState, PrescriptionState } from '../../rules/dispensing/model';
import { lineStatusOf, prescriptionStatusOf } from '../../rules/dispensing/status';
import { checkDeliveryDate, nextDeliveryWindow } from '../../rules/dispensing/validity-rules';

const PRESCRIBED = '2026-10-14';
const MONTH: Duration = { value: 1, unit: 'mo' };

/** A drug line prescribed on PRESCRIBED: `perDelivery` boxes covering `duration`, renewable `renewals` times. */
function drugLine(
  options: {
    perDelivery?: number;
    renewals?: number;
    duration?: Duration | undefined;
    statedEnd?: string;
    executed?: number;
    deliveries?: Delivery[];
  } = {},
): LineState {
  const perDelivery = options.perDelivery ?? 1;
  const renewals = options.renewals ?? 5;
  const input: DrugValidityInput = {
    prescriptionDate: PRESCRIBED,
    renewals,
    perDeliveryDuration: 'duration' in options ? options.duration : MONTH,
    ...(options.statedEnd !== undefined ? { statedEnd: options.statedEnd } : {}),
  };
  const validity = drugValidityOf(input);
  return {
    index: 0,
    reference: 'MedicationRequest/m1',
    requestType: 'MedicationRequest',
    kind: 'drug',
    unit: 'boîte',
    perDelivery,
    renewals,
    prescribed: perDelivery * (1 + renewals),
    executed: options.executed ?? 0,
    requestStatus: 'active',
    validUntil: lastDeliveryDay(validity),
    validity,
    deliveries: options.deliveries ?? [],
    nonSubstitutable: false,
    productCodes: [],
  };
}

const state = (lines: LineState[]): PrescriptionState => ({
  number: 'TESTNUMBER',
  headerStatus: 'active',
  authoredOn: `${PRESCRIBED}T09:32:00+02:00`,
  lines,
});

const pharmacist: ExecutionPerformer = { rpps: '99900000110', profession: 'pharmacist', source: 'token' };

const item = (line: LineState, quantity: number, day: string): ExecutionItem => ({
  recordType: 'MedicationDispense',
  at: 'Bundle.entry[0].resource',
  lineReference: line.reference,
  lineReferenceAt: 'Bundle.entry[0].resource.authorizingPrescription[0].reference',
  quantity,
  quantityAt: 'Bundle.entry[0].resource.quantity.value',
  when: day,
  whenAt: 'Bundle.entry[0].resource.whenHandedOver',
});

/** Noon in Paris on `day`: the counter's clock. */
const noonOn = (day: string): Date => new Date(`${day}T12:00:00+01:00`);

/** Dispense `quantity` boxes of `line` on `day` through the rules; the decision. */
const dispense = (line: LineState, quantity: number, day: string) =>
  checkExecution(state([line]), [item(line, quantity, day)], pharmacist, noonOn(day));

const rulesOf = (decision: ReturnType<typeof dispense>): string[] =>
  decision.ok ? [] : decision.problems.map((p) => p.rule ?? '?');
const warningsOf = (decision: ReturnType<typeof dispense>): string[] =>
  decision.ok ? decision.warnings.map((p) => `${p.rule}:${p.severity}`) : [];

describe('R.5132-22: the first delivery', () => {
  test('R.5132-22: the first delivery of a drug is made within 3 months of the prescription date', () => {
    const line = drugLine();
    assert.equal(line.validity!.firstDeliveryUntil, '2027-01-14');
    assert.deepEqual(rulesOf(dispense(line, 1, '2027-01-14')), [], 'the last day is valid');
    assert.deepEqual(nextDeliveryWindow(line)?.until, '2027-01-14');
    assert.match(nextDeliveryWindow(line)!.reason, /first delivery within 3 months .*R\.5132-22/);
  });

  test('R.5132-22: a first delivery after 3 months is refused (D6, whatever the renewals) and the line has expired', () => {
    const line = drugLine({ renewals: 11 });
    // Back-dated on the day after the deadline, the counter still on it: D6 (422).
    const late = checkExecution(state([line]), [item(line, 1, '2027-01-15')], pharmacist, noonOn('2027-01-15'));
    assert.ok(!late.ok);
    // The line itself has expired on the 15th: the state refuses first (D7, 409).
    assert.deepEqual(rulesOf(late), ['D7']);
    assert.equal(lineStatusOf(line, '2027-01-15').status, 'expired');
    assert.match(lineStatusOf(line, '2027-01-15').reason!, /until 2027-01-14 \(first delivery .*R\.5132-22\)/);
    // A handed-over day after the deadline, recorded while the line is still open (a later date sent): D6.
    const check = checkDeliveryDate(line, { before: 0, quantity: 1, date: '2027-01-15', at: 'x' });
    assert.deepEqual(
      check.problems.map((p) => p.rule),
      ['D6'],
    );
    assert.match(check.problems[0]!.message, /first delivery .* after its last day 2027-01-14.*R\.5132-22/);
  });

  test('R.5132-22: the rest of a partial first delivery may follow until the later of both deadlines', () => {
    // 2 boxes per delivery for one week, not renewable: first by 2027-01-14, treatment to 2026-10-21.
    const line = drugLine({ perDelivery: 2, renewals: 0, duration: { value: 1, unit: 'wk' }, executed: 1 });
    assert.equal(line.validity!.treatmentEnd, '2026-10-21');
    assert.equal(line.validUntil, '2027-01-14');
    assert.deepEqual(checkDeliveryDate(line, { before: 1, quantity: 1, date: '2026-12-01', at: 'x' }).problems, []);
  });
});

describe('R.5132-21, R.5132-22: renewals within the treatment, from the prescription date', () => {
  test('R.5132-22, R.5132-21: the treatment is the duration of one delivery × (1 + renewals), counted from the prescription date', () => {
    const v = drugValidityOf({ prescriptionDate: PRESCRIBED, renewals: 5, perDeliveryDuration: MONTH });
    assert.deepEqual(
      [v.treatmentEnd, v.treatmentBound, v.firstDeliveryUntil],
      ['2027-04-14', 'duration', '2027-01-14'],
    );
    assert.equal(lastDeliveryDay(v), '2027-04-14', 'what intake stores as validityPeriod.end');
    // Levothyrox of the vendor example: 3 boxes for 3 months, renewable once → 6 months.
    const levothyrox = drugValidityOf({
      prescriptionDate: PRESCRIBED,
      renewals: 1,
      perDeliveryDuration: { value: 3, unit: 'mo' },
    });
    assert.equal(levothyrox.treatmentEnd, '2027-04-14');
  });

  test('R.5132-22: a renewal after the end of the treatment is refused (D6) and the line expires', () => {
    const line = drugLine({ executed: 5, deliveries: monthly(5) });
    assert.deepEqual(rulesOf(dispense(line, 1, '2027-04-14')), [], 'the last day of the treatment');
    const late = checkDeliveryDate(line, { before: 5, quantity: 1, date: '2027-04-15', at: 'x' });
    assert.deepEqual(
      late.problems.map((p) => p.rule),
      ['D6'],
    );
    assert.match(
      late.problems[0]!.message,
      /renewal .* after the end of its treatment 2027-04-14: .*R\.5132-22, R\.5132-21/,
    );
    assert.equal(lineStatusOf(line, '2027-04-15').status, 'expired');
  });

  test('R.5132-21: never beyond 12 months: 1 box a month renewable 11 times, or 3 months × (1 + 5)', () => {
    const twelve = drugValidityOf({ prescriptionDate: PRESCRIBED, renewals: 11, perDeliveryDuration: MONTH });
    assert.deepEqual([twelve.treatmentEnd, twelve.treatmentBound], ['2027-10-14', 'duration']);
    const long = drugValidityOf({
      prescriptionDate: PRESCRIBED,
      renewals: 5,
      perDeliveryDuration: { value: 3, unit: 'mo' },
    });
    assert.deepEqual([long.treatmentEnd, long.treatmentBound], ['2027-10-14', 'twelve-months']);
    const line = drugLine({ perDelivery: 1, renewals: 5, duration: { value: 3, unit: 'mo' }, executed: 3 });
    assert.equal(lineStatusOf(line, '2027-10-14').status, 'active');
    assert.equal(lineStatusOf(line, '2027-10-15').status, 'expired');
    assert.match(
      nextDeliveryWindow(line)!.reason,
      /within 12 months of the prescription date 2026-10-14 \(CSP R\.5132-21\)/,
    );
  });

  test('R.5132-12: without a duration in the posology, one delivery covers one month', () => {
    const line = drugLine({ renewals: 2, duration: undefined, executed: 1 });
    assert.equal(line.validity!.durationStated, false);
    assert.equal(line.validity!.treatmentEnd, '2027-01-14');
    assert.match(nextDeliveryWindow(line)!.reason, /1 month \(no duration in the posology: .*R\.5132-12\)/);
  });

  test('a validityPeriod.end the prescription states shortens the windows, never lengthens them', () => {
    const shorter = drugValidityOf({
      prescriptionDate: PRESCRIBED,
      renewals: 5,
      perDeliveryDuration: MONTH,
      statedEnd: '2026-12-31',
    });
    assert.deepEqual(
      [shorter.firstDeliveryUntil, shorter.treatmentEnd, shorter.treatmentBound],
      ['2026-12-31', '2026-12-31', 'prescription'],
    );
    const longer = drugValidityOf({
      prescriptionDate: PRESCRIBED,
      renewals: 5,
      perDeliveryDuration: MONTH,
      statedEnd: '2028-01-01',
    });
    assert.deepEqual([longer.firstDeliveryUntil, longer.treatmentEnd], ['2027-01-14', '2027-04-14']);
  });
});

/** One box on the 14th of each month from the prescription date, `count` months. */
function monthly(count: number): Delivery[] {
  return Array.from({ length: count }, (_, i) => ({ date: addDuration(PRESCRIBED, MONTH, i), quantity: 1 }));
}

describe('R.5132-14: the delay between renewals', () => {
  test('R.5132-14: a renewal before the supply delivered runs out is accepted with a warning (D16), not refused', () => {
    const line = drugLine({ executed: 1, deliveries: [{ date: PRESCRIBED, quantity: 1 }] });
    assert.equal(nextDeliveryWindow(line)?.from, '2026-11-14');
    const early = dispense(line, 1, '2026-11-01');
    assert.ok(early.ok);
    assert.deepEqual(warningsOf(early), ['D16:warning']);
    assert.match(
      early.ok ? early.warnings[0]!.message : '',
      /early renewal .* on 2026-11-01: the 1 boîte delivered cover the treatment until 2026-11-14 .*R\.5132-14/,
    );
    assert.deepEqual(warningsOf(dispense(line, 1, '2026-11-14')), [], 'on the day the supply runs out: in time');
  });

  test('R.5132-14: what was delivered adds up; partial deliveries count in proportion; a late delivery earns no credit', () => {
    // 2 boxes a month: one box covers half a month.
    assert.equal(suppliedUntil([{ date: '2026-10-14', quantity: 1 }], 2, MONTH), '2026-10-29');
    assert.equal(
      suppliedUntil(
        [
          { date: '2026-10-14', quantity: 1 },
          { date: '2026-10-20', quantity: 1 },
        ],
        2,
        MONTH,
      ),
      '2026-11-13',
    );
    // Two months at once (a renewal handed over early by the pharmacist's choice) last two months.
    assert.equal(suppliedUntil([{ date: '2026-10-14', quantity: 2 }], 1, MONTH), '2026-12-14');
    // Came back late: the new supply counts from that day.
    assert.equal(
      suppliedUntil(
        [
          { date: '2026-10-14', quantity: 1 },
          { date: '2026-12-01', quantity: 1 },
        ],
        1,
        MONTH,
      ),
      '2027-01-01',
    );
  });

  test('R.5132-14: completing a begun delivery is not a renewal; a first delivery of several periods is not warned', () => {
    const half = drugLine({ perDelivery: 2, executed: 1, deliveries: [{ date: PRESCRIBED, quantity: 1 }] });
    assert.deepEqual(warningsOf(dispense(half, 1, '2026-10-15')), []);
    assert.deepEqual(warningsOf(dispense(half, 2, '2026-10-15')), ['D16:warning'], 'one box of it starts a renewal');
    assert.deepEqual(warningsOf(dispense(drugLine(), 3, '2026-10-15')), [], 'a quarterly supply at once (R.5132-12)');
  });

  test('R.5132-14: deliveries earlier in the same submission count', () => {
    const line = drugLine();
    const decision = checkExecution(
      state([line]),
      [item(line, 1, '2026-10-20'), item(line, 1, '2026-10-20')],
      pharmacist,
      noonOn('2026-10-20'),
    );
    assert.deepEqual(warningsOf(decision), ['D16:warning']);
    assert.ok(decision.ok && decision.delivered.get(line.reference)?.length === 2);
  });
});

describe('the month-by-month journey and the other lines', () => {
  test('R.5132-22, R.5132-21, R.5132-14: ramipril 1 box a month renewable 5 times: six months on the 14th, no warning, then over', () => {
    let line = drugLine();
    for (let month = 0; month < 6; month++) {
      const day = addDuration(PRESCRIBED, MONTH, month);
      const decision = dispense(line, 1, day);
      assert.ok(decision.ok, `month ${month + 1} (${day}): ${JSON.stringify(decision)}`);
      assert.deepEqual(decision.warnings, [], `month ${month + 1}`);
      line = { ...line, executed: month + 1, deliveries: [...(line.deliveries ?? []), { date: day, quantity: 1 }] };
    }
    assert.equal(lineStatusOf(line, '2027-04-14').status, 'completed');
  });

  test('devices and acts keep their rules: no expiry date', () => {
    const device: LineState = {
      index: 1,
      reference: 'DeviceRequest/d1',
      requestType: 'DeviceRequest',
      kind: 'device',
      unit: 'dispositif',
      perDelivery: 1,
      renewals: 0,
      prescribed: 1,
      executed: 0,
      requestStatus: 'active',
      nonSubstitutable: false,
      productCodes: [],
    };
    assert.equal(nextDeliveryWindow(device), undefined);
    assert.equal(lineStatusOf(device, '2030-01-01').status, 'active');
    assert.deepEqual(checkDeliveryDate(device, { before: 0, quantity: 1, date: '2030-01-01', at: 'x' }).problems, []);
    const verdict = prescriptionStatusOf(state([drugLine(), device]), '2030-01-01');
    assert.equal(verdict.status, 'active', 'the device line keeps the prescription active');
  });
});

describe('deliveries read back from the stored records (fhir/dispensing/read-validity.ts)', () => {
  const dispense = (id: string, status: MedicationDispense['status'], value: number): MedicationDispense => ({
    resourceType: 'MedicationDispense',
    id,
    status,
    quantity: { value },
    whenHandedOver: '2026-10-15T10:00:00+02:00',
    authorizingPrescription: [{ reference: 'MedicationRequest/line-1' }],
    medicationCodeableConcept: { text: 'x' },
  });

  test('R.5132-14: only what was handed over counts; a declined line or a record entered in error delivered nothing', () => {
    const byRequest = deliveriesByRequest([
      dispense('a', 'completed', 1),
      dispense('b', 'declined', 1),
      dispense('c', 'entered-in-error', 2),
    ]);
    assert.deepEqual(byRequest.get('MedicationRequest/line-1'), [{ date: '2026-10-15', quantity: 1 }]);
  });
});
