/**
 * The audit trail: every access and every refused access becomes an AuditEvent (IHE BALP) in
 * the FHIR store, written by the audit worker from a job queued before the answer left; and an
 * auditor answers "who read prescription N, when, from where" through the auditor API alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { AuditEvent, Bundle, RequestGroup } from 'fhir/r4';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { createApp } from '../../gateway/app';
import { IDNATPS_SYSTEM } from '../../fhir/systems';
import { AUDIT_RECORD_SYSTEM, STORE_RESOURCE_SYSTEM } from '../../usecases/audit/build-audit-event';
import { auditDmpPublication, auditQueueOf, newAuditId } from '../../queue/audit/jobs';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { writeAuditEvent } from '../../usecases/audit/record-audit-event';
import { QUEUE_NAMES } from '../../queue/queues';
import { bearerFor } from '../support/auth';
import { startAuditWorker, type TestAuditWorker } from '../support/audit-worker';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';
import { freshNumber, uniquify, vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let audit: TestAuditWorker;

before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await audit?.close();
  await gw.close();
});

const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name.startsWith('valid-drugs-only'))!;
const numberEntity = (n: string) => `${PRESCRIPTION_NUMBER_SYSTEM}|${n}`;
const whoOf = (e: AuditEvent) => e.agent.find((a) => a.requestor && a.who?.identifier)?.who?.identifier?.value;
const addressOf = (e: AuditEvent) => e.agent.find((a) => a.network?.address)?.network?.address;
const eventName = (e: AuditEvent) => e.subtype?.find((c) => c.system === 'urn:ordo-gateway:audit-event')?.code;

async function createPrescription(): Promise<{
  number: string;
  prescriberRpps: string;
  ins: string;
  prescriberAuth: string;
}> {
  const posted = await postUniqueExample(gw.app, example);
  return { number: posted.number, prescriberRpps: posted.prescriberRpps, ins: posted.ins, prescriberAuth: posted.auth };
}

describe('the answer waits for its audit job (no worker running yet)', () => {
  test('a read is answered only once its audit job is in Redis, and the job carries no patient data', async () => {
    const { number, ins } = await createPrescription();
    const queue = gw.deps.queues[QUEUE_NAMES.audit];
    const dispenserRpps = syntheticRpps();
    const requestId = `audit-before-answer-${number}`;
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: dispenserRpps }))
      .set('x-request-id', requestId)
      .expect(200);
    // Right after the answer, without waiting: the job is there.
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    const job = jobs.find((j) => (j.data as AuditJob).request?.requestId === requestId);
    assert.ok(job, 'the audit job was queued before the answer');
    const data = job.data as AuditJob;
    assert.equal(data.event.name, 'prescription.read');
    assert.equal(data.agent?.nationalId, `8${dispenserRpps}`);
    assert.equal(data.entity?.number, number);
    // The handler had read the prescription: the job names its header and patient by logical id,
    // so the audit writer needs no search (and an id is no patient data).
    const [header] = await gw.deps.fhir
      .search<RequestGroup>('RequestGroup', { 'group-identifier': numberEntity(number) })
      .then((b) => (b.entry ?? []).map((e) => e.resource!));
    assert.equal(data.entity?.reference, `RequestGroup/${header!.id}`);
    assert.equal(data.entity?.patient, header!.subject?.reference);
    const serialized = JSON.stringify(data);
    assert.ok(!serialized.includes(ins), 'no INS in the audit job');
    const fixture = JSON.parse(uniquify(example).body.toString());
    for (const secret of [fixture.patient.nom, fixture.patient.prenom, fixture.patient.dateNaissance].filter(Boolean)) {
      assert.ok(!serialized.includes(secret), `no "${secret}" in the audit job`);
    }
  });
});

describe('AuditEvents in the FHIR store', () => {
  before(() => {
    audit = startAuditWorker(gw);
  });

  test('an auditor finds who read prescription N, when and from where — through the auditor API alone', async () => {
    const { number, prescriberRpps, prescriberAuth } = await createPrescription();
    const dispenserRpps = syntheticRpps();
    const otherPrescriberRpps = syntheticRpps();
    const before = new Date();
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: dispenserRpps }))
      .expect(200);
    await request(gw.app)
      .get(`/prescriptions/${number}/ordonnance.pdf`)
      .set('authorization', prescriberAuth)
      .expect(200);
    // refused: another prescriber (resource rule), an auditor on the care API (route rule), no token
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: otherPrescriberRpps }))
      .expect(403);
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'auditor' }))
      .expect(403);
    await request(gw.app).get(`/prescriptions/${number}`).expect(401);
    await audit.drain();

    const auditor = await bearerFor({ role: 'auditor' });
    const res = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ 'entity-identifier': numberEntity(number), subtype: 'read', _sort: 'date', _count: '50' })
      .set('authorization', auditor)
      .expect(200);
    const events = ((res.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource!);
    const reads = events.filter((e) => e.outcome === '0');
    const refused = events.filter((e) => e.outcome !== '0');

    // who: the dispenser (bundle) and the prescriber (PDF); when: recorded; from where: the client address
    assert.deepEqual(reads.map(whoOf).sort(), [`8${dispenserRpps}`, `8${prescriberRpps}`].sort());
    for (const e of reads) {
      assert.equal(e.action, 'R');
      assert.ok(new Date(e.recorded) >= new Date(before.getTime() - 1000), e.recorded);
      assert.match(addressOf(e) ?? '', /127\.0\.0\.1|::1/);
      assert.ok(e.agent.some((a) => a.who?.identifier?.system === IDNATPS_SYSTEM));
    }
    // refused attempts are there too, with who (when known) and why
    assert.equal(refused.length, 3, JSON.stringify(refused.map((e) => [whoOf(e), e.outcomeDesc])));
    assert.ok(refused.some((e) => whoOf(e) === `8${otherPrescriberRpps}` && /403/.test(e.outcomeDesc ?? '')));
    assert.ok(refused.some((e) => whoOf(e) === undefined && /401/.test(e.outcomeDesc ?? '')));

    // The same question by reference: the RequestGroup found through the auditor API, then entity=RequestGroup/<id>
    const group = await request(gw.app)
      .get('/audit/fhir/RequestGroup')
      .query({ 'group-identifier': numberEntity(number) })
      .set('authorization', auditor)
      .expect(200);
    const header = (group.body as Bundle<RequestGroup>).entry?.[0]?.resource;
    assert.ok(header?.id);
    const byReference = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ entity: `RequestGroup/${header.id}`, action: 'R', outcome: '0' })
      .set('authorization', auditor)
      .expect(200);
    assert.deepEqual(
      ((byReference.body as Bundle<AuditEvent>).entry ?? []).map((e) => whoOf(e.resource!)).sort(),
      [`8${dispenserRpps}`, `8${prescriberRpps}`].sort(),
    );
  });

  test('a read AuditEvent follows BALP: rest/read, agents user + client + server, source, data and patient entities, purpose', async () => {
    const { number } = await createPrescription();
    const dispenserRpps = syntheticRpps();
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: dispenserRpps }))
      .expect(200);
    await audit.drain();
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': numberEntity(number),
      'agent-identifier': `${IDNATPS_SYSTEM}|8${dispenserRpps}`,
    });
    assert.equal(found.entry?.length, 1);
    const event = found.entry![0]!.resource!;
    assert.deepEqual(event.type, {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'Restful Operation',
    });
    assert.ok(event.subtype?.some((c) => c.system === 'http://hl7.org/fhir/restful-interaction' && c.code === 'read'));
    assert.equal(eventName(event), 'prescription.read');
    assert.equal(event.action, 'R');
    assert.equal(event.outcome, '0');
    assert.equal(event.purposeOfEvent?.[0]?.coding?.[0]?.code, 'TREAT');
    const codes = event.agent.map((a) => a.type?.coding?.[0]?.code);
    assert.deepEqual(codes, ['IRCP', '110153', '110152']);
    assert.equal(event.source.type?.[0]?.code, '4');
    const data = event.entity?.find((e) => e.role?.code === '4');
    assert.match(data?.what?.reference ?? '', /^RequestGroup\//);
    assert.equal(data?.what?.identifier?.value, number);
    const patient = event.entity?.find((e) => e.role?.code === '1' && e.type?.code === '1');
    assert.match(patient?.what?.reference ?? '', /^Patient\//, 'BALP patient entity');
    // no patient data in the event itself: only references
    assert.ok(!JSON.stringify(event).includes('"name"'));
  });

  test('every refused access leaves an AuditEvent: 401, 403 (route), 403 (resource), 429', async () => {
    const { number } = await createPrescription();
    const strangers = { route: syntheticRpps(), resource: syntheticRpps(), flood: syntheticRpps() };
    const noToken = freshNumber();
    await request(gw.app).get(`/prescriptions/${noToken}`).expect(401);
    await request(gw.app)
      .get(`/prescriptions/${freshNumber()}`)
      .set('authorization', `Bearer ${'x'.repeat(20)}.${'y'.repeat(20)}.${'z'.repeat(20)}`)
      .expect(401);
    await request(gw.app)
      .post(`/prescriptions/${number}/cancel`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: strangers.route }))
      .expect(403);
    await request(gw.app)
      .get(`/prescriptions/${number}/qr.png`)
      .set('authorization', await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: strangers.resource }))
      .expect(403);

    // 429: a gateway on the same Redis and queues whose lookup budget is one point
    const tight = createApp({
      ...gw.deps,
      security: { ...gw.deps.security, lookupLimit: { points: 1, windowSeconds: 60, missCost: 2 } },
    });
    const flooder = await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: strangers.flood });
    await request(tight).get(`/prescriptions/${number}`).set('authorization', flooder).expect(200);
    const throttled = await request(tight).get(`/prescriptions/${number}`).set('authorization', flooder).expect(429);
    assert.ok(Number(throttled.headers['retry-after']) > 0);
    await audit.drain();

    const refusals = async (params: Record<string, string>) =>
      ((await gw.deps.fhir.search<AuditEvent>('AuditEvent', params)).entry ?? [])
        .map((e) => e.resource!)
        .filter((e) => e.outcome !== '0');
    const unauthenticated = await refusals({ 'entity-identifier': numberEntity(noToken) });
    assert.equal(unauthenticated.length, 1);
    assert.match(unauthenticated[0]!.outcomeDesc ?? '', /^HTTP 401/);
    assert.equal(whoOf(unauthenticated[0]!), undefined);
    assert.match(addressOf(unauthenticated[0]!) ?? '', /127\.0\.0\.1|::1/);

    const byRoute = await refusals({ 'agent-identifier': `${IDNATPS_SYSTEM}|8${strangers.route}` });
    assert.equal(byRoute.length, 1);
    assert.equal(eventName(byRoute[0]!), 'prescription.cancel');
    assert.match(byRoute[0]!.outcomeDesc ?? '', /^HTTP 403: the dispenser role may not call this endpoint/);

    const byResource = await refusals({ 'agent-identifier': `${IDNATPS_SYSTEM}|8${strangers.resource}` });
    assert.equal(byResource.length, 1);
    assert.equal(eventName(byResource[0]!), 'prescription.document');
    assert.match(byResource[0]!.outcomeDesc ?? '', /^HTTP 403: a prescriber reads only/);
    assert.equal(byResource[0]!.entity?.find((e) => e.role?.code === '4')?.what?.identifier?.value, number);

    const byFlood = await refusals({ 'agent-identifier': `${IDNATPS_SYSTEM}|8${strangers.flood}` });
    assert.equal(byFlood.length, 1);
    assert.match(byFlood[0]!.outcomeDesc ?? '', /^HTTP 429/);
  });

  test('a create is audited with the new prescription as entity', async () => {
    const { number, prescriberRpps } = await createPrescription();
    await audit.drain();
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': numberEntity(number),
      action: 'C',
    });
    const events = (found.entry ?? []).map((e) => e.resource!);
    assert.equal(events.length, 1);
    assert.equal(eventName(events[0]!), 'prescription.create');
    assert.equal(whoOf(events[0]!), `8${prescriberRpps}`);
    assert.equal(events[0]!.agent[0]?.type?.coding?.[0]?.code, 'AUT');
  });

  test('a retried audit job writes one AuditEvent (conditional create on the record identifier)', async () => {
    const job: AuditJob = {
      id: newAuditId(),
      recorded: new Date().toISOString(),
      event: { type: 'rest', interaction: 'read', action: 'R', name: 'prescription.read' },
      outcome: { status: 200 },
      network: '192.0.2.7',
      entity: { number: freshNumber() },
    };
    const first = await writeAuditEvent({ fhir: gw.deps.fhir }, job);
    const second = await writeAuditEvent({ fhir: gw.deps.fhir }, job);
    assert.equal(second, first);
    const found = await gw.deps.fhir.search('AuditEvent', { 'entity-identifier': `${AUDIT_RECORD_SYSTEM}|${job.id}` });
    assert.equal(found.entry?.length, 1);
  });

  test('the DMP worker’s publication is audited as an export of the prescription', async () => {
    const { number } = await createPrescription();
    const uniqueId = 'urn:oid:2.25.329800735698586629295641978511506172918';
    await auditDmpPublication(auditQueueOf(gw.deps.queues), {
      number,
      version: 1,
      action: 'publish',
      succeeded: true,
      documentUniqueId: uniqueId,
    });
    await audit.drain();
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': numberEntity(number),
      type: '110106',
    });
    const events = (found.entry ?? []).map((e) => e.resource!);
    assert.equal(events.length, 1);
    assert.equal(eventName(events[0]!), 'dmp.publish');
    assert.match(events[0]!.entity?.find((e) => e.role?.code === '1')?.what?.reference ?? '', /^Patient\//);
    // What was exported: the document, by its uniqueId in the DMP.
    assert.deepEqual(events[0]!.entity?.find((e) => e.role?.code === '3')?.what, {
      identifier: { system: 'urn:ietf:rfc:3986', value: uniqueId },
    });
  });

  test('an auditor finds who accessed a patient’s prescriptions from the patient’s INS alone', async () => {
    const { number, ins } = await createPrescription();
    const dispenserRpps = syntheticRpps();
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await bearerFor({ role: 'dispenser', profession: 'pharmacist', rpps: dispenserRpps }))
      .expect(200);
    await audit.drain();
    const res = await request(gw.app)
      .get('/audit/fhir/AuditEvent')
      .query({ 'patient.identifier': ins, action: 'R', _count: '50' })
      .set('authorization', await bearerFor({ role: 'auditor' }))
      .expect(200);
    const events = ((res.body as Bundle<AuditEvent>).entry ?? []).map((e) => e.resource!);
    assert.deepEqual(events.map(whoOf), [`8${dispenserRpps}`]);
  });

  test('an auditor’s read of a missing id is recorded by the requested identifier, outcome 4 (not lost)', async () => {
    const auditorRpps = syntheticRpps();
    const auditor = await bearerFor({ role: 'auditor', rpps: auditorRpps });
    const missing = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
    // A served type, a type the API does not serve, a type the store does not know: all 404, all recorded.
    for (const path of [`RequestGroup/${missing}`, `Patient/${missing}`, `NoSuchType/${missing}`])
      await request(gw.app).get(`/audit/fhir/${path}`).set('authorization', auditor).expect(404);
    await audit.drain();
    for (const path of [`RequestGroup/${missing}`, `Patient/${missing}`, `NoSuchType/${missing}`]) {
      const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
        'entity-identifier': `${STORE_RESOURCE_SYSTEM}|${path}`,
      });
      const events = (found.entry ?? []).map((e) => e.resource!);
      assert.equal(events.length, 1, path);
      const event = events[0]!;
      assert.equal(eventName(event), 'audit.read');
      assert.equal(event.outcome, '4');
      assert.match(event.outcomeDesc ?? '', /^HTTP 404/);
      assert.equal(whoOf(event), `8${auditorRpps}`);
      const data = event.entity?.find((e) => e.what?.identifier?.system === STORE_RESOURCE_SYSTEM);
      assert.equal(data?.what?.reference, undefined, 'no dangling reference');
      assert.equal(data?.name, path);
    }
  });

  test('a record whose references name nothing is written by identifier (the writer never fails on what it references)', async () => {
    const number = freshNumber();
    const job: AuditJob = {
      id: newAuditId(),
      recorded: new Date().toISOString(),
      event: { type: 'rest', interaction: 'read', action: 'R', name: 'prescription.read' },
      outcome: { status: 200 },
      network: '192.0.2.9',
      // Both named: the writer does not search; neither exists in the store.
      entity: { number, reference: 'RequestGroup/no-such-header-0', patient: 'Patient/no-such-patient-0' },
    };
    await writeAuditEvent({ fhir: gw.deps.fhir }, job);
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': `${AUDIT_RECORD_SYSTEM}|${job.id}`,
    });
    const event = found.entry![0]!.resource!;
    const data = event.entity?.find((e) => e.role?.code === '4');
    assert.deepEqual(data?.what, { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number } });
    assert.equal(data?.name, 'RequestGroup/no-such-header-0');
    const patient = event.entity?.find((e) => e.role?.code === '1');
    assert.deepEqual(patient?.what, {
      identifier: { system: STORE_RESOURCE_SYSTEM, value: 'Patient/no-such-patient-0' },
    });
  });
});
