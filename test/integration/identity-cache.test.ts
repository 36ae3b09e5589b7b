/**
 * Intake's identity cache (store/identity-cache.ts), on the real HAPI and Redis: once a prescriber,
 * patient and practice are stored, the next prescription references them instead of asking the
 * store to search for them; an entry naming what the store no longer has (a store that was wiped)
 * is dropped and the prescription stored with conditional creates; two gateway processes racing on
 * a new prescriber store one Practitioner, and both remember it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { redisIdentityCache } from '../../store/identity-cache';
import { findHeaderByNumber } from '../../usecases/prescriptions/repository';
import type { FhirClient } from '../../store/fhir-client';
import { bearerFor, testSecurityConfig } from '../support/auth';
import { testConfig, testFhirClient } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { syntheticRpps } from '../support/synthetic';
import { example, uniquify } from '../support/vendor-fixtures';

/** A store client that keeps the transactions it sent. */
async function transactionRecordingClient(): Promise<{ fhir: FhirClient; sent: Bundle<FhirResource>[] }> {
  const fhir = await testFhirClient();
  const sent: Bundle<FhirResource>[] = [];
  const transaction = fhir.transaction.bind(fhir);
  fhir.transaction = ((bundle, options) => {
    sent.push(structuredClone(bundle));
    return transaction(bundle, options);
  }) as FhirClient['transaction'];
  return { fhir, sent };
}

let a: TestGateway;
let b: TestGateway;
let sentByA: Bundle<FhirResource>[];
let store: FhirClient;

before(async () => {
  // Two gateway processes of one deployment: the same Redis and key prefix.
  const config = testConfig();
  const security = await testSecurityConfig();
  const recording = await transactionRecordingClient();
  sentByA = recording.sent;
  a = await startTestGateway({ config, security, fhir: recording.fhir });
  b = await startTestGateway({ config, security });
  store = await testFhirClient();
});
after(async () => {
  await a.close();
  await b.close();
});

/** The drugs example with a new message id and patient, signed by `rpps` (a new prescriber when fresh). */
function payload(rpps: string): Buffer {
  const json = JSON.parse(uniquify(example('epu-json', 'valid-drugs-only.json')).body.toString('utf8'));
  json.prescripteur.rpps = rpps;
  delete json.identifiantPrescription;
  return Buffer.from(JSON.stringify(json));
}

async function post(gateway: TestGateway, rpps: string, body = payload(rpps)) {
  const bearer = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
  const res = await postPrescription(gateway.app, bearer, 'epu-json', body);
  assert.equal(res.status, 201, res.text);
  const header = await findHeaderByNumber(store, (res.body as { number: string }).number);
  assert.ok(header, 'the prescription is stored');
  return header;
}

const typesSent = (bundle: Bundle<FhirResource>) => (bundle.entry ?? []).map((e) => e.resource?.resourceType);
const identityKey = (rpps: string) => `Practitioner?identifier=https://rpps.esante.gouv.fr|${rpps}`;

describe('the identity cache of intake', () => {
  test('a known prescriber and practice are referenced, not created conditionally', async () => {
    const rpps = syntheticRpps();
    const first = await post(a, rpps);
    assert.ok(typesSent(sentByA.at(-1)!).includes('Practitioner'));
    const body = payload(rpps);
    const second = await post(a, rpps, body);
    const sent = sentByA.at(-1)!;
    assert.ok(!typesSent(sent).includes('Practitioner'), 'the prescriber is referenced');
    assert.ok(!typesSent(sent).includes('Organization'), 'the practice is referenced');
    assert.equal(second.author?.reference, first.author?.reference, 'the same stored Practitioner');
    // The reference the transaction carried is the stored one.
    const header = sent.entry!.find((e) => e.resource?.resourceType === 'RequestGroup')!.resource as RequestGroup;
    assert.equal(header.author?.reference, first.author?.reference);
  });

  test('an entry naming what the store no longer has (a wiped store) is dropped, the prescription stored', async () => {
    const rpps = syntheticRpps();
    const cache = redisIdentityCache(a.deps.redis, a.deps.config.queuePrefix);
    // As after a wipe of the store: the cache names a Practitioner the store does not have.
    await cache.set(new Map([[identityKey(rpps), { id: 'gone-after-a-wipe', version: '1' }]]));
    const stored = await post(a, rpps);
    assert.notEqual(stored.author?.reference, 'Practitioner/gone-after-a-wipe');
    const { resource } = await store.read('Practitioner', stored.author!.reference!.split('/')[1]!);
    assert.equal(resource.resourceType, 'Practitioner');
    const known = await cache.get([identityKey(rpps)]);
    assert.equal(
      `Practitioner/${known.get(identityKey(rpps))?.id}`,
      stored.author?.reference,
      'the cache now names it',
    );
  });

  test('two gateway processes racing on a new prescriber store one Practitioner and both remember it', async () => {
    for (let round = 0; round < 3; round++) {
      const rpps = syntheticRpps();
      const [one, two] = await Promise.all([post(a, rpps), post(b, rpps)]);
      assert.equal(one.author?.reference, two.author?.reference);
      const found = await store.search('Practitioner', { identifier: `https://rpps.esante.gouv.fr|${rpps}` });
      assert.equal(found.entry?.length, 1, 'one Practitioner for the RPPS');
      const cache = redisIdentityCache(b.deps.redis, b.deps.config.queuePrefix);
      const known = await cache.get([identityKey(rpps)]);
      assert.equal(`Practitioner/${known.get(identityKey(rpps))?.id}`, one.author?.reference);
      // The next prescription of either process references it.
      const next = await post(b, rpps);
      assert.equal(next.author?.reference, one.author?.reference);
    }
  });
});
