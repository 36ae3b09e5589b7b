/**
 * The audit record of an ordo-admin command (admin/session.ts) as the AuditEvent the audit worker
 * writes (usecases/audit/build-audit-event.ts), and back as the line `ordo-admin audit` prints
 * (admin/commands/audit.ts): the operator is the requesting agent, by name, never as a professional.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditLineOf } from '../../admin/commands/audit';
import { adminAuditJob } from '../../admin/session';
import { buildAuditEvent, OPERATOR_SYSTEM } from '../../usecases/audit/build-audit-event';
import { IDNATPS_SYSTEM } from '../../fhir/systems';

const gateway = { name: 'ordo-gateway', address: 'gw.test' };

test('an operator’s command: the operator is the requesting agent, by name, role operator, purpose HOPERAT', () => {
  const job = adminAuditJob(
    { command: 'dead-letters.retry', interaction: 'update', action: 'U', status: 200, number: '2F0Z87398SAJ042AP' },
    'alice',
    'run-1',
  );
  const event = buildAuditEvent(job, { reference: 'RequestGroup/7', patient: 'Patient/8' }, gateway);
  const requestors = (event.agent ?? []).filter((a) => a.requestor);
  assert.equal(requestors.length, 1);
  assert.deepEqual(requestors[0]?.who, { identifier: { system: OPERATOR_SYSTEM, value: 'alice' } });
  assert.deepEqual(
    requestors[0]?.role?.[0]?.coding?.map((c) => c.code),
    ['operator'],
  );
  assert.equal(requestors[0]?.type?.coding?.[0]?.code, 'AUT', 'a retry changes something: the operator is its author');
  assert.ok(!JSON.stringify(event).includes(IDNATPS_SYSTEM), 'not recorded as a health professional');
  assert.ok((event.agent ?? []).some((a) => a.who?.display === 'ordo-admin command'));
  assert.equal(event.subtype?.[1]?.code, 'admin.dead-letters.retry');
  assert.equal(event.purposeOfEvent?.[0]?.coding?.[0]?.code, 'HOPERAT');
  assert.equal(event.outcome, '0');

  const line = auditLineOf({ ...event, id: '42' });
  assert.deepEqual(line, {
    id: '42',
    recorded: job.recorded,
    event: 'admin.dead-letters.retry',
    action: 'U',
    who: 'operator:alice',
    role: 'operator',
    outcome: '0',
    requestId: 'run-1',
  });
});

test('a refused read: outcome 4 with the reason; the operator reads (information recipient)', () => {
  const job = adminAuditJob(
    {
      command: 'status',
      interaction: 'read',
      action: 'R',
      status: 404,
      detail: 'no prescription has the number X',
      number: 'X',
    },
    'bob',
    'run-2',
  );
  const event = buildAuditEvent(job, {}, gateway);
  assert.equal(event.outcome, '4');
  assert.equal(event.outcomeDesc, 'HTTP 404: no prescription has the number X');
  assert.equal(event.agent?.find((a) => a.requestor)?.type?.coding?.[0]?.code, 'IRCP');
  const line = auditLineOf(event);
  assert.equal(line.who, 'operator:bob');
  assert.equal(line.outcomeDesc, 'HTTP 404: no prescription has the number X');
});

test('a professional’s event reads back as their RPPS and profession', () => {
  const event = buildAuditEvent(
    {
      id: 'a1',
      recorded: '2026-12-01T10:00:00.000Z',
      event: { type: 'rest', interaction: 'read', action: 'R', name: 'prescription.read' },
      outcome: { status: 200 },
      agent: {
        nationalId: '899900000110',
        rpps: '99900000110',
        profession: 'pharmacist',
        organization: {},
        role: 'dispenser',
        subject: 's',
      },
      request: { method: 'GET', path: '/prescriptions/X', requestId: 'req-9' },
    },
    {},
    gateway,
  );
  const line = auditLineOf(event);
  assert.equal(line.who, '99900000110');
  assert.equal(line.profession, 'pharmacist');
  assert.equal(line.role, 'dispenser');
  assert.equal(line.requestId, 'req-9');
});
