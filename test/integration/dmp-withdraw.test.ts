/**
 * Withdrawal from the DMP on the real stack (HAPI, Redis, the real worker process): the patient
 * objects to the DMP feed after publication (`POST /prescriptions/{n}/consent`
 * `{"oppositionAlimentationDMP": true}`), with the worker killed with -9 between publishing and
 * acknowledging. The job taken over publishes nothing more; the withdraw job deletes every entry
 * of the prescription logically (PDSm: status superseded + PDSm_IsDeleted); the status says so;
 * a new publication job is skipped. The same objection sent as a FHIR message (event
 * patient-consent) withdraws too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Bundle, Consent, DocumentReference, FhirResource, MessageHeader } from 'fhir/r4';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { PublishResult } from '../../usecases/dmp/publish';
import type { WithdrawResult } from '../../usecases/dmp/withdraw';
import { isDeleted, isPrescriptionDocument } from '../../usecases/dmp/dmp-store';
import { enqueueDmpPublication } from '../../queue/dmp-jobs';
import { QUEUE_NAMES } from '../../queue/queues';
import {
  CONSENT_TOPIC_SYSTEM,
  MESSAGE_EVENT_SYSTEM,
  MESSAGE_EVENTS,
  PRESCRIPTION_NUMBER_SYSTEM,
} from '../../fhir/systems';
import {
  entriesOfPatient,
  shownPublicationStatus,
  childWorkerEnv,
  childWorkersKilledAfterEach,
  spawnWorker,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type ChildWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';
import { postUniqueExample } from '../support/post-prescription';

let gw: TestGateway;
let pki: ThrowawayPki;
const children = childWorkersKilledAfterEach();

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
});
after(async () => {
  await gw?.close();
  await pki?.cleanup();
});

async function start(extra: Record<string, string> = {}): Promise<ChildWorker> {
  const worker = await spawnWorker(childWorkerEnv(gw.deps.config, pki, extra));
  children.push(worker);
  return worker;
}

const choose = (number: string, auth: string, body: unknown) =>
  request(gw.app)
    .post(`/prescriptions/${number}/consent`)
    .set('authorization', auth)
    .set('content-type', 'application/json')
    .send(JSON.stringify(body));

const topicOf = (c: Consent) => c.policyRule?.coding?.find((x) => x.system === CONSENT_TOPIC_SYSTEM)?.code;

test('the patient objects after publication, the worker is killed between publishing and acknowledging: everything published is withdrawn, nothing is published again', async () => {
  const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
  const first = await start({ TEST_PAUSE_AFTER_PUBLISH_MS: '600000' });
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-drugs-only.json')!;
  const { number, ins, auth } = await postUniqueExample(gw.app, example);
  const publishId = dmpJobId({ action: 'publish', number, version: 1 });

  // Published (the document and its signature), not acknowledged.
  await waitFor('the entries in the DMP store', async () =>
    (await entriesOfPatient(gw.deps.fhir, ins)).length === 2 ? true : undefined,
  );
  assert.equal(await queue.getJobState(publishId), 'active', 'published but not acknowledged');

  // The patient objects to the DMP feed.
  const res = await choose(number, auth, { oppositionAlimentationDMP: true });
  assert.equal(res.status, 200, res.text);
  const consent = res.body as Consent;
  assert.deepEqual([topicOf(consent), consent.provision?.type], ['alimentation-dmp', 'deny']);
  const withdrawId = dmpJobId({ action: 'withdraw', number, version: 1 });
  assert.ok(await queue.getJob(withdrawId), 'the withdrawal is queued');

  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');
  assert.equal((await shownPublicationStatus(gw.app, number, auth))?.state, 'withdrawing');

  const second = await start();
  // The publication taken over sees the objection: it stores nothing more.
  const publish = await waitForJobState(queue, publishId);
  assert.equal(await publish.getState(), 'completed', `${publish.failedReason}\n${second.output()}`);
  assert.deepEqual(publish.returnvalue as PublishResult, { outcome: 'skipped', reason: 'patient-opted-out' });
  // The withdrawal waited for it, then deleted both entries.
  const withdraw = await waitForJobState(queue, withdrawId);
  assert.equal(await withdraw.getState(), 'completed', `${withdraw.failedReason}\n${second.output()}`);
  const result = withdraw.returnvalue as WithdrawResult;
  assert.equal(result.outcome, 'withdrawn');

  const entries = await entriesOfPatient(gw.deps.fhir, ins);
  assert.equal(entries.length, 2, 'the document and its signature, nothing more');
  for (const entry of entries) {
    assert.equal(entry.status, 'superseded', `DocumentReference/${entry.id}`);
    assert.ok(isDeleted(entry), `DocumentReference/${entry.id} is deleted logically`);
  }
  const document = entries.find(isPrescriptionDocument) as DocumentReference;
  assert.deepEqual(await shownPublicationStatus(gw.app, number, auth), {
    state: 'withdrawn',
    reason: 'patient-objected',
    documentReferenceId: document.id,
    documentStatus: 'superseded',
  });
  const audited = await gw.deps.queues[QUEUE_NAMES.audit].getJob(`dmp-${withdrawId}-0`);
  assert.deepEqual([audited?.data.event.name, audited?.data.event.action], ['dmp.withdraw', 'D']);

  // Never published again: a new publication job is skipped, the store is unchanged.
  await enqueueDmpPublication(gw.deps.queues, number, 2);
  const again = await waitForJobState(queue, dmpJobId({ action: 'publish', number, version: 2 }));
  assert.deepEqual(again.returnvalue as PublishResult, { outcome: 'skipped', reason: 'patient-opted-out' });
  const after = await entriesOfPatient(gw.deps.fhir, ins);
  assert.deepEqual(
    after.map((e) => [e.id, e.meta?.versionId]),
    entries.map((e) => [e.id, e.meta?.versionId]),
  );
  // Objecting again changes nothing more (the same withdrawal job, already done).
  assert.equal((await choose(number, auth, { oppositionAlimentationDMP: true })).status, 200);
  assert.equal((await shownPublicationStatus(gw.app, number, auth))?.state, 'withdrawn');

  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, second.output());
});

test('an objection cannot be lifted, and a malformed choice writes nothing', async () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-biology-only.json')!;
  const { number, auth } = await postUniqueExample(gw.app, example);
  const before = (await shownPublicationStatus(gw.app, number, auth))?.state;
  for (const [body, path] of [
    [{ oppositionAlimentationDMP: false }, '/oppositionAlimentationDMP'],
    [{ oppositionAlimentationDMP: true, oppositionConsultationDelivrance: true }, '/oppositionConsultationDelivrance'],
  ] as const) {
    const res = await choose(number, auth, body);
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.issue?.[0]?.expression?.[0] ?? res.body.issue?.[0]?.location?.[0], path, res.text);
  }
  assert.equal(
    await gw.deps.queues[QUEUE_NAMES.dmpPublish].getJob(dmpJobId({ action: 'withdraw', number, version: 1 })),
    undefined,
  );
  assert.equal((await shownPublicationStatus(gw.app, number, auth))?.state, before);
});

/** A patient-consent message: the MessageHeader and one Consent naming the prescription. */
function consentMessage(number: string, topic: string, type: 'deny' | 'permit'): Bundle<FhirResource> {
  return {
    resourceType: 'Bundle',
    id: randomUUID(),
    type: 'message',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    timestamp: new Date().toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'MessageHeader',
          id: randomUUID(),
          eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: MESSAGE_EVENTS.patientConsent },
          source: { endpoint: 'urn:example:prescriber-software' },
        },
      },
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'Consent',
          status: 'active',
          scope: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
          },
          category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
          policyRule: { coding: [{ system: CONSENT_TOPIC_SYSTEM, code: topic }] },
          provision: {
            type,
            data: [
              { meaning: 'related', reference: { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number } } },
            ],
          },
        },
      },
    ],
  };
}

test('the same objection through FHIR messaging (event patient-consent) withdraws the published documents', async () => {
  const queue = gw.deps.queues[QUEUE_NAMES.dmpPublish];
  const worker = await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
  try {
    const example = vendorExamples().find((e) => e.format === 'lgc-xml' && e.name === 'valid-drugs-only.xml')!;
    const { number, ins, auth } = await postUniqueExample(gw.app, example);
    await waitForJobState(queue, dmpJobId({ action: 'publish', number, version: 1 }));
    assert.equal((await shownPublicationStatus(gw.app, number, auth))?.state, 'published');

    const send = (bundle: Bundle<FhirResource>) =>
      request(gw.app)
        .post('/fhir/$process-message')
        .set('authorization', auth)
        .set('content-type', 'application/fhir+json')
        .send(JSON.stringify(bundle));
    const lifted = await send(consentMessage(number, 'alimentation-dmp', 'permit'));
    assert.equal((lifted.body.entry[0].resource as MessageHeader).response?.code, 'fatal-error', lifted.text);

    const res = await send(consentMessage(number, 'alimentation-dmp', 'deny'));
    assert.equal(res.status, 200, res.text);
    const answer = res.body as Bundle<FhirResource>;
    const header = answer.entry![0]!.resource as MessageHeader;
    assert.equal(header.response?.code, 'ok', res.text);
    const focus = answer.entry!.find((e) => e.resource?.resourceType === 'Consent')!.resource as Consent;
    assert.deepEqual([topicOf(focus), focus.provision?.type], ['alimentation-dmp', 'deny']);

    const withdraw = await waitForJobState(queue, dmpJobId({ action: 'withdraw', number, version: 1 }));
    assert.equal((withdraw.returnvalue as WithdrawResult).outcome, 'withdrawn', withdraw.failedReason);
    const entries = await entriesOfPatient(gw.deps.fhir, ins);
    assert.equal(entries.length, 2);
    assert.ok(entries.every(isDeleted));
    assert.equal((await shownPublicationStatus(gw.app, number, auth))?.state, 'withdrawn');
  } finally {
    await worker.close();
  }
});
