/**
 * The FHIR harness (tools/fhir-validator: HAPI 8.8.0 generic client + FhirInstanceValidator) can
 * fail: an unresolvable reference, an unknown profile, a violated project profile are each
 * reported, while clean resources pass. A tiny HTTP server stands in for the gateway: it serves
 * /fhir/metadata and this repository's StructureDefinitions as a paged searchset (the way the
 * gateway will), a $process-message endpoint and a paged, token-protected audit API. One JVM for
 * the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { syntheticIns } from '../support/synthetic';
import {
  describeFindings,
  resultNamed,
  runFhirValidator,
  type ClientMessageResult,
  type ClientSearchResult,
  type FhirValidatorReport,
} from '../support/fhir-validator';

const SD_DIR = resolve(__dirname, '..', '..', 'profiles', 'structure-definitions');
const STRUCTURE_DEFINITIONS = readdirSync(SD_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(SD_DIR, f), 'utf8')) as { id: string; url: string });
const PAGE_SIZE = 7; // 22 definitions: four pages, so the loader must follow `next`
const MESSAGE_TOKEN = 'message-token';
const AUDITOR_TOKEN = 'auditor-token';
const READER_TOKEN = 'reader-token';
const ORDO_PATIENT = 'https://ordo-gateway.example.org/fhir/StructureDefinition/ordo-patient';

type Json = Record<string, unknown>;

let server: Server;
let base: string; // http://127.0.0.1:<port>
const requests: string[] = [];
let report: FhirValidatorReport;

function send(res: ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
}

const outcome = (code: string, diagnostics: string): Json => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});

function searchset(self: string, entries: Json[], total: number, next?: string): Json {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link: [{ relation: 'self', url: self }, ...(next ? [{ relation: 'next', url: next }] : [])],
    entry: entries,
  };
}

const capabilityStatement = (): Json => ({
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2026-12-01',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  rest: [{ mode: 'server' }],
});

const auditEvent = (id: string): Json => ({
  resourceType: 'AuditEvent',
  id,
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded: '2026-12-01T10:00:00+01:00',
  outcome: '0',
  agent: [{ requestor: true, who: { display: 'synthetic pharmacist' } }],
  source: { observer: { display: 'fhir-validator test server' } },
});
const AUDIT_IDS = ['a1', 'a2', 'a3'];

/** The stand-in gateway. */
function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', base);
  const auth = req.headers.authorization ?? '';
  requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);

  if (req.method === 'GET' && (url.pathname === '/fhir/metadata' || url.pathname === '/audit/fhir/metadata')) {
    return send(res, 200, capabilityStatement());
  }
  if (req.method === 'GET' && url.pathname === '/fhir/StructureDefinition') {
    const page = Number(url.searchParams.get('page') ?? '1');
    const slice = STRUCTURE_DEFINITIONS.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const hasNext = page * PAGE_SIZE < STRUCTURE_DEFINITIONS.length;
    const entries = slice.map((sd) => ({
      fullUrl: `${base}/fhir/StructureDefinition/${sd.id}`,
      resource: sd,
      search: { mode: 'match' },
    }));
    const pageUrl = (n: number) => `${base}/fhir/StructureDefinition?page=${n}`;
    return send(
      res,
      200,
      searchset(pageUrl(page), entries, STRUCTURE_DEFINITIONS.length, hasNext ? pageUrl(page + 1) : undefined),
    );
  }
  const otherConformance = /^\/fhir\/(CodeSystem|ValueSet|SearchParameter|MessageDefinition|OperationDefinition)$/;
  if (req.method === 'GET' && otherConformance.test(url.pathname)) {
    return send(res, 200, searchset(`${base}${url.pathname}`, [], 0));
  }
  if (req.method === 'GET' && url.pathname.startsWith('/fhir/Patient/')) {
    if (auth !== `Bearer ${READER_TOKEN}`) return send(res, 401, outcome('login', 'token required'));
    const id = url.pathname.split('/')[3];
    if (id !== 'known') return send(res, 404, outcome('not-found', 'no such patient'));
    return send(res, 200, { resourceType: 'Patient', id, gender: 'unknown' });
  }
  if (req.method === 'POST' && url.pathname === '/fhir/$process-message') {
    if (auth !== `Bearer ${MESSAGE_TOKEN}`) return send(res, 401, outcome('login', 'token refused'));
    const request = JSON.parse(body) as { entry: { resource: { id: string } }[] };
    return send(res, 200, {
      resourceType: 'Bundle',
      id: 'response-1',
      type: 'message',
      timestamp: '2026-12-01T10:00:00+01:00',
      entry: [
        {
          fullUrl: 'urn:uuid:0d0c6f7e-9a4b-4c55-9e1e-3b2a1c0f0a01',
          resource: {
            resourceType: 'MessageHeader',
            id: 'response-header-1',
            eventUri: 'urn:example:event:test',
            source: { endpoint: `${base}/fhir` },
            response: { identifier: request.entry[0]!.resource.id, code: 'ok' },
          },
        },
      ],
    });
  }
  if (url.pathname.startsWith('/audit/fhir/AuditEvent')) {
    if (auth !== `Bearer ${AUDITOR_TOKEN}`) return send(res, 401, outcome('login', 'auditor token required'));
    const id = url.pathname.split('/')[4];
    if (id) {
      if (!AUDIT_IDS.includes(id)) return send(res, 404, outcome('not-found', 'no such AuditEvent'));
      return send(res, 200, auditEvent(id));
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const slice = AUDIT_IDS.slice((page - 1) * 2, page * 2);
    const pageUrl = (n: number) => `${base}/audit/fhir/AuditEvent?page=${n}`;
    const entries = slice.map((i) => ({
      fullUrl: `${base}/audit/fhir/AuditEvent/${i}`,
      resource: auditEvent(i),
      search: { mode: 'match' },
    }));
    return send(res, 200, searchset(pageUrl(page), entries, AUDIT_IDS.length, page < 2 ? pageUrl(2) : undefined));
  }
  send(res, 404, outcome('not-found', `${req.method ?? ''} ${url.pathname}`));
}

function ordoPatient(violating: boolean): Json {
  const ins = syntheticIns();
  return {
    resourceType: 'Patient',
    id: violating ? 'ordo-patient-bad' : 'ordo-patient-ok',
    meta: { profile: [ORDO_PATIENT] },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Synthetic patient</div>' },
    identifier: [{ system: `urn:oid:${ins.oid}`, value: ins.value }],
    name: [{ family: 'Synthetique', given: ['Camille'] }],
    gender: 'female',
    ...(violating ? {} : { birthDate: '1980-02-03' }), // ordo-patient: birthDate 1..1
  };
}

const narrative = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">synthetic</div>' };

function observationOf(id: string, subject: string): Json {
  return {
    resourceType: 'Observation',
    id,
    text: narrative,
    status: 'final',
    code: { text: 'synthetic observation' },
    subject: { reference: subject },
    effectiveDateTime: '2026-12-01T10:00:00+01:00',
    performer: [{ display: 'synthetic performer' }],
  };
}

const UUID_PATIENT = 'urn:uuid:7c1f7d3e-0a43-4a7e-9b8f-2a0d3c4b5e01';
const UUID_OBSERVATION = 'urn:uuid:7c1f7d3e-0a43-4a7e-9b8f-2a0d3c4b5e02';

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fhir = `${base}/fhir`;
  const patient = { resourceType: 'Patient', id: 'p1', text: narrative, gender: 'unknown' };

  report = await runFhirValidator({
    authorization: `Bearer ${READER_TOKEN}`,
    conformance: { base: fhir },
    client: {
      base: fhir,
      auditBase: `${base}/audit/fhir`,
      auditorToken: `Bearer ${AUDITOR_TOKEN}`,
      messages: [
        { name: 'accepted', token: MESSAGE_TOKEN, bundle: messageBundle() },
        { name: 'refused', token: 'wrong-token', bundle: messageBundle() },
      ],
      auditSearches: [{ name: 'audit', type: 'AuditEvent', params: { _count: 2, date: 'ge2026-01-01' } }],
    },
    validate: [
      { name: 'clean', resource: patient },
      {
        name: 'unknown-profile',
        resource: {
          ...patient,
          id: 'p2',
          meta: { profile: ['https://ordo-gateway.example.org/fhir/StructureDefinition/none'] },
        },
      },
      { name: 'ordo-patient-ok', resource: ordoPatient(false) },
      { name: 'ordo-patient-bad', resource: ordoPatient(true) },
      {
        name: 'relative-under-urn',
        resource: bundleOf([
          [UUID_PATIENT, patient],
          [UUID_OBSERVATION, observationOf('o1', 'Patient/p1')],
        ]),
      },
      {
        name: 'uuid-references',
        resource: bundleOf([
          [UUID_PATIENT, patient],
          [UUID_OBSERVATION, observationOf('o1', UUID_PATIENT)],
        ]),
      },
      {
        name: 'relative-under-restful',
        resource: bundleOf([
          [`${fhir}/Patient/p1`, patient],
          [`${fhir}/Observation/o1`, observationOf('o1', 'Patient/p1')],
          [`${fhir}/Observation/o2`, observationOf('o2', 'Patient/p1/_history/3')],
        ]),
      },
      {
        name: 'absolute-outside',
        resource: bundleOf([
          [`${fhir}/Observation/o1`, observationOf('o1', `${fhir}/Patient/known`)],
          [`${fhir}/Observation/o2`, observationOf('o2', `${fhir}/Patient/missing`)],
        ]),
      },
      {
        name: 'absolute-outside-without-token',
        authorization: 'Bearer not-the-reader',
        resource: bundleOf([[`${fhir}/Observation/o1`, observationOf('o1', `${fhir}/Patient/known`)]]),
      },
      {
        name: 'contained',
        resource: {
          ...observationOf('o3', '#pat'),
          contained: [{ resourceType: 'Patient', id: 'pat', gender: 'unknown' }],
          performer: [{ reference: '#someone-else' }],
        },
      },
    ],
  });
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function bundleOf(entries: [string, Json][]): Json {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: entries.map(([fullUrl, resource]) => ({ fullUrl, resource })),
  };
}

function messageBundle(): Json {
  return {
    resourceType: 'Bundle',
    id: 'message-1',
    type: 'message',
    timestamp: '2026-12-01T10:00:00+01:00',
    entry: [
      {
        fullUrl: 'urn:uuid:4e0b2a4c-5f7d-4f3e-8a0b-6c1d2e3f4a01',
        resource: {
          resourceType: 'MessageHeader',
          id: 'header-1',
          eventUri: 'urn:example:event:test',
          source: { endpoint: 'urn:example:sender' },
        },
      },
    ],
  };
}

const refs = (name: string) => resultNamed(report, name).unresolvedReferences;

describe('conformance part', () => {
  test('reads /metadata first, then loads every StructureDefinition served, following next links', () => {
    assert.deepEqual(report.failures, []);
    assert.equal(report.conformance?.byType.StructureDefinition, STRUCTURE_DEFINITIONS.length);
    assert.equal(report.conformance?.loaded, STRUCTURE_DEFINITIONS.length);
    assert.deepEqual(
      [...(report.conformance?.structureDefinitions ?? [])].sort(),
      STRUCTURE_DEFINITIONS.map((sd) => sd.url).sort(),
    );
    assert.equal(requests[0], 'GET /fhir/metadata', `first request: ${requests[0]}`);
    const sdRequests = requests.filter((r) => r.startsWith('GET /fhir/StructureDefinition'));
    assert.deepEqual(sdRequests, [
      'GET /fhir/StructureDefinition',
      'GET /fhir/StructureDefinition?page=2',
      'GET /fhir/StructureDefinition?page=3',
      'GET /fhir/StructureDefinition?page=4',
    ]);
  });

  test('a resource claiming the served ordo-patient profile and meeting it gives 0 errors', () => {
    const result = resultNamed(report, 'ordo-patient-ok');
    assert.deepEqual(result.errors, [], describeFindings([result]));
  });

  test('a resource violating the served ordo-patient profile is an error', () => {
    const { errors } = resultNamed(report, 'ordo-patient-bad');
    assert.ok(
      errors.some(
        (e) => /birthDate/.test(`${e.location ?? ''} ${e.message}`) && /minimum required = 1/.test(e.message),
      ),
      JSON.stringify(errors, null, 2),
    );
  });
});

describe('validation part', () => {
  test('a clean R4 resource gives 0 errors and 0 unresolved references', () => {
    const result = resultNamed(report, 'clean');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.unresolvedReferences, []);
  });

  test('an unknown meta.profile is an error', () => {
    const { errors } = resultNamed(report, 'unknown-profile');
    assert.ok(
      errors.some((e) => e.messageId === 'Validation_VAL_Profile_Unknown'),
      JSON.stringify(errors, null, 2),
    );
  });

  test('a relative reference under a urn:uuid fullUrl is unresolved (R4: no base to resolve it against)', () => {
    const mine = refs('relative-under-urn').filter((u) => u.source === 'r4-rules');
    assert.deepEqual(
      mine.map((u) => [u.path, u.reference]),
      [['Bundle.entry[1].resource.subject', 'Patient/p1']],
    );
    assert.match(mine[0]!.reason, /not a RESTful URL/);
  });

  test('a urn:uuid reference to an entry, and relative references under RESTful fullUrls, resolve', () => {
    assert.deepEqual(refs('uuid-references'), []);
    assert.deepEqual(
      refs('relative-under-restful').map((u) => [u.path, u.reference]),
      [['Bundle.entry[2].resource.subject', 'Patient/p1/_history/3']],
    );
    assert.match(refs('relative-under-restful')[0]!.reason, /has no meta\.versionId/);
    assert.deepEqual(resultNamed(report, 'relative-under-restful').resolvedByRead, []);
  });

  test('an absolute reference outside the Bundle resolves only when readable at its address with the Authorization given', () => {
    const result = resultNamed(report, 'absolute-outside');
    assert.deepEqual(
      result.resolvedByRead.map((r) => r.path),
      ['Bundle.entry[0].resource.subject'],
    );
    assert.deepEqual(
      result.unresolvedReferences.map((u) => [u.path, u.reason]),
      [
        [
          'Bundle.entry[1].resource.subject',
          `no entry has fullUrl ${base}/fhir/Patient/missing; GET ${base}/fhir/Patient/missing answered 404`,
        ],
      ],
    );
    const withoutToken = refs('absolute-outside-without-token');
    assert.equal(withoutToken.length, 1);
    assert.match(withoutToken[0]!.reason, /answered 401/);
  });

  test('a #local reference must match a contained resource', () => {
    assert.deepEqual(
      refs('contained')
        .filter((u) => u.source === 'r4-rules')
        .map((u) => [u.path, u.reference]),
      [['Observation.performer[0]', '#someone-else']],
    );
  });
});

describe('client part (HAPI default generic client)', () => {
  const messages = () => (report.client ?? []).filter((c): c is ClientMessageResult => c.kind === 'message');

  test('sends a message with $process-message after reading /metadata, and returns the response as served', () => {
    const accepted = messages().find((m) => m.name === 'accepted');
    assert.equal(accepted?.error, undefined);
    assert.deepEqual(
      accepted?.exchanges.map((e) => `${e.method} ${e.url.slice(base.length)} ${e.status}`),
      ['GET /fhir/metadata 200', 'POST /fhir/$process-message?async=false 200'],
    );
    assert.equal(accepted?.status, 200);
    const header = (accepted?.response as { entry: { resource: { response: { code: string } } }[] }).entry[0]!;
    assert.equal(header.resource.response.code, 'ok');
    const response = resultNamed(report, 'accepted/response');
    assert.deepEqual(response.errors, [], describeFindings([response]));
  });

  test('a refused message is a reported finding with the status and body, not a crash', () => {
    const refused = messages().find((m) => m.name === 'refused');
    assert.match(refused?.error ?? '', /HTTP 401/);
    assert.equal(refused?.status, 401);
    assert.equal((refused?.response as { resourceType?: string }).resourceType, 'OperationOutcome');
  });

  test('pages an audit search with next links and reads one resource of each page by its fullUrl', () => {
    const search = (report.client ?? []).find((c): c is ClientSearchResult => c.kind === 'search');
    assert.equal(search?.error, undefined);
    assert.deepEqual(
      search?.pages.map((p) => [p.number, p.status, p.entries, p.read?.status, p.read?.fullUrl]),
      [
        [1, 200, 2, 200, `${base}/audit/fhir/AuditEvent/a1`],
        [2, 200, 1, 200, `${base}/audit/fhir/AuditEvent/a3`],
      ],
    );
    assert.ok(requests.includes('GET /audit/fhir/metadata'), 'the client reads the audit base /metadata');
    assert.match(search?.pages[0]!.url ?? '', /AuditEvent\?_count=2&date=ge2026-01-01$/);
    for (const name of ['audit/page-1', 'audit/page-2', 'audit/page-1/read', 'audit/page-2/read']) {
      const result = resultNamed(report, name);
      assert.deepEqual(result.errors, [], describeFindings([result]));
      assert.deepEqual(result.unresolvedReferences, []);
    }
  });
});
