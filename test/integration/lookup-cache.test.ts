/**
 * Lookups by number served from the shared Redis cache (store/prescription-cache.ts) while nothing
 * changed, on the real HAPI and Redis: a second lookup sends no search to the store; every write
 * made through any gateway process sharing the Redis (a dispense, a consent change, which leaves
 * the header's version as it is) is seen by the next lookup of another; a change made straight to
 * the store on the header is seen too (its version is checked); a lookup whose search ran before a
 * write cannot leave a stale entry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { FhirResource, MedicationRequest, RequestGroup } from 'fhir/r4';
import { findPrescriptionByNumber } from '../../usecases/prescriptions/repository';
import { redisPrescriptionCache } from '../../store/prescription-cache';
import type { FhirClient } from '../../store/fhir-client';
import { runAdmin } from '../support/admin-cli';
import { testSecurityConfig } from '../support/auth';
import {
  collection,
  example,
  lookUp,
  postDispenses,
  professional,
  resourcesOf,
  storeExample,
  TEST_NOW,
  type Professional,
} from '../support/dispensing';
import { testConfig, testFhirClient } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** A store client that remembers the searches it sent (path and query). */
async function searchRecordingClient(): Promise<{ fhir: FhirClient; searches: string[] }> {
  const fhir = await testFhirClient();
  const searches: string[] = [];
  const send = fhir.request.bind(fhir);
  fhir.request = ((...args: Parameters<FhirClient['request']>) => {
    if (args[0] === 'GET' && args[1].includes('?')) searches.push(args[1]);
    return send(...args);
  }) as FhirClient['request'];
  return { fhir, searches };
}

let a: TestGateway;
let b: TestGateway;
let searchesOfA: string[];
let pharmacist: Professional;

before(async () => {
  // Two gateway processes of one deployment: the same Redis and key prefix, their own store clients.
  const config = testConfig({ lookupCache: true });
  const security = await testSecurityConfig({ points: 100_000 });
  const recording = await searchRecordingClient();
  searchesOfA = recording.searches;
  a = await startTestGateway({ config, security, fhir: recording.fhir, now: () => TEST_NOW });
  b = await startTestGateway({ config, security, now: () => TEST_NOW });
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await a.close();
  await b.close();
});

const headerSearches = (number: string) =>
  searchesOfA.filter((s) => s.startsWith('RequestGroup?') && s.includes(encodeURIComponent(number))).length;

describe('the lookup cache', () => {
  test('a second lookup is served without a search; writes through another process are seen', async () => {
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    const first = await lookUp(a.app, stored.number, pharmacist.bearer);
    assert.equal(headerSearches(stored.number), 1);
    const second = await lookUp(a.app, stored.number, pharmacist.bearer);
    assert.equal(headerSearches(stored.number), 1, 'the second lookup is answered from the cache');
    assert.deepEqual(second.summary, first.summary);

    // A dispense through the other process: the next lookup through the first shows it.
    const dispensed = await postDispenses(
      b.app,
      stored.number,
      pharmacist.bearer,
      collection([{ line: first.summary.lines[0]!, quantity: 1 }]),
    );
    assert.equal(dispensed.status, 201, dispensed.text);
    const afterDispense = await lookUp(a.app, stored.number, pharmacist.bearer);
    assert.equal(afterDispense.summary.lines[0]!.dispensed, 1);
    assert.equal(resourcesOf(afterDispense.bundle, 'MedicationDispense').length, 1);

    // The patient objects through the other process: the Consent changes, the header does not.
    await lookUp(a.app, stored.number, stored.prescriber); // cached for the prescriber's view too
    const objected = await request(b.app)
      .post(`/prescriptions/${stored.number}/consent`)
      .set('authorization', pharmacist.bearer)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ oppositionConsultationDelivrance: true }));
    assert.equal(objected.status, 200, objected.text);
    const forPrescriber = await lookUp(a.app, stored.number, stored.prescriber);
    assert.match(forPrescriber.summary.dispensingWithheld ?? '', /patient objects/);
    assert.equal(resourcesOf(forPrescriber.bundle, 'MedicationDispense').length, 0);
  });

  test('a dispense leaves in the cache what a search would return: the next lookup and dispense send no search', async () => {
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(a.app, stored.number, pharmacist.bearer);
    const searchesBefore = headerSearches(stored.number);
    for (const quantity of [1, 1]) {
      const res = await postDispenses(
        a.app,
        stored.number,
        pharmacist.bearer,
        collection([{ line: summary.lines[0]!, quantity }]),
      );
      assert.equal(res.status, 201, res.text);
    }
    const fromCache = await lookUp(a.app, stored.number, pharmacist.bearer);
    assert.equal(headerSearches(stored.number), searchesBefore, 'two dispenses and a lookup, not one search');
    assert.equal(fromCache.summary.lines[0]!.dispensed, 2);

    // The same prescription searched afresh: the same resources at the same versions, the same summary.
    const searched = await findPrescriptionByNumber(await testFhirClient(), stored.number);
    const byKey = (resources: FhirResource[]) =>
      new Map(resources.map((r) => [`${r.resourceType}/${r.id!.split('/').pop()}`, r]));
    const cache = redisPrescriptionCache(a.deps.redis, a.deps.config.queuePrefix);
    const cachedEntry = (await cache.get(stored.number)).entry!;
    assert.deepEqual(
      byKey(cachedEntry.bundle.entry!.map((e) => e.resource!)),
      byKey(searched!.bundle.entry!.map((e) => e.resource!)),
    );
    await cache.changed(stored.number);
    const fresh = await lookUp(a.app, stored.number, pharmacist.bearer);
    assert.equal(headerSearches(stored.number), searchesBefore + 1);
    assert.deepEqual(fromCache.summary, fresh.summary);
  });

  test('a change made straight to the store on the header is seen', async () => {
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    const first = await lookUp(a.app, stored.number, pharmacist.bearer);
    const header = resourcesOf(first.bundle, 'RequestGroup')[0] as RequestGroup;
    const fhir = await testFhirClient();
    const { resource } = await fhir.read<RequestGroup>('RequestGroup', header.id!.split('/').pop()!);
    const updated = await fhir.update({
      ...resource,
      id: resource.id!,
      note: [{ text: 'changed outside the gateway' }],
    });
    const next = await lookUp(a.app, stored.number, pharmacist.bearer);
    const nextHeader = resourcesOf(next.bundle, 'RequestGroup')[0] as RequestGroup;
    assert.equal(nextHeader.meta?.versionId, updated.versionId);
    assert.equal(nextHeader.note?.[0]?.text, 'changed outside the gateway');
  });

  test('an entry put by a lookup whose search ran before a write is never served', async () => {
    const cache = redisPrescriptionCache(a.deps.redis, a.deps.config.queuePrefix);
    const number = `CACHE${Date.now()}`;
    const entry = {
      headerId: 'x',
      headerVersion: '1',
      bundle: { resourceType: 'Bundle' as const, type: 'searchset' as const },
    };
    const { generation } = await cache.get(number);
    await cache.changed(number); // a write committed while the search ran
    await cache.put(number, generation, entry);
    assert.equal((await cache.get(number)).entry, undefined);
    // put at the current generation: served until the next write
    const current = await cache.get(number);
    await cache.put(number, current.generation, entry);
    assert.deepEqual((await cache.get(number)).entry, entry);
    await cache.changed(number);
    assert.equal((await cache.get(number)).entry, undefined);
  });

  test('the store check: a header that is gone or moved on is not current', async () => {
    const fhir = await testFhirClient();
    assert.equal(await fhir.isCurrentVersion('RequestGroup', 'no-such-header', '1'), false);
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    const { bundle } = await lookUp(a.app, stored.number, pharmacist.bearer);
    const header = resourcesOf(bundle, 'RequestGroup')[0] as RequestGroup;
    const id = header.id!.split('/').pop()!;
    const version = header.meta!.versionId!;
    assert.equal(await fhir.isCurrentVersion('RequestGroup', id, version), true);
    assert.equal(await fhir.isCurrentVersion('RequestGroup', id, String(Number(version) + 1)), false);
  });
});

describe('a line changed straight in the store, around the gateway', () => {
  /** The first line's MedicationRequest rewritten in HAPI, as an operator's repair would. */
  async function restateFirstLine(number: string, change: (r: MedicationRequest) => MedicationRequest) {
    const { bundle, summary } = await lookUp(a.app, number, pharmacist.bearer);
    const id = summary.lines[0]!.requestKey.split('/').pop()!;
    const line = resourcesOf(bundle, 'MedicationRequest').find((r) => r.id === id) as MedicationRequest;
    const { meta: _meta, ...rest } = line;
    const fhir = await testFhirClient();
    return fhir.update({ ...change(rest), id });
  }

  test('a dispense decided on the cached copy loses to the store (If-Match) and is decided again on a fresh read', async () => {
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    const { summary } = await lookUp(a.app, stored.number, pharmacist.bearer); // cached
    // The first line may no longer be dispensed: its validity ended before today (TEST_NOW).
    await restateFirstLine(stored.number, (r) => ({
      ...r,
      dispenseRequest: { ...r.dispenseRequest, validityPeriod: { start: '2026-10-01', end: '2026-10-02' } },
    }));
    const refused = await postDispenses(
      a.app,
      stored.number,
      pharmacist.bearer,
      collection([{ line: summary.lines[0]!, quantity: 1 }]),
    );
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.text, /expired|2026-10-02/);
  });

  test('is seen by the lookups once `ordo-admin cache forget` is run (the header alone is checked)', async () => {
    const stored = await storeExample(a.app, example('epu-json', 'valid-drugs-only.json'));
    await lookUp(a.app, stored.number, pharmacist.bearer); // cached
    const changed = await restateFirstLine(stored.number, (r) => ({ ...r, note: [{ text: 'restated by hand' }] }));
    const cachedLine = (n: Awaited<ReturnType<typeof lookUp>>) =>
      resourcesOf(n.bundle, 'MedicationRequest').find((r) => r.id === changed.resource.id) as
        MedicationRequest | undefined;
    const before = cachedLine(await lookUp(a.app, stored.number, pharmacist.bearer));
    assert.notEqual(before?.meta?.versionId, changed.versionId, 'served from the cache until forgotten (README)');

    const run = await runAdmin(a.deps.config, [
      'cache',
      'forget',
      stored.number.toLowerCase(),
      '--operator',
      'ops-cache',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`cached lookups of ${stored.number} are forgotten`));
    const after = cachedLine(await lookUp(a.app, stored.number, pharmacist.bearer));
    assert.equal(after?.meta?.versionId, changed.versionId);
    assert.equal(after?.note?.[0]?.text, 'restated by hand');
  });
});
