/**
 * Replacing a prescription by a corrected one, on the real HAPI and Redis (README "Replacing a
 * prescription"): REST in each vendor format and as a FHIR message; the old one deactivated and
 * naming the new one; the rules (nothing dispensed, its author only, the same patient); the races
 * (replace vs dispense, replace vs replace: exactly one wins) and idempotency.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request, { type Response } from 'supertest';
import type { AuditEvent, Bundle, FhirResource, Task, MessageHeader, OperationOutcome, RequestGroup } from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { REPLACEMENT_EXTENSIONS } from '../../fhir/systems';
import { QUEUE_NAMES } from '../../queue/queues';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { startAuditWorker } from '../support/audit-worker';
import { bearerFor } from '../support/auth';
import {
  collection,
  example,
  lookUp,
  postDispenses,
  professional,
  resourcesOf,
  startDispensingGateway,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { syntheticIns, syntheticRpps } from '../support/synthetic';
import { CONTENT_TYPES, freshNumber, uniquify, wireBody } from '../support/vendor-fixtures';

let gw: TestGateway;
let pharmacist: Professional;

before(async () => {
  gw = await startDispensingGateway();
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await gw.close();
});

const EXAMPLES: Record<VendorFormat, string> = {
  'epu-json': 'valid-drugs-only.json',
  'lgc-xml': 'valid-drugs-only.xml',
  'fhir-message': 'valid-drugs-only.json',
};

/** A unique copy of a format's drugs example for the patient `ins` (a fresh one by default). */
function payload(format: VendorFormat, ins?: string): { body: Buffer; ins: string; rpps: string } {
  const unique = uniquify(example(format, EXAMPLES[format]));
  let text = unique.body.toString('utf8');
  if (ins !== undefined) text = text.split(unique.ins).join(ins);
  assert.ok(ins === undefined || text.includes(ins), 'the INS was replaced');
  return { body: Buffer.from(text, 'utf8'), ins: ins ?? unique.ins, rpps: unique.prescriberRpps! };
}

interface Original {
  number: string;
  ins: string;
  rpps: string;
  bearer: string;
}

async function original(format: VendorFormat = 'epu-json'): Promise<Original> {
  const { body, ins, rpps } = payload(format);
  const bearer = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
  const res = await postPrescription(gw.app, bearer, format, body);
  assert.equal(res.status, 201, res.text);
  return { number: res.body.number as string, ins, rpps, bearer };
}

/** Sent at once (async: a supertest request is sent only when awaited). */
const replace = async (number: string, bearer: string, format: VendorFormat, body: Buffer): Promise<Response> =>
  await request(gw.app)
    .post(`/prescriptions/${number}/replace`)
    .set('authorization', bearer)
    .set('content-type', CONTENT_TYPES[format])
    .send(wireBody(format, body));

const issuesOf = (res: Response): OperationOutcome['issue'] => (JSON.parse(res.text) as OperationOutcome).issue;
const diagnostics = (res: Response): string =>
  issuesOf(res)
    .map((i) => i.diagnostics)
    .join(' | ');

const dispenseFirstLine = async (number: string, quantity = 1): Promise<Response> => {
  const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
  return postDispenses(gw.app, number, pharmacist.bearer, collection([{ line: summary.lines[0]!, quantity }]));
};

async function assertReplaced(oldNumber: string, newNumber: string): Promise<void> {
  const { bundle, summary } = await lookUp(gw.app, oldNumber, pharmacist.bearer);
  assert.equal(summary.status, 'replaced');
  assert.equal(summary.replacedBy, newNumber);
  assert.equal(summary.qrCodeDeactivated, true);
  assert.match(summary.deactivationReason!, new RegExp(`replaced it by prescription ${newNumber}`));
  const oldHeader = resourcesOf(bundle, 'RequestGroup')[0]!;
  assert.equal(oldHeader.status, 'revoked');
  const replacedBy = oldHeader.extension?.find((e) => e.url === REPLACEMENT_EXTENSIONS.replacedBy)?.valueReference;
  assert.equal(replacedBy?.identifier?.value, newNumber);
  for (const r of resourcesOf(bundle, 'MedicationRequest')) assert.equal(r.status, 'cancelled');

  const fresh = await lookUp(gw.app, newNumber, pharmacist.bearer);
  assert.equal(fresh.summary.status, 'active');
  const newHeader = resourcesOf(fresh.bundle, 'RequestGroup')[0]!;
  assert.deepEqual(newHeader.replaces, [
    { reference: `RequestGroup/${oldHeader.id}`, identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: oldNumber } },
  ]);
  assert.equal(replacedBy?.reference, `RequestGroup/${newHeader.id}`);
}

describe('replacing over REST', () => {
  for (const format of ['epu-json', 'lgc-xml', 'fhir-message'] as const) {
    test(`${format}: a new number, the old one replaced and not dispensable, the new one dispensable, a resend answered the same`, async () => {
      const old = await original(format);
      const correction = payload(format, old.ins);
      const res = await replace(old.number, old.bearer, format, correction.body);
      assert.equal(res.status, 201, res.text);
      const newNumber = res.body.number as string;
      assert.notEqual(newNumber, old.number);
      assert.equal(res.body.replaces, old.number);
      assert.equal(res.headers.location, `/prescriptions/${newNumber}`);
      await assertReplaced(old.number, newNumber);

      const refused = await dispenseFirstLine(old.number);
      assert.equal(refused.status, 409, refused.text);
      assert.match(diagnostics(refused), new RegExp(`replaced .*${newNumber}.*QR code is deactivated`));

      const again = await replace(old.number, old.bearer, format, correction.body);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.number, newNumber);

      const dispensed = await dispenseFirstLine(newNumber);
      assert.equal(dispensed.status, 201, dispensed.text);

      // The write owed the new prescription's DMP publication and its audit record: in its outbox Task
      // (same transaction; no worker sweeps it here) …
      const newHeader = resourcesOf((await lookUp(gw.app, newNumber, pharmacist.bearer)).bundle, 'RequestGroup')[0]!;
      const tasks = await gw.deps.fhir.search<Task>('Task', { focus: `RequestGroup/${newHeader.id}` });
      const owed = (tasks.entry ?? [])
        .map((e) => e.resource!)
        .filter((t) => t.identifier?.[0]?.value?.startsWith('replace:'))
        .flatMap((t) => t.input ?? [])
        .map((i) => i.type?.text);
      assert.deepEqual(owed.sort(), ['audit', 'dmp-publish']);
      // … and queued at once.
      const job = await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJob(
        dmpJobId({ number: newNumber, version: 1, action: 'publish' }),
      );
      assert.ok(job, 'the publication of the replacement is queued');
    });
  }

  test('X-Vendor-Format tells the format as on POST /prescriptions', async () => {
    const old = await original();
    const res = await request(gw.app)
      .post(`/prescriptions/${old.number}/replace`)
      .set('authorization', old.bearer)
      .set('content-type', 'text/plain')
      .set('x-vendor-format', 'epu-json')
      .send(payload('epu-json', old.ins).body.toString('utf8'));
    assert.equal(res.status, 201, res.text);
  });
});

describe('when a replacement is refused', () => {
  test('something was dispensed: 409 saying to cancel what remains and prescribe anew; nothing stored', async () => {
    const old = await original();
    assert.equal((await dispenseFirstLine(old.number)).status, 201);
    const correction = payload('epu-json', old.ins);
    const res = await replace(old.number, old.bearer, 'epu-json', correction.body);
    assert.equal(res.status, 409, res.text);
    assert.match(diagnostics(res), /partly dispensed or executed; cancel what remains .*and prescribe anew/);
    assert.equal(issuesOf(res)[0]!.details?.coding?.[0]?.code, 'D17');
    const { summary } = await lookUp(gw.app, old.number, pharmacist.bearer);
    assert.equal(summary.status, 'active');
    assert.equal(summary.replacedBy, undefined);
    // The payload was not stored under its message id either: it can still be sent as a new prescription.
    assert.equal((await postPrescription(gw.app, old.bearer, 'epu-json', correction.body)).status, 201);
  });

  test('a cancelled prescription is not replaced (409), nor a replaced one twice (409 naming the replacement)', async () => {
    const cancelled = await original();
    await request(gw.app).post(`/prescriptions/${cancelled.number}/cancel`).set('authorization', cancelled.bearer);
    const refused = await replace(
      cancelled.number,
      cancelled.bearer,
      'epu-json',
      payload('epu-json', cancelled.ins).body,
    );
    assert.equal(refused.status, 409, refused.text);
    assert.match(diagnostics(refused), /is cancelled/);

    const old = await original();
    const first = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
    assert.equal(first.status, 201, first.text);
    const second = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
    assert.equal(second.status, 409, second.text);
    assert.match(diagnostics(second), new RegExp(`already replaced by prescription ${first.body.number}`));
  });

  test('not its author: 403 (A10), even signing the correction themselves', async () => {
    const old = await original();
    const other = syntheticRpps();
    const bearer = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: other });
    const correction = payload('epu-json', old.ins);
    const json = JSON.parse(correction.body.toString('utf8'));
    json.prescripteur.rpps = other;
    const res = await replace(old.number, bearer, 'epu-json', Buffer.from(JSON.stringify(json)));
    assert.equal(res.status, 403, res.text);
    assert.equal(issuesOf(res)[0]!.details?.coding?.[0]?.code, 'A10');
    assert.equal((await lookUp(gw.app, old.number, pharmacist.bearer)).summary.status, 'active');
  });

  test('a locum standing in for its prescriber replaces it; a locum for someone else does not (403)', async () => {
    const old = await original();
    const locum = syntheticRpps();
    const bearer = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: locum });
    const signedAsLocumFor = (titular: string): Buffer => {
      const json = JSON.parse(payload('epu-json', old.ins).body.toString('utf8'));
      json.prescripteur.remplace = { rpps: titular, nom: 'FICTIF', prenom: 'Alain' };
      json.prescripteur.rpps = locum;
      return Buffer.from(JSON.stringify(json));
    };
    const refused = await replace(old.number, bearer, 'epu-json', signedAsLocumFor(syntheticRpps()));
    assert.equal(refused.status, 403, refused.text);
    assert.equal(issuesOf(refused)[0]!.details?.coding?.[0]?.code, 'A10');
    const res = await replace(old.number, bearer, 'epu-json', signedAsLocumFor(old.rpps));
    assert.equal(res.status, 201, res.text);
    await assertReplaced(old.number, res.body.number as string);
  });

  test('another patient: 422 with the INS path in the payload', async () => {
    const old = await original();
    const res = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', syntheticIns().value).body);
    assert.equal(res.status, 422, res.text);
    const issue = issuesOf(res).find((i) => i.details?.coding?.[0]?.code === 'D17');
    assert.ok(issue, res.text);
    assert.deepEqual(issue.expression, ['/patient/ins/valeur']);
    assert.equal((await lookUp(gw.app, old.number, pharmacist.bearer)).summary.status, 'active');
  });

  test('an unknown number: 404', async () => {
    const old = await original();
    const res = await replace(freshNumber(), old.bearer, 'epu-json', payload('epu-json', old.ins).body);
    assert.equal(res.status, 404, res.text);
  });
});

/**
 * Holds the first transaction `match` accepts until `release()`: the write of one request is kept
 * between its read and its commit while another request commits — the interleaving a race may
 * produce, made certain.
 */
function holdFirstTransaction(match: (bundle: Bundle<FhirResource>) => boolean) {
  const fhir = gw.deps.fhir;
  const original = fhir.transaction.bind(fhir);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const isReached = new Promise<void>((resolve) => (reached = resolve));
  let held = false;
  fhir.transaction = (async (bundle, options) => {
    if (!held && match(bundle)) {
      held = true;
      reached();
      await released;
    }
    return original(bundle, options);
  }) as typeof fhir.transaction;
  return {
    reached: isReached,
    release,
    restore: () => {
      fhir.transaction = original;
    },
  };
}

const isReplacement = (bundle: Bundle<FhirResource>): boolean =>
  (bundle.entry ?? []).some((e) => e.resource?.resourceType === 'RequestGroup' && e.resource.replaces !== undefined);
const isDispense = (bundle: Bundle<FhirResource>): boolean =>
  (bundle.entry ?? []).some((e) => e.resource?.resourceType === 'MedicationDispense');

describe('interleavings, made certain', () => {
  test('a dispense commits between the replacement’s read and its write: the replacement reads again and answers 409, storing nothing', async () => {
    const old = await original();
    const correction = payload('epu-json', old.ins);
    const hold = holdFirstTransaction(isReplacement);
    try {
      const replacing = replace(old.number, old.bearer, 'epu-json', correction.body);
      await hold.reached;
      const dispensed = await dispenseFirstLine(old.number);
      assert.equal(dispensed.status, 201, dispensed.text);
      hold.release();
      const res = await replacing;
      assert.equal(res.status, 409, res.text);
      assert.match(diagnostics(res), /cancel what remains/);
    } finally {
      hold.restore();
    }
    const { summary } = await lookUp(gw.app, old.number, pharmacist.bearer);
    assert.equal(summary.status, 'active');
    assert.equal(summary.lines[0]!.dispensed, 1);
    // The new prescription's transaction failed whole: its message id is still free.
    assert.equal((await postPrescription(gw.app, old.bearer, 'epu-json', correction.body)).status, 201);
  });

  test('a replacement commits between a dispense’s read and its write: the dispense answers 409 naming the new number', async () => {
    const old = await original();
    const hold = holdFirstTransaction(isDispense);
    try {
      const dispensing = dispenseFirstLine(old.number);
      await hold.reached;
      const res = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
      assert.equal(res.status, 201, res.text);
      hold.release();
      const refused = await dispensing;
      assert.equal(refused.status, 409, refused.text);
      assert.match(diagnostics(refused), new RegExp(`replaced it by prescription ${res.body.number}`));
      await assertReplaced(old.number, res.body.number as string);
      assert.equal((await lookUp(gw.app, old.number, pharmacist.bearer)).summary.lines[0]!.dispensed, 0);
    } finally {
      hold.restore();
    }
  });

  test('another replacement commits between a replacement’s read and its write: the late one answers 409 naming the winner', async () => {
    const old = await original();
    const hold = holdFirstTransaction(isReplacement);
    try {
      const late = replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
      await hold.reached;
      const won = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
      assert.equal(won.status, 201, won.text);
      hold.release();
      const lost = await late;
      assert.equal(lost.status, 409, lost.text);
      assert.match(diagnostics(lost), new RegExp(`already replaced by prescription ${won.body.number}`));
    } finally {
      hold.restore();
    }
  });
});

describe('races', () => {
  test('replace vs dispense of the old number: exactly one wins, the loser is told why (10 rounds)', async () => {
    const winners = { replace: 0, dispense: 0 };
    for (let round = 0; round < 10; round++) {
      const old = await original();
      const { summary } = await lookUp(gw.app, old.number, pharmacist.bearer);
      // The replacement maps and checks its payload before reading: the dispense starts later and later.
      const [replaced, dispensed] = await Promise.all([
        replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body),
        sleep(round * 15).then(() =>
          postDispenses(gw.app, old.number, pharmacist.bearer, collection([{ line: summary.lines[0]!, quantity: 1 }])),
        ),
      ]);
      const statuses = [replaced.status, dispensed.status].sort();
      assert.deepEqual(statuses, [201, 409], `${replaced.text} / ${dispensed.text}`);
      const after = await lookUp(gw.app, old.number, pharmacist.bearer);
      if (replaced.status === 201) {
        winners.replace++;
        assert.equal(after.summary.status, 'replaced');
        assert.equal(after.summary.lines[0]!.dispensed, 0);
        assert.match(diagnostics(dispensed), new RegExp(replaced.body.number as string));
      } else {
        winners.dispense++;
        assert.equal(after.summary.status, 'active');
        assert.equal(after.summary.lines[0]!.dispensed, 1);
        assert.match(diagnostics(replaced), /cancel what remains/);
      }
    }
    assert.equal(winners.replace + winners.dispense, 10);
  });

  test('two concurrent replacements of one number: exactly one new prescription (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const old = await original();
      const results = await Promise.all([
        replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body),
        replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body),
      ]);
      const won = results.filter((r) => r.status === 201);
      const lost = results.filter((r) => r.status === 409);
      assert.equal(won.length, 1, results.map((r) => r.text).join(' / '));
      assert.equal(lost.length, 1, results.map((r) => r.text).join(' / '));
      assert.match(diagnostics(lost[0]!), new RegExp(`already replaced by prescription ${won[0]!.body.number}`));
      const { summary } = await lookUp(gw.app, old.number, pharmacist.bearer);
      assert.equal(summary.replacedBy, won[0]!.body.number);
    }
  });

  test('the same replacement sent twice at once: one prescription, both answered with it', async () => {
    const old = await original();
    const body = payload('epu-json', old.ins).body;
    const results = await Promise.all([
      replace(old.number, old.bearer, 'epu-json', body),
      replace(old.number, old.bearer, 'epu-json', body),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 201], results.map((r) => r.text).join(' / '));
    assert.equal(results[0]!.body.number, results[1]!.body.number);
  });
});

describe('audit', () => {
  test('a replacement is audited like an intake: a create of the new number, by the prescriber', async () => {
    const audit = startAuditWorker(gw);
    try {
      const old = await original();
      const res = await replace(old.number, old.bearer, 'epu-json', payload('epu-json', old.ins).body);
      assert.equal(res.status, 201, res.text);
      await audit.drain();
      const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
        'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${res.body.number}`,
        action: 'C',
      });
      const events = (found.entry ?? []).map((e) => e.resource!);
      assert.equal(events.length, 1);
      assert.equal(
        events[0]!.subtype?.find((c) => c.system === 'urn:ordo-gateway:audit-event')?.code,
        'prescription.replace',
      );
      assert.equal(
        events[0]!.agent.find((a) => a.requestor && a.who?.identifier)?.who?.identifier?.value,
        `8${old.rpps}`,
      );
    } finally {
      await audit.close();
    }
  });
});

describe('replacing by a FHIR message', () => {
  /** A prescription-create message for `ins` whose MessageHeader names the replaced number. */
  function replacementMessage(replaced: string, ins: string): { json: Bundle<FhirResource>; headerId: string } {
    const json = JSON.parse(payload('fhir-message', ins).body.toString('utf8')) as Bundle<FhirResource>;
    json.id = randomUUID();
    const header = json.entry![0]!.resource as MessageHeader;
    header.id = randomUUID();
    header.extension = [
      {
        url: REPLACEMENT_EXTENSIONS.replaces,
        valueReference: { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: replaced } },
      },
    ];
    return { json, headerId: header.id };
  }

  const process = (json: unknown, bearer: string) =>
    request(gw.app)
      .post('/fhir/$process-message')
      .set('authorization', bearer)
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify(json));

  test('$process-message: ok with the new RequestGroup (replaces → the old one); the old one replaced; a resend gets the same answer', async () => {
    const old = await original('fhir-message');
    const { json, headerId } = replacementMessage(old.number, old.ins);
    const res = await process(json, old.bearer);
    assert.equal(res.status, 200, res.text);
    const response = res.body as Bundle<FhirResource>;
    const header = response.entry![0]!.resource as MessageHeader;
    assert.equal(header.response?.identifier, headerId);
    assert.equal(header.response?.code, 'ok', res.text);
    const focus = response.entry!.find((e) => e.fullUrl === header.focus?.[0]?.reference)?.resource as RequestGroup;
    assert.equal(focus.resourceType, 'RequestGroup');
    assert.equal(focus.replaces?.[0]?.identifier?.value, old.number);
    const newNumber = focus.groupIdentifier!.value!;
    await assertReplaced(old.number, newNumber);

    const again = await process(json, old.bearer);
    assert.deepEqual(again.body, res.body);
    // A new envelope for the same message (new Bundle.id): the same prescription, by the message id.
    const reenveloped = { ...json, id: randomUUID() };
    const third = await process(reenveloped, old.bearer);
    const thirdFocus = (third.body as Bundle<FhirResource>).entry!.find(
      (e) => e.resource?.resourceType === 'RequestGroup',
    )?.resource as RequestGroup;
    assert.equal(thirdFocus.groupIdentifier?.value, newNumber, third.text);
  });

  test('the same message on POST /prescriptions is a replacement too', async () => {
    const old = await original('fhir-message');
    const { json } = replacementMessage(old.number, old.ins);
    const res = await postPrescription(gw.app, old.bearer, 'fhir-message', Buffer.from(JSON.stringify(json)));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.replaces, old.number);
    await assertReplaced(old.number, res.body.number as string);
  });

  test('a message naming another number than the URL: 422 at the extension; a malformed one: 422 there too', async () => {
    const old = await original('fhir-message');
    const elsewhere = await original('fhir-message');
    const { json } = replacementMessage(elsewhere.number, old.ins);
    const res = await replace(old.number, old.bearer, 'fhir-message', Buffer.from(JSON.stringify(json)));
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(issuesOf(res)[0]!.expression, [
      'Bundle.entry[0].resource.extension[0].valueReference.identifier.value',
    ]);

    const malformed = replacementMessage(old.number, old.ins);
    (malformed.json.entry![0]!.resource as MessageHeader).extension![0]!.valueReference!.identifier!.system = 'urn:x';
    const refused = await process(malformed.json, old.bearer);
    const header = (refused.body as Bundle<FhirResource>).entry![0]!.resource as MessageHeader;
    assert.equal(header.response?.code, 'fatal-error', refused.text);
    for (const numberLeft of [old.number, elsewhere.number])
      assert.equal((await lookUp(gw.app, numberLeft, pharmacist.bearer)).summary.status, 'active');
  });

  test('after a replacement by message, a dispense of the old number is refused naming the new number', async () => {
    const old = await original('fhir-message');
    const { json } = replacementMessage(old.number, old.ins);
    const res = await process(json, old.bearer);
    const newNumber = (
      (res.body as Bundle<FhirResource>).entry!.find((e) => e.resource?.resourceType === 'RequestGroup')
        ?.resource as RequestGroup
    ).groupIdentifier!.value!;
    const refused = await dispenseFirstLine(old.number);
    assert.equal(refused.status, 409);
    assert.match(diagnostics(refused), new RegExp(newNumber));
  });
});
