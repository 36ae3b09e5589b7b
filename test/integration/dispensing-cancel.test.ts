/**
 * The prescriber cancels a prescription, on the real HAPI: what was not dispensed is revoked, a
 * partly dispensed line cannot be, the prescription is revoked when nothing remains (then its
 * QR code is deactivated and the DMP deprecation is queued).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { OperationOutcome, RequestGroup } from 'fhir/r4';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { QUEUE_NAMES } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import {
  collection,
  example,
  lookUp,
  postDispenses,
  professional,
  resourcesOf,
  startDispensingGateway,
  storeExample,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';

let gw: TestGateway;
let pharmacist: Professional;

before(async () => {
  gw = await startDispensingGateway();
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await gw.close();
});

const drugsOnly = () => storeExample(gw.app, example('fhir-message', 'valid-drugs-only.json'));
const cancel = (number: string, bearer: string) =>
  request(gw.app).post(`/prescriptions/${number}/cancel`).set('authorization', bearer);
const messages = (res: { text: string }) =>
  (JSON.parse(res.text) as OperationOutcome).issue.map((i) => `${i.severity}: ${i.diagnostics}`);

async function header(number: string): Promise<RequestGroup> {
  return resourcesOf((await lookUp(gw.app, number, pharmacist.bearer)).bundle, 'RequestGroup')[0]!;
}

describe('cancelling', () => {
  test('nothing dispensed: every line revoked, the prescription revoked, QR deactivated, DMP deprecation queued, no more dispensing', async () => {
    const { number, prescriber } = await drugsOnly();
    const res = await cancel(number, prescriber);
    assert.equal(res.status, 200, res.text);
    assert.match(messages(res)[0]!, /^information: prescription .* is cancelled: its QR code is deactivated/);

    const { bundle, summary } = await lookUp(gw.app, number, pharmacist.bearer);
    assert.equal(summary.status, 'cancelled');
    assert.equal(summary.qrCodeDeactivated, true);
    assert.match(summary.deactivationReason!, /prescriber cancelled/);
    for (const line of summary.lines) assert.equal(line.status, 'cancelled');
    for (const r of resourcesOf(bundle, 'MedicationRequest'))
      assert.equal(r.status, 'cancelled', 'MedicationRequest has no revoked status');
    const rg = resourcesOf(bundle, 'RequestGroup')[0]!;
    assert.equal(rg.status, 'revoked');

    const job = await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJob(
      dmpJobId({ number, version: Number(rg.meta!.versionId), action: 'deprecate' }),
    );
    assert.ok(job, 'the DMP deprecation job is queued for the revoked version');
    assert.deepEqual(job.data, { number, version: Number(rg.meta!.versionId), action: 'deprecate' });

    const refused = await postDispenses(
      gw.app,
      number,
      pharmacist.bearer,
      collection([{ line: summary.lines[0]!, quantity: 1 }]),
    );
    assert.equal(refused.status, 409, refused.text);
    assert.match(messages(refused)[0]!, /cancelled .*QR code is deactivated/);

    const again = await cancel(number, prescriber);
    assert.equal(again.status, 200, again.text);
    assert.match(messages(again)[0]!, /already cancelled/);
  });

  test('a partly dispensed line cannot be cancelled (said so), the others are; the prescription stays active for it', async () => {
    const { number, prescriber } = await drugsOnly();
    const before = (await lookUp(gw.app, number, pharmacist.bearer)).summary;
    const started = before.lines[0]!; // 3 boxes, 1 renewal: 6
    assert.equal(
      (await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line: started, quantity: 2 }]))).status,
      201,
    );

    const res = await cancel(number, prescriber);
    assert.equal(res.status, 200, res.text);
    const said = messages(res);
    assert.ok(
      said.some((m) =>
        /^warning: line 1 .* partly dispensed or executed \(2 of 6 boîte\): a line already started cannot be cancelled/.test(
          m,
        ),
      ),
      said.join('\n'),
    );
    assert.ok(said.some((m) => /^information: line 2 .* is cancelled/.test(m)));
    assert.match(said[0]!, /stays active for what was partly dispensed/);

    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    assert.deepEqual(
      summary.lines.map((l) => l.status),
      ['active', 'cancelled', 'cancelled'],
    );
    assert.equal(summary.status, 'active');
    assert.equal((await header(number)).status, 'active');
    assert.equal(
      await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJob(
        dmpJobId({ number, version: Number((await header(number)).meta!.versionId), action: 'deprecate' }),
      ),
      undefined,
    );

    // The rest of the started line can still be dispensed; then nothing remains.
    assert.equal(
      (await postDispenses(gw.app, number, pharmacist.bearer, collection([{ line: started, quantity: 4 }]))).status,
      201,
    );
    const after = (await lookUp(gw.app, number, pharmacist.bearer)).summary;
    assert.equal(after.qrCodeDeactivated, true);
    assert.deepEqual(
      after.lines.map((l) => l.status),
      ['completed', 'cancelled', 'cancelled'],
    );
  });

  test('nothing left to cancel: 409 saying why; only the prescriber who signed may cancel', async () => {
    const { number, prescriber } = await storeExample(gw.app, example('lgc-xml', 'valid-drugs-only.xml'));
    const other = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: syntheticRpps() });
    assert.equal((await cancel(number, other)).status, 403);
    assert.equal((await cancel(number, pharmacist.bearer)).status, 403);

    const { summary } = await lookUp(gw.app, number, pharmacist.bearer);
    const everything = summary.lines.map((line) => ({ line, quantity: line.prescribed }));
    assert.equal((await postDispenses(gw.app, number, pharmacist.bearer, collection(everything))).status, 201);
    const res = await cancel(number, prescriber);
    assert.equal(res.status, 409, res.text);
    assert.match(messages(res)[0]!, /nothing on prescription .* can be cancelled/);
    assert.match(messages(res)[1]!, /fully dispensed or executed: nothing left to cancel/);
  });
});
