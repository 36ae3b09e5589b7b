/**
 * Validity per line and per delivery on the real HAPI/Redis, through POST /prescriptions/{number}/dispenses,
 * the clock injected through AppDeps.now (README, "Dispensing and execution › Validity"): the vendor
 * example `valid-drugs-only` month after month for its six months, a long treatment stopped at 12 months
 * (R.5132-21), a first delivery after 3 months refused (R.5132-22), an early renewal recorded with a
 * warning (R.5132-14), and what intake stores (validityPeriod, expectedSupplyDuration).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome, Parameters } from 'fhir/r4';
import {
  collection,
  example,
  lookUp,
  postDispenses,
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
let clock = TEST_NOW;
let pharmacist: Professional;

before(async () => {
  gw = await startDispensingGateway(() => clock);
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await gw.close();
});

/** valid-drugs-only, authored 2026-10-14: levothyrox 3 boxes / 3 months renewable once; ramipril 1 box / 1 month renewable 5 times; doliprane 2 boxes. */
const drugsOnly = (edit?: (payload: { lignes: Array<Record<string, unknown>> }) => void) => {
  clock = TEST_NOW; // intake at the usual test clock
  return storeExample(
    gw.app,
    example('epu-json', 'valid-drugs-only.json'),
    edit
      ? (text) => {
          const payload = JSON.parse(text) as { lignes: Array<Record<string, unknown>> };
          edit(payload);
          return JSON.stringify(payload);
        }
      : undefined,
  );
};

/** 10:00 in Paris on `day` (winter or summer time alike: the offset is given by the day). */
const parisMorning = (day: string): string => {
  const offset = day >= '2027-03-28' && day < '2027-10-31' ? '+02:00' : '+01:00';
  return `${day}T10:00:00${offset}`;
};

/** The pharmacist hands over `quantity` boxes of `line` on `day`, the gateway's clock an hour later. */
async function dispenseOn(number: string, line: LineSummary, quantity: number, day: string) {
  const when = parisMorning(day);
  clock = new Date(Date.parse(when) + 3_600_000);
  return postDispenses(gw.app, number, pharmacist.bearer, collection([{ line, quantity, when }]));
}

const bundleOf = (res: { text: string }): Bundle<FhirResource> => JSON.parse(res.text) as Bundle<FhirResource>;
const outcome = (res: { text: string }): OperationOutcome => JSON.parse(res.text) as OperationOutcome;
/** The warnings of a dispensing answer: the `outcome` parameter of its summary. */
const warningsOf = (res: { text: string }): OperationOutcome['issue'] => {
  const summary = bundleOf(res).entry?.[0]?.resource as Parameters;
  const found = summary.parameter?.find((p) => p.name === 'outcome')?.resource as OperationOutcome | undefined;
  return found?.issue ?? [];
};
const lineOf = (res: { text: string }, sequence: number) =>
  summaryOf(bundleOf(res)).lines.find((l) => l.sequence === sequence)!;

async function assertValid(resource: FhirResource): Promise<void> {
  // A Parameters body of $validate is read as the operation's own parameters: it goes in `resource`.
  const body =
    resource.resourceType === 'Parameters'
      ? { resourceType: 'Parameters', parameter: [{ name: 'resource', resource }] }
      : resource;
  const { resource: result } = await gw.deps.fhir.request<OperationOutcome>(
    'POST',
    `${resource.resourceType}/$validate`,
    body,
  );
  const errors = (result.issue ?? []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  assert.deepEqual(errors, [], `${resource.resourceType}: ${JSON.stringify(errors)}`);
}

/** The 14th of each month from October 2026. */
const fourteenth = (monthsAfter: number): string => {
  const m = 9 + monthsAfter; // 0-based month of October 2026 = 9
  return `${2026 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-14`;
};

describe('validity per line and per delivery (clock injected)', () => {
  test('intake stores the whole window and the duration of one delivery (validityPeriod, expectedSupplyDuration)', async () => {
    const { number } = await drugsOnly();
    const { bundle, summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const requests = bundle
      .entry!.map((e) => e.resource)
      .filter((r): r is MedicationRequest => r?.resourceType === 'MedicationRequest');
    const bySequence = summary.lines.map((l) => requests.find((r) => l.requestKey === `MedicationRequest/${r.id}`)!);
    assert.deepEqual(
      bySequence.map((r) => [r.dispenseRequest?.validityPeriod, r.dispenseRequest?.expectedSupplyDuration?.value]),
      [
        [{ start: '2026-10-14', end: '2027-04-14' }, 3], // 3 months × (1 + 1)
        [{ start: '2026-10-14', end: '2027-04-14' }, 1], // 1 month × (1 + 5)
        [{ start: '2026-10-14', end: '2027-01-14' }, undefined], // no duration: 1 month; first delivery by 2027-01-14
      ],
    );
    const ramipril = summary.lines[1]!;
    assert.deepEqual(
      [ramipril.validUntil, ramipril.validUntilRule, ramipril.firstDeliveryUntil, ramipril.treatmentEnd],
      ['2027-01-14', 'D6', '2027-01-14', '2027-04-14'],
    );
    // HAPI's validator, the project's profiles loaded, accepts the requests as stored.
    for (const resource of requests) await assertValid(resource);
    assert.match(
      ramipril.validUntilReason!,
      /first delivery within 3 months of the prescription date 2026-10-14 \(CSP R\.5132-22\)/,
    );
  });

  test('R.5132-22, R.5132-21: valid-drugs-only, ramipril month after month for its six months (months 4 to 6 included)', async () => {
    const { number } = await drugsOnly();
    const ramipril = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!;
    for (let month = 0; month < 6; month++) {
      const day = fourteenth(month);
      const res = await dispenseOn(number, ramipril, 1, day);
      assert.equal(res.status, 201, `month ${month + 1} (${day}): ${res.text}`);
      assert.deepEqual(warningsOf(res), [], `month ${month + 1}: in time, no warning`);
      const line = lineOf(res, 2);
      assert.equal(line.dispensed, month + 1);
      if (month < 5) {
        // Until when and from when the next renewal: the treatment's end, and the day this box runs out.
        assert.equal(line.validUntil, '2027-04-14');
        assert.match(
          line.validUntilReason!,
          /1 month per delivery × \(1 \+ 5 renewals\) from the prescription date 2026-10-14 \(CSP R\.5132-22, R\.5132-21\)/,
        );
        assert.equal(line.nextDeliveryFrom, fourteenth(month + 1));
        assert.match(line.nextDeliveryFromReason!, /R\.5132-14/);
      } else assert.equal(line.status, 'completed');
    }
    const stored = (await gw.deps.fhir.read<MedicationRequest>('MedicationRequest', ramipril.requestKey.split('/')[1]!))
      .resource;
    assert.equal(stored.status, 'completed');
  });

  test('R.5132-21: never after 12 months — 1 box for 3 months renewable 5 times (18 months) stops on 2027-10-14', async () => {
    const { number } = await drugsOnly((payload) => {
      const ramipril = payload.lignes[1]!;
      (ramipril.posologie as { structuree: { duree: { valeur: number } } }).structuree.duree.valeur = 3;
    });
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!;
    for (const monthsAfter of [0, 3, 6, 9, 12]) {
      const res = await dispenseOn(number, line, 1, fourteenth(monthsAfter));
      assert.equal(res.status, 201, `${fourteenth(monthsAfter)}: ${res.text}`);
      assert.deepEqual(warningsOf(res), []);
    }
    // Month 13: one box left, but the treatment ended 12 months after the prescription date.
    const late = await dispenseOn(number, line, 1, '2027-10-15');
    assert.equal(late.status, 409, late.text);
    assert.match(
      outcome(late).issue[0]!.diagnostics!,
      /could be dispensed until 2027-10-14 \(renewals within 12 months of the prescription date 2026-10-14 \(CSP R\.5132-21\)\)/,
    );
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    assert.deepEqual([summary.lines[1]!.status, summary.lines[1]!.remaining], ['expired', 1]);
  });

  test('R.5132-21: 1 box a month renewable 11 times: twelve deliveries, none in month 13', async () => {
    const { number } = await drugsOnly((payload) => {
      payload.lignes[1]!.renouvellements = 11;
    });
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!;
    // Months 1 to 11 on the 14th; the twelfth box comes late, in month 13: refused.
    for (let month = 0; month < 11; month++) {
      const res = await dispenseOn(number, line, 1, fourteenth(month));
      assert.equal(res.status, 201, `${fourteenth(month)}: ${res.text}`);
    }
    const late = await dispenseOn(number, line, 1, '2027-10-20');
    assert.equal(late.status, 409, late.text);
    assert.match(outcome(late).issue[0]!.diagnostics!, /could be dispensed until 2027-10-14/);
  });

  test('R.5132-22: a first delivery after 3 months is refused, while a renewal of another line is still in time', async () => {
    const { number } = await drugsOnly();
    const lines = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines;
    assert.equal((await dispenseOn(number, lines[0]!, 3, '2026-10-14')).status, 201); // levothyrox, 3 months
    const first = await dispenseOn(number, lines[1]!, 1, '2027-01-20'); // ramipril never delivered
    assert.equal(first.status, 409, first.text);
    assert.match(
      outcome(first).issue[0]!.diagnostics!,
      /until 2027-01-14 \(first delivery within 3 months .*R\.5132-22\)/,
    );
    const renewal = await dispenseOn(number, lines[0]!, 3, '2027-01-20');
    assert.equal(renewal.status, 201, renewal.text);
    assert.deepEqual(warningsOf(renewal), []);
    // A date handed over after the deadline, sent while the line is still open: 422 naming the field.
    const { number: other } = await drugsOnly();
    const ramipril = (await lookUp(gw.app, other, pharmacist.bearer)).summary.lines[1]!;
    // Two minutes before midnight in Paris on the last day, the pharmacist's clock three minutes ahead.
    clock = new Date('2027-01-14T22:58:00Z');
    const wrongDay = await postDispenses(
      gw.app,
      other,
      pharmacist.bearer,
      collection([{ line: ramipril, quantity: 1, when: '2027-01-15T00:01:00+01:00' }]),
    );
    assert.equal(wrongDay.status, 422, wrongDay.text);
    const issue = outcome(wrongDay).issue[0]!;
    assert.deepEqual(issue.expression, ['Bundle.entry[0].resource.whenHandedOver']);
    assert.equal(issue.details?.coding?.[0]?.code, 'D6');
  });

  test('R.5132-14: a renewal before the box delivered runs out is recorded with a warning (D16), not refused', async () => {
    const { number } = await drugsOnly();
    const ramipril = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!;
    assert.equal((await dispenseOn(number, ramipril, 1, '2026-10-14')).status, 201);
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const before = summary.lines[1]!;
    assert.equal(before.nextDeliveryFrom, '2026-11-14');
    const early = await dispenseOn(number, ramipril, 1, '2026-11-01');
    assert.equal(early.status, 201, early.text);
    const warnings = warningsOf(early);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.severity, 'warning');
    assert.equal(warnings[0]!.details?.coding?.[0]?.code, 'D16');
    assert.deepEqual(warnings[0]!.expression, ['Bundle.entry[0].resource.whenHandedOver']);
    assert.match(warnings[0]!.diagnostics!, /early renewal .* on 2026-11-01: .* until 2026-11-14 .*R\.5132-14/);
    // The summary with its warning is a valid Parameters.
    await assertValid(bundleOf(early).entry![0]!.resource!);
    // Two boxes delivered by 2026-11-01: supplied until 2026-12-14.
    assert.equal(lineOf(early, 2).nextDeliveryFrom, '2026-12-14');
  });
});
