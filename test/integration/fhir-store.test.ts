/**
 * The FHIR store the gateway relies on: a real HAPI JPA server behaving as FHIR says for
 * create/read, conditional create, atomic transactions and optimistic locking.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, FhirResource, Patient } from 'fhir/r4';
import { createFhirClient, FhirServerError, type FhirClient } from '../../store/fhir-client';
import { testFhirClient } from '../support/env';
import { syntheticIns } from '../support/synthetic';

let fhir: FhirClient;
const created: Array<[string, string]> = [];

function patient(ins = syntheticIns()): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:oid:${ins.oid}`, value: ins.value }],
    name: [{ use: 'official', family: 'ESSAI', given: ['Zoé'] }],
    gender: 'female',
    birthDate: '1980-05-17',
  };
}

before(async () => {
  fhir = await testFhirClient();
  await fhir.capabilityStatement(); // fails the file, loudly, when HAPI is down
});

after(async () => {
  for (const [type, id] of created.reverse()) await fhir.delete(type, id).catch(() => undefined);
});

test('create then read returns the stored resource with a version', async () => {
  const { resource, versionId } = await fhir.create(patient());
  assert.ok(resource.id);
  created.push(['Patient', resource.id]);
  assert.equal(versionId, '1');
  const read = await fhir.read<Patient>('Patient', resource.id);
  assert.equal(read.resource.name?.[0]?.given?.[0], 'Zoé');
  assert.equal(read.versionId, '1');
});

test('conditional create twice returns the same resource', async () => {
  const p = patient();
  const ifNoneExist = `identifier=${p.identifier![0]!.system}|${p.identifier![0]!.value}`;
  const first = await fhir.create(p, { headers: { 'if-none-exist': ifNoneExist } });
  created.push(['Patient', first.resource.id!]);
  const second = await fhir.create(p, { headers: { 'if-none-exist': ifNoneExist } });
  assert.equal(second.resource.id, first.resource.id);
  const found = await fhir.search('Patient', { identifier: `${p.identifier![0]!.system}|${p.identifier![0]!.value}` });
  assert.equal(found.total ?? found.entry?.length, 1);
});

test('a transaction with one bad entry leaves nothing behind', async () => {
  const p = patient();
  const ins = p.identifier![0]!;
  const bundle: Bundle<FhirResource> = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: 'urn:uuid:5b0f3a3e-1d2c-4f5e-9a8b-7c6d5e4f3a2b',
        resource: p,
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: 'urn:uuid:6c1f4b4f-2e3d-4a6f-8b9c-8d7e6f5a4b3c',
        resource: {
          resourceType: 'MedicationRequest',
          status: 'active',
          intent: 'order',
          medicationCodeableConcept: { text: 'DOLIPRANE 1000 mg' },
          subject: { reference: 'urn:uuid:5b0f3a3e-1d2c-4f5e-9a8b-7c6d5e4f3a2b' },
          // A reference to a resource that does not exist: referential integrity must refuse it.
          requester: { reference: 'Practitioner/does-not-exist-424242' },
        },
        request: { method: 'POST', url: 'MedicationRequest' },
      },
    ],
  };
  await assert.rejects(
    fhir.transaction(bundle),
    (err: unknown) => err instanceof FhirServerError && err.status >= 400 && err.status < 500,
  );
  const found = await fhir.search('Patient', { identifier: `${ins.system}|${ins.value}` });
  assert.equal(found.entry?.length ?? 0, 0, 'the Patient of the failed transaction must not exist');
});

test('an update with a stale If-Match is refused with 412', async () => {
  const { resource } = await fhir.create(patient());
  created.push(['Patient', resource.id!]);
  const v2 = await fhir.update({ ...resource, id: resource.id!, gender: 'other' }, '1');
  assert.equal(v2.versionId, '2');
  await assert.rejects(
    fhir.update({ ...resource, id: resource.id!, gender: 'unknown' }, '1'),
    (err: unknown) => err instanceof FhirServerError && err.status === 412 && err.isConflict,
  );
  const current = await fhir.read<Patient>('Patient', resource.id!);
  assert.equal(current.resource.gender, 'other');
});

test('an unreachable server gives a transient FhirServerError, not a hang', async () => {
  const dead = await createFhirClient({
    baseUrl: 'http://127.0.0.1:9/fhir',
    timeoutMs: 1000,
    retries: 1,
    retryDelayMs: 10,
  });
  await assert.rejects(
    dead.read('Patient', 'x'),
    (err: unknown) => err instanceof FhirServerError && err.status === 0 && err.transient,
  );
});
