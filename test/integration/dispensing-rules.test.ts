/**
 * Recording dispenses and executions on the real HAPI, rule by rule: quantities and renewals,
 * the professional's line types, the submission's structure (400/415/422 with FHIRPaths),
 * substitution, resent submissions, and expiry (the clock is injected through AppDeps.now).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle, FhirResource, MedicationRequest, OperationOutcome } from 'fhir/r4';
import { EXECUTION_EXTENSIONS, SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM } from '../../fhir/systems';
import {
  collection,
  example,
  HANDED_OVER,
  lookUp,
  performerEntry,
  postDispenses,
  professional,
  recordsFor,
  resourcesOf,
  startDispensingGateway,
  storeExample,
  summaryOf,
  TEST_NOW,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { redisPrescriptionCache } from '../../store/prescription-cache';
import { syntheticRpps } from '../support/synthetic';

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

const drugsOnly = () => storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
const mixed = () => storeExample(gw.app, example('epu-json', 'valid-mixed-drugs-device-nursing.json'));
const outcome = (res: { text: string }): OperationOutcome => JSON.parse(res.text) as OperationOutcome;

describe('quantities', () => {
  test('partial deliveries accumulate up to quantity × (1 + renewals); more is a 409 saying what remains', async () => {
    const { number } = await drugsOnly();
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const line = summary.lines[0]!; // 3 boxes, 1 renewal
    assert.deepEqual(
      [line.quantityPerDelivery, line.renewalsAllowed, line.prescribed, line.renewalsLeft],
      [3, 1, 6, 1],
    );

    const first = await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line, quantity: 4 }]));
    assert.equal(first.status, 201, first.text);
    const afterFirst = summaryOf(JSON.parse(first.text) as Bundle<FhirResource>).lines[0]!;
    assert.deepEqual(
      [afterFirst.dispensed, afterFirst.remaining, afterFirst.renewalsLeft, afterFirst.status],
      [4, 2, 0, 'active'],
    );

    const tooMuch = await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line, quantity: 3 }]));
    assert.equal(tooMuch.status, 409, tooMuch.text);
    const issue = outcome(tooMuch).issue[0]!;
    assert.equal(issue.code, 'conflict');
    assert.deepEqual(issue.expression, ['Bundle.entry[0].resource.quantity.value']);
    assert.match(
      issue.diagnostics!,
      /3 boîtes recorded but only 2 remain \(6 boîtes prescribed: 3 per delivery × \(1 \+ 1 renewal\); 4 already dispensed/,
    );

    const rest = await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line, quantity: 2 }]));
    assert.equal(rest.status, 201, rest.text);
    const stored = (await gw.deps.fhir.read<MedicationRequest>('MedicationRequest', line.requestKey.split('/')[1]!))
      .resource;
    assert.equal(stored.status, 'completed');
    assert.equal(stored.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.executedQuantity)?.valueInteger, 6);
    const { bundle } = await lookUp(gw.app, number, pharmacist.bearer);
    const dispenses = resourcesOf(bundle, 'MedicationDispense');
    assert.deepEqual(
      dispenses.map((d) => d.quantity?.value),
      [4, 2],
    );
    assert.deepEqual(
      dispenses.map((d) => d.type?.coding?.[0]?.code),
      ['FFP', 'RFC'],
      'the gateway records the fill code of the state: 4 boxes started the first fill, 2 more end the renewal',
    );
  });

  test('a device delivery counts devices; a nursing session is one Procedure', async () => {
    const { number } = await mixed();
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const strips = summary.lines.find((l) => l.request.includes('/DeviceRequest/') && l.prescribed === 2)!;
    const res = await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line: strips, quantity: 2 }]));
    assert.equal(res.status, 201, res.text);
    const delivery = resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'SupplyDelivery')[0]!;
    assert.equal(
      delivery.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.fulfils)?.valueReference?.reference,
      strips.requestKey,
    );
    assert.match(delivery.supplier?.reference ?? '', /^Practitioner\/\w+/);

    const nurse = await professional('nurse');
    const sessions = summary.lines.find((l) => l.kind === 'acteInfirmier' && l.prescribed === 30)!;
    const three = await postDispenses(gw.app, number, nurse.bearer, collection([{ line: sessions, quantity: 3 }]));
    assert.equal(three.status, 201, three.text);
    const after = summaryOf(JSON.parse(three.text) as Bundle<FhirResource>).lines.find(
      (l) => l.request === sessions.request,
    )!;
    assert.deepEqual([after.dispensed, after.remaining, after.unit], [3, 27, 'séance']);
    const procedures = resourcesOf(JSON.parse(three.text) as Bundle<FhirResource>, 'Procedure');
    assert.equal(procedures.length, 3);
    for (const p of procedures) {
      assert.deepEqual(p.basedOn, [{ reference: sessions.requestKey }]);
      assert.match(p.subject.reference ?? '', /^Patient\//);
    }
  });
});

describe("the professional's line types", () => {
  test('the token decides: a nurse cannot dispense drugs, an LPP supplier delivers devices only (403 with an OperationOutcome)', async () => {
    const { number } = await mixed();
    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const drugLine = summary.lines.find((l) => l.kind === 'drug')!;
    const deviceLine = summary.lines.find((l) => l.kind === 'device')!;
    const nurse = await professional('nurse');
    const refused = await postDispenses(gw.app, number, nurse.bearer, collection([{ line: drugLine, quantity: 1 }]));
    assert.equal(refused.status, 403, refused.text);
    assert.match(outcome(refused).issue[0]!.diagnostics!, /nurse does not dispense or execute drug lines/);
    const supplier = await professional('lpp-supplier');
    assert.equal(
      (await postDispenses(gw.app, number, supplier.bearer, collection([{ line: drugLine, quantity: 1 }]))).status,
      403,
    );
    assert.equal(
      (await postDispenses(gw.app, number, supplier.bearer, collection([{ line: deviceLine, quantity: 1 }]))).status,
      201,
    );
    // Nothing was recorded by the refused attempts.
    const after = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines.find(
      (l) => l.request === drugLine.request,
    )!;
    assert.equal(after.dispensed, 0);
  });

  test('the submitted performer must be the authenticated professional, and say the same profession', async () => {
    const { number } = await drugsOnly();
    const pharmacist = await professional('pharmacist'); // new to the store: the submitted Practitioner is the one created
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!;
    const someoneElse = await postDispenses(
      gw.app,
      number,
      pharmacist.bearer,
      collection([{ line, quantity: 1 }], [performerEntry(syntheticRpps(), 'pharmacist')]),
    );
    assert.equal(someoneElse.status, 403, someoneElse.text);
    const contradicting = await postDispenses(
      gw.app,
      number,
      pharmacist.bearer,
      collection([{ line, quantity: 1 }], [performerEntry(pharmacist.rpps, 'nurse')]),
    );
    assert.equal(contradicting.status, 422, contradicting.text);
    assert.deepEqual(outcome(contradicting).issue[0]!.expression, [
      'Bundle.entry[0].resource.qualification[0].code.coding[0].code',
    ]);
    const same = await postDispenses(
      gw.app,
      number,
      pharmacist.bearer,
      collection([{ line, quantity: 1 }], [performerEntry(pharmacist.rpps, 'pharmacist')]),
    );
    assert.equal(same.status, 201, same.text);
    const dispense = resourcesOf(JSON.parse(same.text) as Bundle<FhirResource>, 'MedicationDispense')[0]!;
    const practitioner = await gw.deps.fhir.read(
      'Practitioner',
      dispense.performer![0]!.actor.reference!.split('/')[1]!,
    );
    assert.equal(
      (practitioner.resource as { name?: Array<{ family?: string }> }).name?.[0]?.family,
      'ESSAI',
      'the submitted Practitioner is stored',
    );
  });
});

describe('what is sent', () => {
  test('not JSON → 400; not a FHIR resource → 400; wrong media type → 415', async () => {
    const { number } = await drugsOnly();
    const notJson = await request(gw.app)
      .post(`/prescriptions/${number}/dispenses`)
      .set('authorization', pharmacist.bearer)
      .set('content-type', 'application/fhir+json')
      .send('{"resourceType":');
    assert.equal(notJson.status, 400);
    assert.equal(outcome(notJson).resourceType, 'OperationOutcome');
    assert.equal((await postDispenses(gw.app, number, pharmacist.bearer, [1, 2])).status, 400);
    const xml = await request(gw.app)
      .post(`/prescriptions/${number}/dispenses`)
      .set('authorization', pharmacist.bearer)
      .set('content-type', 'application/xml')
      .send('<x/>');
    assert.equal(xml.status, 415);
  });

  test('invalid content → 422 with a FHIRPath per problem, and nothing recorded', async () => {
    const { number } = await drugsOnly();
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!;
    const body = collection([{ line, quantity: 1 }]);
    const dispense = body.entry![0]!.resource as unknown as Record<string, unknown>;
    dispense.quantity = { value: 0 };
    dispense.status = 'in-progress';
    dispense.whenHandedOver = 'yesterday';
    const res = await postDispenses(gw.app, number, pharmacist.bearer, body);
    assert.equal(res.status, 422, res.text);
    assert.ok(
      outcome(res).issue.some((i) => i.expression?.[0] === 'Bundle.entry[0].resource.whenHandedOver'),
      res.text,
    );
    dispense.whenHandedOver = HANDED_OVER;
    const again = await postDispenses(gw.app, number, pharmacist.bearer, body);
    assert.equal(again.status, 422, again.text);
    assert.deepEqual(
      outcome(again)
        .issue.map((i) => i.expression?.[0])
        .sort(),
      ['Bundle.entry[0].resource.quantity.value', 'Bundle.entry[0].resource.status'],
    );
    assert.equal((await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!.dispensed, 0);
  });

  test('a line of another prescription, or a number that is not this one → 422', async () => {
    const [a, b] = [await drugsOnly(), await drugsOnly()];
    const lineOfB = (await lookUp(gw.app, b.number, pharmacist.bearer)).summary.lines[0]!;
    const res = await postDispenses(gw.app, a.number, pharmacist.bearer, collection([{ line: lineOfB, quantity: 1 }]));
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(outcome(res).issue[0]!.expression, [
      'Bundle.entry[0].resource.authorizingPrescription[0].reference',
    ]);
    const lineOfA = (await lookUp(gw.app, a.number, pharmacist.bearer)).summary.lines[0]!;
    const named = { ...recordsFor({ line: lineOfA, quantity: 1 }, b.number)[0]! };
    const wrongNumber = await postDispenses(gw.app, a.number, pharmacist.bearer, named);
    assert.equal(wrongNumber.status, 422, wrongNumber.text);
    assert.match(outcome(wrongNumber).issue[0]!.diagnostics!, new RegExp(`names prescription ${b.number}`));
  });

  test('a single record (no Bundle) is accepted; the performer comes from the token', async () => {
    const { number } = await drugsOnly();
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[1]!;
    const res = await postDispenses(gw.app, number, pharmacist.bearer, recordsFor({ line, quantity: 1 }, number)[0]);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.location, `/prescriptions/${number}/dispenses`);
    const dispense = resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'MedicationDispense')[0]!;
    assert.equal(
      dispense.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.prescription)?.valueReference?.identifier?.value,
      number,
    );
    assert.equal(dispense.performer?.length, 2, 'the pharmacist and the pharmacy (FINESS from the token)');
  });

  test('a resent submission (same record identifiers) is recorded once: 200 with the stored records', async () => {
    const { number } = await drugsOnly();
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!;
    const body = collection([{ line, quantity: 1 }]);
    const first = await postDispenses(gw.app, number, pharmacist.bearer, body);
    assert.equal(first.status, 201, first.text);
    const second = await postDispenses(gw.app, number, pharmacist.bearer, body);
    assert.equal(second.status, 200, second.text);
    const ids = (res: { text: string }) =>
      resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'MedicationDispense').map((d) => d.id);
    assert.deepEqual(ids(second), ids(first));
    assert.equal((await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!.dispensed, 1);
  });
});

describe('substitution', () => {
  test('a "non substituable" line refuses a substitution; another line accepts one with its type and reason', async () => {
    const { number } = await drugsOnly(); // line 1 is "non substituable" (MTE), line 2 is not
    const lines = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines;
    const substitute = (line: (typeof lines)[number]) => {
      const body = collection([{ line, quantity: 1 }]);
      Object.assign(body.entry![0]!.resource!, {
        medicationCodeableConcept: {
          coding: [{ system: 'urn:oid:1.2.250.1.213.2.3.1', code: '60000001' }],
          text: 'générique',
        },
        substitution: {
          wasSubstituted: true,
          type: { coding: [{ system: SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM, code: 'G' }] },
          reason: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'RR' }] }],
        },
      });
      return body;
    };
    const refused = await postDispenses(gw.app, number, pharmacist.bearer, substitute(lines[0]!));
    assert.equal(refused.status, 422, refused.text);
    assert.deepEqual(outcome(refused).issue[0]!.expression, ['Bundle.entry[0].resource.substitution.wasSubstituted']);
    const accepted = await postDispenses(gw.app, number, pharmacist.bearer, substitute(lines[1]!));
    assert.equal(accepted.status, 201, accepted.text);

    // The same different product without declaring it is refused.
    const undeclared = substitute(lines[1]!);
    delete (undeclared.entry![0]!.resource as { substitution?: unknown }).substitution;
    const res = await postDispenses(gw.app, number, pharmacist.bearer, undeclared);
    assert.equal(res.status, 422, res.text);
    assert.match(outcome(res).issue[0]!.diagnostics!, /declare the substitution/);
  });
});

describe('expiry (clock injected)', () => {
  test('3 months after the prescription date the drugs can no longer be dispensed: 409, and the lookup says why', async () => {
    const { number } = await drugsOnly(); // authored 2026-10-14: drugs until 2027-01-14
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!;
    assert.equal(line.validUntil, '2027-01-14');
    try {
      clock = new Date('2027-01-14T22:30:00Z'); // 23:30 in Paris: still the 14th
      assert.equal((await lookUp(gw.app, number, pharmacist.bearer)).summary.status, 'active');
      clock = new Date('2027-01-15T08:00:00Z');
      const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
      assert.equal(summary.status, 'expired');
      assert.equal(summary.qrCodeDeactivated, true);
      assert.match(summary.deactivationReason!, /could be dispensed until 2027-01-14/);
      const res = await postDispenses(
        gw.app,
        number,
        pharmacist.bearer,
        collection([{ line, quantity: 1, when: '2027-01-15T08:00:00Z' }]),
      );
      assert.equal(res.status, 409, res.text);
      assert.match(outcome(res).issue[0]!.diagnostics!, /expired/);
    } finally {
      clock = TEST_NOW;
    }
  });

  test('a prescription that says otherwise (a shorter dispenseRequest.validityPeriod) is honoured; a longer one does not lift R.5132-22', async () => {
    const { number } = await drugsOnly();
    const { bundle } = await lookUp(gw.app, number, pharmacist.bearer);
    const requests = resourcesOf(bundle, 'MedicationRequest');
    const restate = async (end: string) => {
      for (const r of (await lookUp(gw.app, number, pharmacist.bearer)).bundle.entry!.flatMap((e) =>
        e.resource?.resourceType === 'MedicationRequest' ? [e.resource] : [],
      )) {
        const { meta: _meta, ...rest } = r;
        await gw.deps.fhir.update({
          ...rest,
          id: r.id!,
          dispenseRequest: { ...r.dispenseRequest, validityPeriod: { start: '2026-10-14', end } },
        });
      }
      // Written around the gateway, as an operator's repair: `ordo-admin cache forget` then makes the
      // lookups see it (README "Lookup cache"; test/integration/lookup-cache.test.ts runs the command).
      await redisPrescriptionCache(gw.deps.redis, gw.deps.config.queuePrefix).changed(number);
    };
    assert.equal(requests.length, 3);
    try {
      // Longer than the law allows a first delivery: the first delivery is still due by 2027-01-14.
      await restate('2027-06-30');
      clock = new Date('2027-02-01T10:00:00Z');
      const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
      assert.equal(summary.status, 'expired');
      const late = await postDispenses(
        gw.app,
        number,
        pharmacist.bearer,
        collection([{ line: summary.lines[0]!, quantity: 1, when: '2027-02-01T09:00:00Z' }]),
      );
      assert.equal(late.status, 409, late.text);
      assert.match(outcome(late).issue[0]!.diagnostics!, /R\.5132-22/);
      // Shorter: the prescription's own last day.
      await restate('2026-12-01');
      clock = new Date('2026-12-02T10:00:00Z');
      const shorter = await lookUp(gw.app, number, pharmacist.bearer);
      assert.equal(shorter.summary.status, 'expired');
      assert.match(shorter.summary.deactivationReason!, /could be dispensed until 2026-12-01/);
      clock = TEST_NOW;
      const inTime = await postDispenses(
        gw.app,
        number,
        pharmacist.bearer,
        collection([{ line: shorter.summary.lines[0]!, quantity: 1 }]),
      );
      assert.equal(inTime.status, 201, inTime.text);
    } finally {
      clock = TEST_NOW;
    }
  });
});

describe('authentication still applies', () => {
  test('a prescriber cannot record a dispense (403), nobody without a token (401)', async () => {
    const { number, prescriber } = await drugsOnly();
    const line = (await lookUp(gw.app, number, pharmacist.bearer)).summary.lines[0]!;
    assert.equal((await postDispenses(gw.app, number, prescriber, collection([{ line, quantity: 1 }]))).status, 403);
    const anonymous = await request(gw.app)
      .post(`/prescriptions/${number}/dispenses`)
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(collection([{ line, quantity: 1 }])));
    assert.equal(anonymous.status, 401);
  });
});
