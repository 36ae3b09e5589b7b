/**
 * The auditor API (/audit/fhir): read-only, whitelisted FHIR search on the store, with paging
 * links pointing at the gateway; types it does not serve are 404; no patient demographics in
 * anything it answers; a public CapabilityStatement a standard FHIR client starts from. Refused
 * queries never reach the store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type {
  AuditEvent,
  Bundle,
  CapabilityStatement,
  DocumentReference,
  FhirResource,
  Patient,
  RequestGroup,
} from 'fhir/r4';
import { AUDITED_TYPES, AUDIT_SEARCH_PARAMETERS, searchParametersOf } from '../../gateway/audit/search-whitelist';
import { newAuditId } from '../../queue/audit/jobs';
import { writeAuditEvent } from '../../usecases/audit/record-audit-event';
import { bearerFor } from '../support/auth';
import { postPrescription } from '../support/post-prescription';
import { countingFhirClient, type CountingFhirClient } from '../support/counting-fhir-client';
import { testConfig } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { freshNumber, uniquify, vendorExamples } from '../support/vendor-fixtures';

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
    ['an unknown parameter', '/audit/fhir/AuditEvent?name=x'],
    ['_include (would pull in patients)', '/audit/fhir/AuditEvent?_include=AuditEvent:patient'],
    ['_revinclude', '/audit/fhir/RequestGroup?_revinclude=Provenance:target'],
    ['a chained parameter', '/audit/fhir/MedicationRequest?subject.name=ESSAI'],
    ['a type modifier with a chain', '/audit/fhir/MedicationRequest?subject:Patient.name=ESSAI'],
    ['_has', '/audit/fhir/RequestGroup?_has:AuditEvent:entity:agent=x'],
    ['a _count over the limit', '/audit/fhir/AuditEvent?_count=5000'],
    ['an unknown modifier', '/audit/fhir/AuditEvent?entity-identifier:of-type=x'],
    ['the :missing modifier (a full scan on the store)', '/audit/fhir/MedicationRequest?patient:missing=true'],
    ['a chain to the patient’s demographics', '/audit/fhir/RequestGroup?patient.birthdate=1979-03-15'],
    ['a sort by the patient’s demographics', '/audit/fhir/RequestGroup?_sort=patient.birthdate'],
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

describe('a type the auditor API does not serve is not there: 404, before the store is asked', () => {
  const notServed = [
    '/audit/fhir/Binary/1',
    '/audit/fhir/List?_count=1',
    '/audit/fhir/NoSuchType',
    '/audit/fhir/constructor',
    '/audit/fhir/constructor/1',
  ];
  for (const path of notServed) {
    test(path, async () => {
      const before = store.calls();
      const res = await request(gw.app).get(path).set('authorization', auditor).expect(404);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].code, 'not-found');
      assert.equal(store.calls(), before);
    });
  }
});

describe('GET /audit/fhir/metadata', () => {
  test('public: a CapabilityStatement of the served types, read and search-type only, with their parameters', async () => {
    const before = store.calls();
    const res = await request(gw.app).get('/audit/fhir/metadata').expect(200);
    assert.match(res.headers['content-type'] ?? '', /^application\/fhir\+json/);
    const cs = res.body as CapabilityStatement;
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.kind, 'instance');
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.deepEqual(cs.format, ['json']);
    assert.equal(cs.implementation?.url, `${gw.deps.config.publicBaseUrl}/audit/fhir`);
    const rest = cs.rest?.[0];
    assert.equal(rest?.mode, 'server');
    assert.equal(rest?.security?.service?.[0]?.coding?.[0]?.code, 'OAuth');
    assert.deepEqual(
      rest?.resource?.map((r) => r.type),
      AUDITED_TYPES,
    );
    for (const resource of rest?.resource ?? []) {
      assert.deepEqual(
        resource.interaction?.map((i) => i.code),
        ['read', 'search-type'],
      );
      const names = (resource.searchParam ?? []).map((p) => p.name);
      for (const name of Object.keys(AUDIT_SEARCH_PARAMETERS[resource.type as keyof typeof AUDIT_SEARCH_PARAMETERS]))
        assert.ok(names.includes(name), `${resource.type}: ${name}`);
    }
    assert.ok(!res.text.includes(STORE_BASE), 'the store base URL must not appear');
    assert.equal(store.calls(), before, 'the store is not asked');
  });

  test('a standard FHIR client (fhir-kit-client) reads /metadata, then searches and reads', async () => {
    const server = gw.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { Client } = await import('fhir-kit-client');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit/fhir`;
      const anonymous = new Client({ baseUrl: base });
      const cs = (await anonymous.capabilityStatement()) as unknown as CapabilityStatement;
      assert.ok(cs.rest?.[0]?.resource?.some((r) => r.type === 'RequestGroup'));
      const client = new Client({ baseUrl: base, customHeaders: { authorization: auditor } });
      const found = (await client.search({
        resourceType: 'RequestGroup',
        searchParams: { _count: '1' },
      })) as unknown as Bundle;
      assert.equal(found.resourceType, 'Bundle');
      const first = found.entry?.[0]?.resource;
      if (first)
        assert.equal(
          ((await client.read({ resourceType: 'RequestGroup', id: first.id! })) as unknown as RequestGroup).id,
          first.id,
        );
      // Without a token the same search is refused.
      await assert.rejects(anonymous.search({ resourceType: 'RequestGroup', searchParams: { _count: '1' } }));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('no patient demographics through any served type', () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
  let ins: { system: string; value: string };
  let patientId: string;
  let secrets: string[];
  const documentIds: string[] = [];

  before(async () => {
    const unique = uniquify(example);
    const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
    const posted = await postPrescription(gw.app, auth, example.format, unique.body);
    assert.equal(posted.status, 201, posted.text);
    const stored = await gw.deps.fhir.search<Patient>('Patient', { identifier: unique.ins });
    const patient = stored.entry![0]!.resource!;
    patientId = patient.id!;
    ins = { system: patient.identifier![0]!.system!, value: unique.ins };
    const fixture = JSON.parse(unique.body.toString());
    secrets = [
      fixture.patient.nom,
      fixture.patient.prenom,
      fixture.patient.dateNaissance,
      '1 rue de l’Essai',
      '0600000000',
    ];
    assert.ok(secrets.slice(0, 3).every(Boolean), 'the example names its patient');
    // Two DMP-like entries with the patient contained with their demographics (as the DMP feed's
    // sourcePatientInfo, documents/dmp/provide-bundle.ts) — here also an address and a phone number, a
    // narrative and displays — and, unlike the feed (subject by INS), a subject reference.
    for (let i = 0; i < 2; i++) {
      const document: DocumentReference = {
        resourceType: 'DocumentReference',
        text: {
          status: 'generated',
          div: `<div xmlns="http://www.w3.org/1999/xhtml">${fixture.patient.nom} ${fixture.patient.prenom}</div>`,
        },
        contained: [
          {
            resourceType: 'Patient',
            id: 'patient',
            identifier: patient.identifier,
            name: patient.name,
            gender: patient.gender,
            birthDate: patient.birthDate,
            address: [{ line: ['1 rue de l’Essai'], city: 'Essai' }],
            telecom: [{ system: 'phone', value: '0600000000' }],
          } as Patient,
        ],
        status: 'current',
        type: { coding: [{ system: 'http://loinc.org', code: '57833-6' }] },
        subject: { reference: `Patient/${patientId}`, display: `${fixture.patient.nom} ${fixture.patient.prenom}` },
        content: [{ attachment: { contentType: 'text/xml', url: 'Binary/1' } }],
        context: { sourcePatientInfo: { reference: '#patient' } },
      };
      documentIds.push((await gw.deps.fhir.create(document)).resource.id!);
    }
  });

  const assertNoDemographics = (text: string, where: string) => {
    for (const secret of secrets) assert.ok(!text.includes(secret), `"${secret}" in ${where}`);
    for (const element of ['"birthDate"', '"gender"', '"address"', '"telecom"'])
      assert.ok(!text.includes(element), `${element} in ${where}`);
  };

  test('searches by patient, on every served type', async () => {
    const found: Record<string, number> = {};
    for (const type of AUDITED_TYPES.filter((t) => 'patient' in searchParametersOf(t))) {
      const res = await request(gw.app)
        .get(`/audit/fhir/${type}`)
        .query({ patient: `Patient/${patientId}`, _count: '50' })
        .set('authorization', auditor)
        .expect(200);
      assertNoDemographics(res.text, `${type}?patient=`);
      found[type] = ((res.body as Bundle).entry ?? []).length;
    }
    // Not vacuous: the prescription's resources and the documents were there.
    for (const type of ['RequestGroup', 'MedicationRequest', 'Consent', 'DocumentReference'])
      assert.ok(found[type]! > 0, `${type}: ${JSON.stringify(found)}`);
  });

  test('a DocumentReference, read or searched by INS: its contained patient is the INS only, and still resolves', async () => {
    const byIns = await request(gw.app)
      .get('/audit/fhir/DocumentReference')
      .query({ 'patient.identifier': `${ins.system}|${ins.value}` })
      .set('authorization', auditor)
      .expect(200);
    assertNoDemographics(byIns.text, 'DocumentReference?patient.identifier=');
    assert.deepEqual(((byIns.body as Bundle).entry ?? []).map((e) => e.resource!.id).sort(), [...documentIds].sort());

    const read = await request(gw.app)
      .get(`/audit/fhir/DocumentReference/${documentIds[0]}`)
      .set('authorization', auditor)
      .expect(200);
    assertNoDemographics(read.text, 'DocumentReference/<id>');
    const document = read.body as DocumentReference;
    assert.equal(document.text, undefined);
    assert.deepEqual(document.subject, { reference: `Patient/${patientId}` });
    assert.equal(document.context?.sourcePatientInfo?.reference, '#patient');
    assert.deepEqual(Object.keys(document.contained![0]!).sort(), ['id', 'identifier', 'resourceType']);
    assert.deepEqual(
      (document.contained![0] as Patient).identifier?.map((i) => i.value),
      [ins.value],
    );
  });

  test('the next pages are minimised too', async () => {
    const first = await request(gw.app)
      .get('/audit/fhir/DocumentReference')
      .query({ patient: `Patient/${patientId}`, _count: '1' })
      .set('authorization', auditor)
      .expect(200);
    const next = new URL((first.body as Bundle).link!.find((l) => l.relation === 'next')!.url);
    const page = await request(gw.app).get(`${next.pathname}${next.search}`).set('authorization', auditor).expect(200);
    assert.equal((page.body as Bundle<FhirResource>).entry?.[0]?.resource?.resourceType, 'DocumentReference');
    assertNoDemographics(page.text, 'the next page');
  });

  test('the Patient itself is there as its id and identifiers only (references to it resolve), no demographics', async () => {
    const res = await request(gw.app).get(`/audit/fhir/Patient/${patientId}`).set('authorization', auditor).expect(200);
    assertNoDemographics(res.text, 'Patient/<id>');
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'identifier', 'resourceType']);
    const found = await request(gw.app)
      .get('/audit/fhir/Patient')
      .query({ _id: patientId })
      .set('authorization', auditor)
      .expect(200);
    assertNoDemographics(found.text, 'Patient?_id');
    assert.equal((found.body as Bundle).entry?.length, 1);
  });
});

describe('what a structure accessed', () => {
  test('AuditEvent?agent-location-identifier=<FINESS> finds the events of professionals acting from it, and only those', async () => {
    const finessSystem = 'https://finess.esante.gouv.fr';
    const [ours, theirs] = [
      `99${Date.now() % 10_000_000}`.padEnd(9, '0'),
      `98${Date.now() % 10_000_000}`.padEnd(9, '0'),
    ];
    const event = (finess: string): AuditEvent => ({
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      recorded: new Date().toISOString(),
      outcome: '0',
      agent: [
        {
          requestor: true,
          who: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899900012347' } },
          location: { identifier: { system: finessSystem, value: finess } },
        },
      ],
      source: { observer: { display: 'ordo-gateway test' } },
    });
    const [a, b] = [await store.fhir.create(event(ours)), await store.fhir.create(event(theirs))];
    const found = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ 'agent-location-identifier': `${finessSystem}|${ours}` })
      .set('authorization', auditor)
      .expect(200);
    const ids = ((found.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource?.id);
    assert.deepEqual(ids, [a.resource.id]);
    assert.ok(!ids.includes(b.resource.id));
  });
});
