/**
 * The FHIR store the gateway relies on: a real HAPI JPA server behaving as FHIR says for
 * create/read, conditional create, atomic transactions and optimistic locking.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, FhirResource, Patient, RequestGroup } from 'fhir/r4';
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

/**
 * What HAPI's refusals mean (issue 11, finding 8): a value the database cannot keep is a permanent
 * refusal of the payload, never a race nor "retry later"; what is logged of it (the message) keeps
 * HAPI's codes and none of its diagnostics, which quote the value (finding 10). The value is put in
 * an Organization's name, a string the store indexes (a Patient's name no longer is: the retired
 * search parameters, profiles/indexed-search-parameters.json, and the store then keeps it in the
 * resource's JSON, escaped).
 */
const permanentPayloadRefusal = (value: string, status: number) => (err: unknown) => {
  assert.ok(err instanceof FhirServerError, String(err));
  assert.equal(err.status, status);
  assert.equal(err.fault, 'payload');
  assert.equal(err.kind, 'invalid');
  assert.equal(err.transient, false, 'not "retry later"');
  assert.equal(err.isConflict, false, 'not a race');
  assert.match(err.message, new RegExp(`^FHIR server answered ${status} to POST /Organization \\(HAPI-\\d{4}`));
  assert.ok(err.outcome?.issue?.[0]?.diagnostics?.includes(value.slice(0, 8)), 'HAPI quoted the value…');
  const logged = JSON.stringify({ ...err, message: err.message, stack: err.stack });
  assert.ok(!logged.includes(value.slice(0, 8)), `…which the logged error does not: ${logged}`);
  return true;
};

test('a NUL in an indexed string: HAPI 409 is a permanent refusal of the payload, not a conflict', async () => {
  const name = `NULNAME${Date.now()}\u0000X`;
  await assert.rejects(fhir.create({ resourceType: 'Organization', name }), permanentPayloadRefusal(name, 409));
});

test('a lone surrogate: HAPI 500 is a permanent refusal of the payload, not "retry later"', async () => {
  const name = `SURNAME${Date.now()}\uD800X`;
  await assert.rejects(fhir.create({ resourceType: 'Organization', name }), permanentPayloadRefusal(name, 500));
});

test("a unique index taken by another prescription's header is a conflict (HAPI-1093)", async () => {
  const group: RequestGroup = {
    resourceType: 'RequestGroup',
    status: 'active',
    intent: 'order',
    identifier: [{ system: 'urn:ordo-gateway:test-unique', value: `dup-${Date.now()}` }],
  };
  const first = await fhir.create(group);
  created.push(['RequestGroup', first.resource.id!]);
  await assert.rejects(fhir.create(group), (err: unknown) => {
    assert.ok(err instanceof FhirServerError);
    assert.equal(err.status, 409);
    assert.ok(err.isConflict);
    assert.equal(err.kind, 'conflict');
    assert.match(err.message, /\(HAPI-0550, HAPI-1093\)$/);
    return true;
  });
});
