/**
 * The whole journey as standard tools see it — tools nobody here wrote: HAPI FHIR 8.8.0's default
 * generic client (it reads /metadata first, pages by `next` links, reads by fullUrl) and HAPI's
 * FhirInstanceValidator loaded with the conformance resources the running gateway serves (not
 * the repository's files), through tools/fhir-validator. On a real gateway process and worker:
 * create, lookup, dispense, dispenses read, consent, cancel, replace by REST; both message events by the
 * Java client; auditor searches, pages and reads by the Java client. Every answer: 0 errors,
 * 0 unresolved references (R4 Bundle rules, or readable at its address).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Bundle, FhirResource, MessageHeader } from 'fhir/r4';
import { startGatewayProcess, type RunningGateway } from '../../bench/support/processes';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { bearerFor, testIssuer, TEST_AUDIENCE } from '../support/auth';
import { countOf, signingEnv, spawnWorker, waitFor, type ChildWorker } from '../support/dmp';
import { collection, dispenseRecordMessage, professional, summaryOf, type Professional } from '../support/dispensing';
import { testConfig, testFhirClient } from '../support/env';
import { describeFindings, runFhirValidator, type FhirValidatorRequest } from '../support/fhir-validator';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { CONTENT_TYPES, example, uniquify } from '../support/vendor-fixtures';

let gateway: RunningGateway;
let worker: ChildWorker;
let pki: ThrowawayPki;

before(async () => {
  pki = await createThrowawayPki();
  const config = testConfig();
  const issuer = await testIssuer();
  const common = {
    FHIR_BASE_URL: config.fhirBaseUrl,
    REDIS_URL: config.redisUrl,
    QUEUE_PREFIX: `${config.queuePrefix}-standard-${randomUUID().slice(0, 8)}`,
  };
  // PUBLIC_BASE_URL defaults to http://HOST:PORT: the fullUrls the Java client reads point at this process.
  gateway = await startGatewayProcess({
    ...common,
    AUTH_ISSUER: issuer.issuer,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: 'error',
  });
  worker = await spawnWorker({ ...common, NODE_ENV: 'test', ...signingEnv(pki) });
});
after(async () => {
  await gateway?.stop();
  if (worker && worker.child.exitCode === null) {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
  await pki?.cleanup();
});

interface Answer {
  name: string;
  status: number;
  body: Record<string, unknown>;
}

async function call(name: string, method: string, path: string, auth: string, body?: string, type?: string) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: auth, ...(type ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const answer: Answer = { name, status: res.status, body: (await res.json()) as Record<string, unknown> };
  assert.ok(res.status < 300, `${name}: ${res.status} ${JSON.stringify(answer.body).slice(0, 400)}`);
  return answer;
}

test('standard client and validator: every answer of the journey valid, every reference resolved', async () => {
  const prescription = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const prescriber = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: prescription.prescriberRpps! });
  const pharmacist: Professional = await professional('pharmacist');
  const auditor = await bearerFor({ role: 'auditor', profession: 'doctor' });

  // REST: create, lookup, dispense, dispenses read, consent, cancel.
  const created = await call(
    'create',
    'POST',
    '/prescriptions',
    prescriber,
    prescription.body.toString(),
    CONTENT_TYPES['epu-json'],
  );
  const number = String(created.body.number);
  const lookup = await call('lookup', 'GET', `/prescriptions/${number}`, pharmacist.bearer);
  const lines = summaryOf(lookup.body as unknown as Bundle<FhirResource>).lines;
  const dispensed = await call(
    'dispense',
    'POST',
    `/prescriptions/${number}/dispenses`,
    pharmacist.bearer,
    JSON.stringify(collection([{ line: lines[0]!, quantity: 1 }])),
    'application/fhir+json',
  );
  const dispenses = await call('dispenses', 'GET', `/prescriptions/${number}/dispenses`, prescriber);
  const consent = await call(
    'consent',
    'POST',
    `/prescriptions/${number}/consent`,
    prescriber,
    JSON.stringify({ oppositionConsultationDelivrance: true }),
    'application/json',
  );
  const cancelled = await call('cancel', 'POST', `/prescriptions/${number}/cancel`, prescriber);

  // Messages, sent by the Java client: a new prescription, and a dispense of the REST one's second line.
  const message = uniquify(example('fhir-message', 'valid-drugs-only.json'));
  const messageJson = JSON.parse(message.body.toString()) as Bundle<FhirResource>;
  messageJson.id = randomUUID();
  (messageJson.entry![0]!.resource as MessageHeader).id = randomUUID();
  // (the REST prescription is cancelled by now: the message dispenses another one)
  const other = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const otherNumber = String(
    (await call('create-other', 'POST', '/prescriptions', prescriber, other.body.toString(), CONTENT_TYPES['epu-json']))
      .body.number,
  );
  const otherLines = summaryOf(
    (await call('lookup-other', 'GET', `/prescriptions/${otherNumber}`, pharmacist.bearer))
      .body as unknown as Bundle<FhirResource>,
  ).lines;
  const dispenseMessage = dispenseRecordMessage(otherNumber, [{ line: otherLines[0]!, quantity: 1 }], pharmacist.rpps);

  // A correction: a third prescription replaced; the lookups of the old number and of the new one.
  const third = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const thirdNumber = String(
    (await call('create-third', 'POST', '/prescriptions', prescriber, third.body.toString(), CONTENT_TYPES['epu-json']))
      .body.number,
  );
  const correction = JSON.parse(uniquify(example('epu-json', 'valid-drugs-only.json')).body.toString());
  correction.patient.ins.valeur = third.ins;
  const replacement = await call(
    'replace',
    'POST',
    `/prescriptions/${thirdNumber}/replace`,
    prescriber,
    JSON.stringify(correction),
    CONTENT_TYPES['epu-json'],
  );
  const replacedLookup = await call('lookup-replaced', 'GET', `/prescriptions/${thirdNumber}`, pharmacist.bearer);
  const replacementLookup = await call(
    'lookup-replacement',
    'GET',
    `/prescriptions/${String(replacement.body.number)}`,
    pharmacist.bearer,
  );

  // The audit worker has written the AuditEvents of the REST journey (six accesses of the prescription).
  const fhir = await testFhirClient();
  await waitFor('the AuditEvents of the journey', async () =>
    (await countOf(fhir, 'AuditEvent', { 'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}` })) >= 6
      ? true
      : undefined,
  );

  const rest = [lookup, dispensed, dispenses, cancelled, replacedLookup, replacementLookup];
  const request: FhirValidatorRequest = {
    authorization: auditor,
    conformance: { base: `${gateway.url}/fhir` },
    client: {
      base: `${gateway.url}/fhir`,
      auditBase: `${gateway.url}/audit/fhir`,
      auditorToken: auditor,
      messages: [
        {
          name: 'prescription-create',
          token: await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: message.prescriberRpps! }),
          bundle: messageJson as unknown as Record<string, unknown>,
        },
        {
          name: 'dispense-record',
          token: pharmacist.bearer,
          bundle: dispenseMessage as unknown as Record<string, unknown>,
        },
      ],
      auditSearches: [
        {
          name: 'audit-events',
          type: 'AuditEvent',
          params: { 'entity-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`, _count: 2 },
        },
        {
          name: 'prescription',
          type: 'RequestGroup',
          params: { 'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}` },
        },
        { name: 'dispenses', type: 'MedicationDispense', params: { 'patient.identifier': prescription.ins } },
      ],
    },
    validate: [
      ...rest.map((a) => ({ name: a.name, resource: a.body })),
      {
        name: 'consent',
        resource: consent.body,
        fullUrl: `${gateway.url}/audit/fhir/Consent/${String(consent.body.id)}`,
      },
    ],
  };
  const report = await runFhirValidator(request);

  assert.deepEqual(report.failures, [], 'the harness did everything it was asked');
  assert.ok((report.conformance?.byType.StructureDefinition ?? 0) >= 18, JSON.stringify(report.conformance?.byType));
  assert.ok((report.conformance?.byType.MessageDefinition ?? 0) >= 2, JSON.stringify(report.conformance?.byType));
  for (const item of report.client ?? []) {
    assert.equal(item.error, undefined, `${item.name}: ${item.error}`);
    if (item.kind === 'message') {
      const header = ((item.response as unknown as Bundle<FhirResource>).entry?.[0]?.resource ?? {}) as MessageHeader;
      assert.equal(header.response?.code, 'ok', `${item.name}: ${JSON.stringify(item.response).slice(0, 600)}`);
    } else {
      assert.ok(item.pages.length > 0 && item.pages[0]!.entries > 0, `${item.name}: no results`);
      for (const page of item.pages)
        if (page.entries > 0) assert.ok(page.read?.resource, `${item.name}: a read by fullUrl`);
    }
  }
  const search = report.client?.find((c) => c.name === 'audit-events');
  assert.ok(
    search?.kind === 'search' && search.pages.length >= 3,
    'the client paged the AuditEvents by their next links',
  );
  const names = report.results.map((r) => r.name);
  for (const name of [
    'lookup',
    'dispense',
    'dispenses',
    'cancel',
    'lookup-replaced',
    'lookup-replacement',
    'consent',
    'prescription-create/response',
    'dispense-record/response',
  ])
    assert.ok(names.includes(name), `${name} was validated: ${names.join(', ')}`);
  assert.equal(describeFindings(report.results), '', 'no error, no unresolved reference');
});
