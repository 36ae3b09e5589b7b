/**
 * The auditor API (/audit/fhir): read-only, whitelisted FHIR search on the store, with paging
 * links pointing at the gateway. Refused queries never reach the store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { AuditEvent, Bundle } from 'fhir/r4';
import { newAuditId } from '../../queue/audit/jobs';
import { writeAuditEvent } from '../../usecases/audit/record-audit-event';
import { bearerFor } from '../support/auth';
import { countingFhirClient, type CountingFhirClient } from '../support/counting-fhir-client';
import { testConfig } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
let auditor: string;
let store: CountingFhirClient;
const STORE_BASE = testConfig().fhirBaseUrl;

before(async () => {
  store = await countingFhirClient();
  gw = await startTestGateway({ fhir: store.fhir });
  auditor = await bearerFor({ role: 'auditor' });
});
after(async () => {
  await gw.close();
});

describe('searches outside the whitelist are refused with 400 before the store is asked', () => {
  const refused: Array<[string, string]> = [
    ['a type that is not auditable', '/audit/fhir/Patient?identifier=x'],
    ['an unknown parameter', '/audit/fhir/AuditEvent?name=x'],
    ['_include (would pull in patients)', '/audit/fhir/AuditEvent?_include=AuditEvent:patient'],
    ['_revinclude', '/audit/fhir/RequestGroup?_revinclude=Provenance:target'],
    ['a chained parameter', '/audit/fhir/MedicationRequest?subject.name=ESSAI'],
    ['a type modifier with a chain', '/audit/fhir/MedicationRequest?subject:Patient.name=ESSAI'],
    ['_has', '/audit/fhir/RequestGroup?_has:AuditEvent:entity:agent=x'],
    ['a _count over the limit', '/audit/fhir/AuditEvent?_count=5000'],
    ['an unknown modifier', '/audit/fhir/AuditEvent?entity-identifier:of-type=x'],
    ['the :missing modifier (a full scan on the store)', '/audit/fhir/MedicationRequest?patient:missing=true'],
    ['a read of a type that is not auditable', '/audit/fhir/Patient/1'],
    ['the base without a paging link', '/audit/fhir?_type=Patient'],
    ['a paging link with an extra parameter', '/audit/fhir?_getpages=abc&_type=Patient'],
  ];
  for (const [name, path] of refused) {
    test(name, async () => {
      const before = store.calls();
      const res = await request(gw.app).get(path).set('authorization', auditor).expect(400);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(store.calls(), before);
    });
  }

  test('whitelisted parameters and safe modifiers are served', async () => {
    await request(gw.app)
      .get('/audit/fhir/MedicationRequest')
      .query({
        'group-identifier': `urn:oid:1.2.250.1.215.500.1.1|${freshNumber()}`,
        'status:not': 'entered-in-error',
        _count: '5',
      })
      .set('authorization', auditor)
      .expect(200);
    await request(gw.app)
      .get('/audit/fhir/Consent')
      .query({ status: 'active', _summary: 'count' })
      .set('authorization', auditor)
      .expect(200);
  });
});

describe('read-only', () => {
  for (const method of ['post', 'put', 'patch', 'delete'] as const) {
    test(`${method.toUpperCase()} → 405`, async () => {
      const before = store.calls();
      const res = await request(gw.app)
        [method]('/audit/fhir/AuditEvent/1')
        .set('authorization', auditor)
        .set('content-type', 'application/fhir+json')
        .send('{}')
        .expect(405);
      assert.equal(res.headers.allow, 'GET');
      assert.equal(res.body.resourceType, 'OperationOutcome');
      await request(gw.app)[method]('/audit/fhir/AuditEvent').set('authorization', auditor).send('{}').expect(405);
      assert.equal(store.calls(), before);
    });
  }
});

describe('bundles point at the gateway, never at the store', () => {
  const number = freshNumber();
  before(async () => {
    // Three audit records on one number, so that a search with _count=1 has pages.
    for (let i = 0; i < 3; i++) {
      await writeAuditEvent(
        { fhir: gw.deps.fhir },
        {
          id: newAuditId(),
          recorded: new Date().toISOString(),
          event: { type: 'rest', interaction: 'read', action: 'R', name: 'prescription.read' },
          outcome: { status: 200 },
          network: '192.0.2.1',
          entity: { number },
        },
      );
    }
  });

  test('paging links (HAPI _getpages) and fullUrls are rewritten to /audit/fhir, and the next page is served', async () => {
    const first = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ 'entity-identifier': `urn:oid:1.2.250.1.215.500.1.1|${number}`, _count: '1' })
      .set('authorization', auditor)
      .expect(200);
    const origin = gw.deps.config.publicBaseUrl;
    assert.ok(!first.text.includes(STORE_BASE), 'the store base URL must not appear');
    assert.ok(!first.text.includes(`:${new URL(STORE_BASE).port}/`), 'the store port must not appear');
    const bundle = first.body as Bundle<AuditEvent>;
    assert.equal(bundle.entry?.length, 1);
    assert.ok(bundle.entry![0]!.fullUrl!.startsWith(`${origin}/audit/fhir/AuditEvent/`), bundle.entry![0]!.fullUrl);
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    assert.ok(next, 'a next link');
    const nextUrl = new URL(next);
    assert.equal(nextUrl.origin, origin);
    assert.equal(nextUrl.pathname, '/audit/fhir');
    assert.ok(nextUrl.searchParams.get('_getpages'));

    const second = await request(gw.app)
      .get(`${nextUrl.pathname}${nextUrl.search}`)
      .set('authorization', auditor)
      .expect(200);
    const page2 = second.body as Bundle<AuditEvent>;
    assert.equal(page2.entry?.length, 1);
    assert.notEqual(page2.entry![0]!.resource!.id, bundle.entry![0]!.resource!.id);
    assert.ok(!second.text.includes(STORE_BASE));
  });

  test('a read by id returns the resource', async () => {
    const search = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ 'entity-identifier': `urn:oid:1.2.250.1.215.500.1.1|${number}`, _count: '1' })
      .set('authorization', auditor)
      .expect(200);
    const id = (search.body as Bundle<AuditEvent>).entry![0]!.resource!.id!;
    const read = await request(gw.app).get(`/audit/fhir/AuditEvent/${id}`).set('authorization', auditor).expect(200);
    assert.equal(read.body.resourceType, 'AuditEvent');
    assert.equal(read.body.id, id);
    await request(gw.app).get('/audit/fhir/AuditEvent/does-not-exist-0').set('authorization', auditor).expect(404);
  });
});
