#!/usr/bin/env node
// Smoke test of a running FHIR server (the local launcher or the hapiproject/hapi image):
//   node fhir-server/smoke-test.mjs [baseUrl]     (default http://127.0.0.1:${HAPI_PORT:-8080}/fhir)
// Uses unique identifiers per run and deletes what it created, so it can run against a shared server.
// Prints one line per check and ends with "N passed, N failed"; exit code 1 when a check failed.
// Env: SMOKE_EXPECT_412=0 accepts 409 as well for a stale If-Match (stock HAPI answers 409).

const base = (process.argv[2] || `http://127.0.0.1:${process.env.HAPI_PORT || 8080}/fhir`).replace(/\/$/, '');
const expect412 = process.env.SMOKE_EXPECT_412 !== '0';
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const SYS_PID = 'urn:ordo:smoke:patient';
const SYS_RX = 'urn:ordo:smoke:rx';
const SYS_REQ = 'urn:ordo:smoke:req';
const JSON_CT = 'application/fhir+json';

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` -- ${detail}` : ''}`);
}

async function req(method, path, body, headers = {}) {
  const res = await fetch(path.startsWith('http') ? path : `${base}/${path}`, {
    method,
    headers: { Accept: JSON_CT, ...(body ? { 'Content-Type': JSON_CT } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
const total = async (query) => (await req('GET', `${query}&_summary=count`)).json?.total;
const errors = (oo) => (oo?.issue || []).filter((i) => i.severity === 'error' || i.severity === 'fatal');
const ids = (bundle, mode) =>
  (bundle?.entry || [])
    .filter((e) => !mode || e.search?.mode === mode)
    .map((e) => `${e.resource.resourceType}/${e.resource.id}`);

async function main() {
  const t0 = Date.now();
  const meta = await req('GET', 'metadata');
  check(
    'GET /metadata is 200 (FHIR 4.0.x)',
    meta.status === 200 && /^4\.0/.test(meta.json?.fhirVersion || ''),
    `${meta.status} ${meta.json?.fhirVersion}`,
  );
  if (meta.status !== 200) return;

  // -- plain create, ETag
  const p1 = await req('POST', 'Patient', {
    resourceType: 'Patient',
    identifier: [{ system: SYS_PID, value: `A-${run}` }],
    name: [{ family: 'Smoke' }],
  });
  const pid = p1.json?.id;
  check(
    'create Patient -> 201 + ETag W/"1"',
    p1.status === 201 && p1.headers.get('etag') === 'W/"1"',
    `${p1.status} ${p1.headers.get('etag')}`,
  );

  // -- transaction: conditional create (ifNoneExist) + reference via urn:uuid
  const tx = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:7f0c8a3e-0000-4000-8000-000000000001',
        resource: { resourceType: 'Patient', identifier: [{ system: SYS_PID, value: `B-${run}` }] },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS_PID}|B-${run}` },
      },
      {
        fullUrl: 'urn:uuid:7f0c8a3e-0000-4000-8000-000000000002',
        resource: {
          resourceType: 'MedicationRequest',
          status: 'active',
          intent: 'order',
          groupIdentifier: { system: SYS_RX, value: run },
          medicationCodeableConcept: { text: 'smoke' },
          subject: { reference: 'urn:uuid:7f0c8a3e-0000-4000-8000-000000000001' },
        },
        request: { method: 'POST', url: 'MedicationRequest' },
      },
    ],
  };
  const tx1 = await req('POST', '', tx);
  const txPatient = tx1.json?.entry?.[0]?.response?.location?.split('/')[1];
  const mrId = tx1.json?.entry?.[1]?.response?.location?.split('/')[1];
  const mr = mrId ? await req('GET', `MedicationRequest/${mrId}`) : {};
  check(
    'transaction: conditional create + urn:uuid reference',
    tx1.status === 200 && !!txPatient && mr.json?.subject?.reference === `Patient/${txPatient}`,
    `${tx1.status} subject=${mr.json?.subject?.reference}`,
  );
  const tx2 = await req('POST', '', tx);
  const txPatient2 = tx2.json?.entry?.[0]?.response?.location?.split('/')[1];
  check(
    'transaction repeated: same Patient (200), new MedicationRequest',
    tx2.status === 200 && txPatient2 === txPatient && /^200/.test(tx2.json?.entry?.[0]?.response?.status || ''),
    `${txPatient} vs ${txPatient2}`,
  );

  // -- all-or-nothing
  const bad = structuredClone(tx);
  bad.entry[0].resource.identifier[0].value = `C-${run}`;
  bad.entry[0].request.ifNoneExist = `identifier=${SYS_PID}|C-${run}`;
  bad.entry[1].resource.groupIdentifier.value = `bad-${run}`;
  bad.entry[1].resource.subject = { reference: `Patient/missing-${run}` };
  const tx3 = await req('POST', '', bad);
  const leftP = await total(`Patient?identifier=${SYS_PID}|C-${run}`);
  const leftM = await total(`MedicationRequest?group-identifier=${SYS_RX}|bad-${run}`);
  check(
    'transaction with an invalid reference fails and leaves nothing',
    tx3.status >= 400 && tx3.status < 500 && leftP === 0 && leftM === 0,
    `${tx3.status} leftovers ${leftP}/${leftM}`,
  );

  // -- versioning
  const upd = await req('PUT', `Patient/${pid}`, { ...p1.json, name: [{ family: 'Smoke2' }] }, { 'If-Match': 'W/"1"' });
  check(
    'PUT with current If-Match -> 200 + ETag W/"2"',
    upd.status === 200 && upd.headers.get('etag') === 'W/"2"',
    `${upd.status} ${upd.headers.get('etag')}`,
  );
  const stale = await req(
    'PUT',
    `Patient/${pid}`,
    { ...p1.json, name: [{ family: 'Smoke3' }] },
    { 'If-Match': 'W/"1"' },
  );
  check(
    `PUT with stale If-Match -> ${expect412 ? '412' : '412 or 409'}`,
    stale.status === 412 || (!expect412 && stale.status === 409),
    `${stale.status}`,
  );
  const hist = await req('GET', `Patient/${pid}/_history`);
  check('_history has 2 versions', hist.json?.total === 2, `${hist.json?.total}`);
  const cu = await req('PUT', `Patient?identifier=${SYS_PID}|A-${run}`, {
    resourceType: 'Patient',
    identifier: [{ system: SYS_PID, value: `A-${run}` }],
    name: [{ family: 'Smoke4' }],
  });
  check(
    'conditional update by identifier -> 200, same id',
    cu.status === 200 && cu.json?.id === pid,
    `${cu.status} ${cu.json?.id}`,
  );
  const cc = await req(
    'POST',
    'Patient',
    { resourceType: 'Patient', identifier: [{ system: SYS_PID, value: `A-${run}` }] },
    { 'If-None-Exist': `identifier=${SYS_PID}|A-${run}` },
  );
  check(
    'If-None-Exist on an existing match -> 200, no new resource',
    cc.status === 200 && (await total(`Patient?identifier=${SYS_PID}|A-${run}`)) === 1,
    `${cc.status}`,
  );

  // -- $validate against base R4
  const v1 = await req('POST', 'Patient/$validate', { resourceType: 'Patient', gender: 'female' });
  check(
    'Patient/$validate (valid) -> no errors',
    v1.status === 200 && errors(v1.json).length === 0,
    `${v1.status} ${JSON.stringify(errors(v1.json)).slice(0, 200)}`,
  );
  const v2 = await req('POST', 'MedicationRequest/$validate', {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: 'x' },
  });
  check(
    'MedicationRequest/$validate without subject -> error',
    errors(v2.json).some((i) => /subject/.test(i.diagnostics || '')),
    `${v2.status}`,
  );

  // -- $validate against an uploaded StructureDefinition (differential only)
  const sdId = `smoke-mr-${run}`;
  const sdUrl = `urn:ordo:smoke:StructureDefinition:${sdId}`;
  const sd = await req('PUT', `StructureDefinition/${sdId}`, {
    resourceType: 'StructureDefinition',
    id: sdId,
    url: sdUrl,
    name: 'SmokeMedicationRequest',
    status: 'active',
    fhirVersion: '4.0.1',
    kind: 'resource',
    abstract: false,
    type: 'MedicationRequest',
    derivation: 'constraint',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/MedicationRequest',
    differential: {
      element: [{ id: 'MedicationRequest.groupIdentifier', path: 'MedicationRequest.groupIdentifier', min: 1 }],
    },
  });
  check('upload StructureDefinition (differential only)', sd.status === 201 || sd.status === 200, `${sd.status}`);
  const mrBody = {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: { text: 'x' },
    subject: { reference: `Patient/${pid}` },
  };
  const v3 = await req('POST', `MedicationRequest/$validate?profile=${encodeURIComponent(sdUrl)}`, mrBody);
  check(
    '$validate?profile=<uploaded>: missing groupIdentifier -> error',
    errors(v3.json).some((i) => /groupIdentifier/.test(i.diagnostics || '')),
    JSON.stringify(errors(v3.json).map((i) => i.diagnostics)).slice(0, 200),
  );
  const v4 = await req('POST', `MedicationRequest/$validate?profile=${encodeURIComponent(sdUrl)}`, {
    ...mrBody,
    groupIdentifier: { system: SYS_RX, value: run },
  });
  check(
    '$validate?profile=<uploaded>: with groupIdentifier -> no errors',
    v4.status === 200 && errors(v4.json).length === 0,
    JSON.stringify(errors(v4.json).map((i) => i.diagnostics)).slice(0, 200),
  );

  // -- searches
  const s1 = await req('GET', `MedicationRequest?group-identifier=${SYS_RX}|${run}&_include=MedicationRequest:subject`);
  check(
    'MedicationRequest?group-identifier=..&_include=MedicationRequest:subject',
    s1.json?.total === 2 && ids(s1.json, 'include').includes(`Patient/${txPatient}`),
    `${s1.status} ${ids(s1.json)}`,
  );
  const doc = await req('POST', 'DocumentReference', {
    resourceType: 'DocumentReference',
    status: 'current',
    subject: { reference: `Patient/${txPatient}` },
    content: [{ attachment: { contentType: 'text/plain', data: 'aGk=' } }],
  });
  const s2 = await req('GET', `DocumentReference?patient.identifier=${SYS_PID}|B-${run}`);
  check(
    'DocumentReference?patient.identifier=sys|val (chained)',
    s2.json?.total === 1 && ids(s2.json)[0] === `DocumentReference/${doc.json?.id}`,
    `${s2.status} ${ids(s2.json)}`,
  );
  await req('POST', 'ServiceRequest', {
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    requisition: { system: SYS_REQ, value: run },
    subject: { reference: `Patient/${txPatient}` },
  });
  check(
    'ServiceRequest?requisition=..&status=active',
    (await total(`ServiceRequest?requisition=${SYS_REQ}|${run}&status=active`)) === 1,
  );
  const since = new Date(t0 - 1000).toISOString();
  check(
    'MedicationRequest?subject=..&status=active&_lastUpdated=ge..',
    (await total(
      `MedicationRequest?subject=Patient/${txPatient}&status=active&_lastUpdated=ge${encodeURIComponent(since)}`,
    )) === 2,
  );
  check(
    'MedicationRequest?patient.identifier=.. (chained)',
    (await total(`MedicationRequest?patient.identifier=${SYS_PID}|B-${run}`)) === 2,
  );

  // -- clean-up (multiple delete), also exercises allowMultipleDelete
  const d1 = await req('DELETE', `MedicationRequest?group-identifier=${SYS_RX}|${run}`);
  check(
    'conditional DELETE of several resources',
    d1.status === 200 && (await total(`MedicationRequest?group-identifier=${SYS_RX}|${run}`)) === 0,
    `${d1.status}`,
  );
  await req('DELETE', `DocumentReference?patient.identifier=${SYS_PID}|B-${run}`);
  await req('DELETE', `ServiceRequest?requisition=${SYS_REQ}|${run}`);
  await req('DELETE', `StructureDefinition/${sdId}`);
  const d2 = await req('DELETE', `Patient?identifier=${SYS_PID}|A-${run},${SYS_PID}|B-${run}`);
  check('clean-up: Patients deleted', d2.status === 200, `${d2.status}`);
}

main()
  .catch((e) => check('unexpected error', false, e?.stack || String(e)))
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
