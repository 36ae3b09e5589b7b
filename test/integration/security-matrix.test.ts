/**
 * The whole authorization matrix over HTTP: every route of the policy table × every role and
 * profession, allowed or refused as the hand-written table of test/support/expected-access.ts
 * says. A refused call is a 403 OperationOutcome from the security interceptor; an allowed one
 * reaches its handler (which answers whatever it answers for an unknown number or an empty body,
 * but never 401/403/429).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { ROUTES } from '../../gateway/routes/table';
import type { RouteDefinition } from '../../gateway/routes/route';

const ROUTE_TABLE: readonly RouteDefinition[] = ROUTES;
import { type Role } from '../../domain/principal';
import { PROFESSIONS, type Profession } from '../../domain/professions';
import { bearerFor, type TestIdentity } from '../support/auth';
import { EXPECTED_ROUTE_ACCESS, expectedAllowed } from '../support/expected-access';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

interface Probe {
  method: 'get' | 'post' | 'delete';
  path: () => string;
  contentType?: string;
  body?: string;
}

/** One concrete request per route, written here (not derived from the policy's patterns). */
const PROBES: Record<string, Probe> = {
  'prescription.create': { method: 'post', path: () => '/prescriptions', contentType: 'text/plain', body: 'x' },
  'prescription.validate': {
    method: 'post',
    path: () => '/prescriptions/$validate',
    contentType: 'text/plain',
    body: 'x',
  },
  'prescription.scan': {
    method: 'post',
    path: () => '/prescriptions/scan',
    contentType: 'application/json',
    body: '{}',
  },
  'prescription.read': { method: 'get', path: () => `/prescriptions/${freshNumber()}` },
  'dispense.record': {
    method: 'post',
    path: () => `/prescriptions/${freshNumber()}/dispenses`,
    contentType: 'application/json',
    body: '{}',
  },
  'dispense.read': { method: 'get', path: () => `/prescriptions/${freshNumber()}/dispenses` },
  'prescription.cancel': {
    method: 'post',
    path: () => `/prescriptions/${freshNumber()}/cancel`,
    contentType: 'application/json',
    body: '{}',
  },
  'prescription.replace': {
    method: 'post',
    path: () => `/prescriptions/${freshNumber()}/replace`,
    contentType: 'application/json',
    body: '{}',
  },
  'consent.record': {
    method: 'post',
    path: () => `/prescriptions/${freshNumber()}/consent`,
    contentType: 'application/json',
    body: '{}',
  },
  'prescription.document': { method: 'get', path: () => `/prescriptions/${freshNumber()}/ordonnance.pdf` },
  'fhir.process-message': {
    method: 'post',
    path: () => '/fhir/$process-message',
    contentType: 'text/plain',
    body: 'x',
  },
  'audit.search': { method: 'get', path: () => '/audit/fhir/AuditEvent?_count=1' },
  'audit.read': { method: 'get', path: () => '/audit/fhir/RequestGroup/does-not-exist' },
  'audit.page': { method: 'get', path: () => '/audit/fhir' },
  'audit.write': { method: 'delete', path: () => '/audit/fhir/AuditEvent/1' },
  'ops.queues': { method: 'get', path: () => '/admin/queues' },
  'ops.metrics': { method: 'get', path: () => '/metrics' },
  'ops.dead-letters.list': { method: 'get', path: () => '/admin/dead-letters' },
  'ops.dead-letters.retry': {
    method: 'post',
    path: () => `/admin/dead-letters/dmp-publish/publish-${freshNumber()}-v1/retry`,
  },
  'console.me': { method: 'get', path: () => '/console/api/me' },
};

const IDENTITIES: TestIdentity[] = [
  ...(['prescriber', 'dispenser'] as const).flatMap((role) =>
    PROFESSIONS.map((profession: Profession) => ({ role, profession }) as TestIdentity),
  ),
  { role: 'auditor' },
  { role: 'operator' },
  { role: 'auditor', profession: 'doctor' },
  { role: 'operator', profession: 'pharmacist' },
];

const label = (i: TestIdentity) => `${i.role}${i.profession ? `/${i.profession}` : ''}`;

test('every guarded route of the policy has a probe here, and the expected table covers it', () => {
  const guarded = ROUTE_TABLE.filter((r) => !('public' in r && r.public))
    .map((r) => r.id)
    .sort();
  assert.deepEqual(Object.keys(PROBES).sort(), guarded);
  assert.deepEqual(Object.keys(EXPECTED_ROUTE_ACCESS).sort(), guarded);
});

describe('role × endpoint', () => {
  const tokens = new Map<TestIdentity, string>();
  before(async () => {
    for (const identity of IDENTITIES) tokens.set(identity, await bearerFor(identity));
  });

  for (const rule of ROUTE_TABLE.filter((r) => !('public' in r && r.public))) {
    test(rule.id, async () => {
      const probe = PROBES[rule.id]!;
      let allowedSeen = 0;
      for (const identity of IDENTITIES) {
        const expected = expectedAllowed(rule.id, identity.role as Role, identity.profession);
        let call = request(gw.app)[probe.method](probe.path()).set('authorization', tokens.get(identity)!);
        if (probe.contentType) call = call.set('content-type', probe.contentType);
        const res = await (probe.body !== undefined ? call.send(probe.body) : call);
        const who = `${rule.id} as ${label(identity)}: ${res.status} ${res.text.slice(0, 200)}`;
        if (expected) {
          allowedSeen++;
          assert.ok(![401, 403, 429].includes(res.status), `should be allowed — ${who}`);
        } else {
          assert.equal(res.status, 403, `should be refused — ${who}`);
          assert.equal(res.body.resourceType, 'OperationOutcome', who);
          assert.equal(res.body.issue[0].code, 'forbidden', who);
          assert.match(res.body.issue[0].diagnostics, /^access refused: /, who);
        }
      }
      assert.ok(allowedSeen > 0, `${rule.id}: at least one identity is allowed`);
    });
  }

  test('a route that is in no table is refused to every role', async () => {
    for (const identity of IDENTITIES) {
      const res = await request(gw.app)
        .delete(`/prescriptions/${freshNumber()}`)
        .set('authorization', tokens.get(identity)!);
      assert.equal(res.status, 403, label(identity));
      // /fhir/<Type> serves only the gateway's conformance resources (public): any other type is not found there.
      for (const path of ['/fhir/Patient', '/fhir/Patient/1']) {
        const hapi = await request(gw.app).get(path).set('authorization', tokens.get(identity)!);
        assert.equal(hapi.status, 404, `${label(identity)} must not reach the FHIR store's API`);
        assert.equal(hapi.body.resourceType, 'OperationOutcome');
      }
    }
  });
});
