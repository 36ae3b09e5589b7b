/**
 * What an AuditEvent says about the prescription it names (fhir/audit-details.ts): the software that
 * sent a created prescription and the lines a dispense recorded, written in the prescription entity's
 * detail by usecases/audit/build-audit-event.ts and read back by the console's timeline rows
 * (console/src/audit-events.ts). Codes and figures only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditRowOf, executedLineText } from '../../console/src/audit-events';
import { executedLineDetail, readExecutedLine, sourceSoftwareDetail } from '../../fhir/audit-details';
import { EXECUTED_LINE_DETAIL, SOURCE_SOFTWARE_DETAIL } from '../../fhir/systems';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { buildAuditEvent } from '../../usecases/audit/build-audit-event';

const gateway = { name: 'ordo-gateway', address: 'gw.test' };
const job = (name: string, detail?: AuditJob['entity']): AuditJob => ({
  id: 'a1',
  recorded: '2026-12-03T10:00:00.000Z',
  event: { type: 'rest', interaction: 'create', action: 'C', name },
  outcome: { status: 201 },
  entity: { number: '2F0Z87398SAJ042APX', ...detail },
  request: { method: 'POST', path: '/x', requestId: 'r1' },
});

test('a creation: the software that sent it, in the prescription entity’s detail, and in the console row', () => {
  const software = sourceSoftwareDetail({ name: 'ExempleMed Desktop', version: '11.4.2' })!;
  assert.deepEqual(software, { type: SOURCE_SOFTWARE_DETAIL, value: 'ExempleMed Desktop 11.4.2' });
  assert.equal(sourceSoftwareDetail({}), undefined, 'nothing said, nothing recorded');
  assert.deepEqual(sourceSoftwareDetail({ name: 'LAP' }), { type: SOURCE_SOFTWARE_DETAIL, value: 'LAP' });

  const event = buildAuditEvent(
    job('prescription.create'),
    { reference: 'RequestGroup/7', patient: 'Patient/8', detail: [software] },
    gateway,
  );
  const prescription = event.entity?.find((e) => e.what?.reference === 'RequestGroup/7');
  assert.deepEqual(prescription?.detail, [{ type: SOURCE_SOFTWARE_DETAIL, valueString: 'ExempleMed Desktop 11.4.2' }]);
  const row = auditRowOf({ ...event, id: '1' });
  assert.equal(row.software, 'ExempleMed Desktop 11.4.2');
  assert.equal(row.lines, undefined);
  assert.equal(row.requestId, 'r1', 'the request id is still read');
});

test('a dispense: each line it recorded and how much, read back in French', () => {
  const detail = [
    executedLineDetail({ line: 1, quantity: 2, unit: 'boîte' }),
    executedLineDetail({ line: 3, quantity: 1, unit: 'séance' }),
    executedLineDetail({ line: 2, quantity: 1, unit: 'boîte', notDone: true }),
  ];
  assert.ok(detail.every((d) => d.type === EXECUTED_LINE_DETAIL));
  const event = buildAuditEvent(job('dispense.record', { detail }), { reference: 'RequestGroup/7' }, gateway);
  const row = auditRowOf({ ...event, id: '2' });
  assert.deepEqual(row.lines, [
    { line: 1, quantity: 2, unit: 'boîte' },
    { line: 3, quantity: 1, unit: 'séance' },
    { line: 2, quantity: 1, unit: 'boîte', notDone: true },
  ]);
  assert.deepEqual(row.lines.map(executedLineText), [
    'Ligne 1 : 2 boîtes',
    'Ligne 3 : 1 séance',
    'Ligne 2 : non délivrée ou non réalisée',
  ]);
  assert.equal(row.software, undefined);
});

test('an executed-line detail that is not one is ignored, not shown wrong', () => {
  assert.equal(readExecutedLine('not json'), undefined);
  assert.equal(readExecutedLine('{"line":"1","quantity":2,"unit":"boîte"}'), undefined);
  assert.equal(readExecutedLine(undefined), undefined);
});

test('no number and no reference: no prescription entity, so no detail either', () => {
  const event = buildAuditEvent(
    {
      ...job('audit.search'),
      entity: { query: 'AuditEvent?x', detail: [executedLineDetail({ line: 1, quantity: 1, unit: 'boîte' })] },
    },
    {},
    gateway,
  );
  assert.ok(!(event.entity ?? []).some((e) => e.detail?.some((d) => d.type === EXECUTED_LINE_DETAIL)));
});
