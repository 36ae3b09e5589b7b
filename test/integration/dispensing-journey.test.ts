/**
 * The whole life of a prescription at the counter, for every valid vendor example, on the real
 * HAPI: stored by its prescriber → scanned (the QR content the gateway prints) → partly dispensed
 * / executed by the right professionals → the rest dispensed → completed → a lookup says the QR
 * code is deactivated, and one more dispense is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle, FhirResource } from 'fhir/r4';
import { qrPayload } from '../../documents/qr-code';
import { storedPrescriptionOf } from '../../documents/prescription-documents';
import { findPrescriptionByNumber } from '../../usecases/prescriptions/repository';
import type { LineKind } from '../../domain/professions';
import {
  collection,
  lookUp,
  PROFESSION_FOR,
  postDispenses,
  professional,
  resourcesOf,
  startDispensingGateway,
  storeExample,
  summaryOf,
  type LineSummary,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { vendorExamples } from '../support/vendor-fixtures';

let gw: TestGateway;
const professionals = new Map<LineKind, Professional>();

before(async () => {
  gw = await startDispensingGateway();
  for (const [kind, profession] of Object.entries(PROFESSION_FOR))
    professionals.set(kind as LineKind, await professional(profession));
});
after(async () => {
  await gw.close();
});

/** Lines grouped by who executes them. */
function byProfessional(lines: readonly LineSummary[]): Map<Professional, LineSummary[]> {
  const groups = new Map<Professional, LineSummary[]>();
  for (const line of lines) {
    const who = professionals.get(line.kind as LineKind)!;
    groups.set(who, [...(groups.get(who) ?? []), line]);
  }
  return groups;
}

describe('the journey of every valid vendor example', () => {
  for (const ex of vendorExamples().filter((e) => e.valid)) {
    test(`${ex.format}/${ex.name}`, async () => {
      const { number } = await storeExample(gw.app, ex);
      const pharmacist = professionals.get('drug')!;

      // Scan: the text a scanner reads from the printed QR code.
      const found = await findPrescriptionByNumber(gw.deps.fhir, number);
      const qrText = qrPayload(storedPrescriptionOf(found!).prescription, number);
      const scanned = await request(gw.app)
        .post('/prescriptions/scan')
        .set('authorization', pharmacist.bearer)
        .set('content-type', 'text/plain')
        .send(qrText);
      assert.equal(scanned.status, 200, scanned.text);
      assert.match(scanned.headers['content-type'] ?? '', /application\/fhir\+json/);
      const initial = summaryOf(JSON.parse(scanned.text) as Bundle<FhirResource>);
      assert.equal(initial.number, number);
      assert.equal(initial.status, 'active');
      assert.equal(initial.qrCodeDeactivated, false);
      for (const line of initial.lines) {
        assert.equal(line.dispensed, 0);
        assert.equal(line.remaining, line.prescribed);
        assert.equal(line.status, 'active');
        if (line.kind === 'drug')
          assert.equal(line.prescribed, line.quantityPerDelivery! * (1 + line.renewalsAllowed!));
      }

      // First visit of each professional: about half of each of their lines.
      const groups = byProfessional(initial.lines);
      for (const [who, lines] of groups) {
        const executions = lines.map((line) => ({ line, quantity: Math.ceil(line.prescribed / 2) }));
        const partial = executions.filter((e) => e.quantity < e.line.prescribed);
        const res = await postDispenses(gw.app, number, who.bearer, collection(executions));
        assert.equal(res.status, 201, res.text);
        const answer = JSON.parse(res.text) as Bundle<FhirResource>;
        const after = summaryOf(answer);
        for (const { line, quantity } of executions) {
          const now = after.lines.find((l) => l.request === line.request)!;
          assert.equal(now.dispensed, quantity, line.request);
          assert.equal(now.remaining, line.prescribed - quantity);
          assert.equal(now.status, quantity === line.prescribed ? 'completed' : 'active');
        }
        if (partial.length > 0) assert.equal(after.status, 'active');
      }
      const midway = (await lookUp(gw.app, number, pharmacist.bearer)).summary;
      assert.ok(
        midway.lines.some((l) => l.status === 'active') ? midway.status === 'active' : midway.status === 'completed',
      );

      // Second visit: the rest.
      for (const [who, lines] of groups) {
        const rest = lines
          .map((line) => ({ line, quantity: line.prescribed - Math.ceil(line.prescribed / 2) }))
          .filter((e) => e.quantity > 0);
        if (rest.length === 0) continue;
        const res = await postDispenses(gw.app, number, who.bearer, collection(rest));
        assert.equal(res.status, 201, res.text);
      }

      const { bundle, summary } = await lookUp(gw.app, number, pharmacist.bearer);
      assert.equal(summary.status, 'completed');
      assert.equal(summary.qrCodeDeactivated, true);
      assert.match(summary.deactivationReason ?? '', /fully dispensed/);
      for (const line of summary.lines) {
        assert.equal(line.status, 'completed');
        assert.equal(line.remaining, 0);
        assert.equal(line.dispensed, line.prescribed);
        if (line.kind === 'drug') assert.equal(line.renewalsLeft, 0);
      }
      const records = [
        ...resourcesOf(bundle, 'MedicationDispense'),
        ...resourcesOf(bundle, 'SupplyDelivery'),
        ...resourcesOf(bundle, 'Procedure'),
      ];
      const expected = initial.lines.reduce(
        (n, l) => n + (l.request.includes('/ServiceRequest/') ? l.prescribed : l.prescribed === 1 ? 1 : 2),
        0,
      );
      assert.equal(records.length, expected);
      const header = resourcesOf(bundle, 'RequestGroup')[0]!;
      assert.equal(header.status, 'completed');
      for (const type of ['MedicationRequest', 'DeviceRequest', 'ServiceRequest'] as const) {
        for (const r of resourcesOf(bundle, type)) assert.equal(r.status, 'completed', `${type}/${r.id}`);
      }

      // The QR code no longer opens anything to dispense.
      const first = initial.lines[0]!;
      const again = await postDispenses(
        gw.app,
        number,
        professionals.get(first.kind as LineKind)!.bearer,
        collection([{ line: first, quantity: 1 }]),
      );
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.resourceType, 'OperationOutcome');
      assert.match(again.body.issue[0].diagnostics, /completed.*QR code is deactivated/);
    });
  }
});
