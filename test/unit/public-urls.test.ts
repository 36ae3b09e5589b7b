/**
 * The FHIR store's address never reaches a client: the auditor API's links and fullUrls, and the
 * prescription Bundles' fullUrls, are the gateway's (fhir/public-urls.ts), and the relative
 * references between stored resources still resolve inside a prescription Bundle.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Bundle, FhirResource, MedicationDispense, MedicationRequest, Patient, RequestGroup } from 'fhir/r4';
import { dispensesBundle, prescriptionBundle, recordedBundle } from '../../fhir/dispensing/summary';
import type { StoredExecutionState } from '../../fhir/dispensing/read-state';
import { publicFullUrl, rewriteBundle } from '../../fhir/public-urls';
import { prescriptionStatusOf } from '../../rules/dispensing/status';

const STORE = 'http://127.0.0.1:8090/fhir';
const PUBLIC = 'https://gateway.example/audit/fhir';
const NOW = new Date('2026-11-26T11:00:00Z');

const header: RequestGroup & { id: string } = {
  resourceType: 'RequestGroup',
  id: '10',
  meta: { versionId: '1' },
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/11' },
  action: [{ resource: { reference: 'MedicationRequest/12' } }],
};
const patient: Patient = { resourceType: 'Patient', id: '11' };
const request: MedicationRequest = {
  resourceType: 'MedicationRequest',
  id: '12',
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/11' },
};
const dispense: MedicationDispense = {
  resourceType: 'MedicationDispense',
  id: '13',
  status: 'completed',
  authorizingPrescription: [{ reference: 'MedicationRequest/12' }],
};

/** A search result as HAPI gives it, under whatever address it names itself with. */
const searchEntries = (storeBase: string) =>
  [header, patient, request, dispense].map((resource) => ({
    fullUrl: `${storeBase}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' as const },
  }));

const stored: StoredExecutionState = {
  state: { number: 'AB12CD34EF56GH78J', headerStatus: 'active', authoredOn: '2026-11-20', lines: [] },
  header,
  headerVersion: '1',
  requests: new Map(),
  patientReference: 'Patient/11',
  records: [dispense],
};
const verdict = prescriptionStatusOf(stored.state, '2026-11-26');

/**
 * Every fullUrl a urn:uuid or under the public base, ending with the resource's Type/id; nothing of the store
 * anywhere.
 */
function assertPublic(bundle: Bundle<FhirResource>): void {
  assert.ok(!JSON.stringify(bundle).includes('8090'), 'the store’s address is nowhere in the Bundle');
  for (const { fullUrl, resource } of bundle.entry ?? []) {
    if (resource?.resourceType === 'Parameters') assert.match(fullUrl ?? '', /^urn:uuid:[0-9a-f-]{36}$/);
    else assert.equal(fullUrl, `${PUBLIC}/${resource!.resourceType}/${resource!.id}`);
  }
}

/** FHIR resolution of a relative reference inside a Bundle: against the base of the referring entry's fullUrl. */
function resolve(bundle: Bundle<FhirResource>, from: FhirResource, reference: string): FhirResource | undefined {
  const fullUrl = bundle.entry!.find((e) => e.resource === from)!.fullUrl!;
  const base = fullUrl.slice(0, fullUrl.length - `${from.resourceType}/${from.id}`.length);
  return bundle.entry!.find((e) => e.fullUrl === `${base}${reference}`)?.resource;
}

describe('public fullUrls', () => {
  it('a stored resource is <base>/<Type>/<id>; a resource without id has none', () => {
    assert.equal(publicFullUrl(PUBLIC, request), `${PUBLIC}/MedicationRequest/12`);
    assert.equal(publicFullUrl(PUBLIC, { resourceType: 'Parameters' }), undefined);
    assert.equal(publicFullUrl(PUBLIC, undefined), undefined);
  });

  it('the prescription Bundle: summary urn:uuid, stored resources under the gateway, references resolvable in the Bundle', () => {
    for (const storeBase of [STORE, 'http://hapi:8080/fhir', 'http://10.0.0.7:8090/internal/fhir']) {
      const bundle = prescriptionBundle(stored, searchEntries(storeBase), verdict, { now: NOW, fullUrlBase: PUBLIC });
      assert.ok(!JSON.stringify(bundle).includes(storeBase), storeBase);
      assertPublic(bundle);
      assert.deepEqual(
        bundle.entry!.map((e) => e.resource!.resourceType),
        ['Parameters', 'RequestGroup', 'Patient', 'MedicationRequest', 'MedicationDispense'],
      );
      assert.equal(resolve(bundle, dispense, 'MedicationRequest/12'), request);
      assert.equal(resolve(bundle, header, 'Patient/11'), patient);
      assert.ok(
        bundle.entry!.every((e) => Object.keys(e).every((k) => k === 'fullUrl' || k === 'resource')),
        'no search data of the store',
      );
    }
  });

  it('the dispenses Bundle and the answer of a recording: the same fullUrls', () => {
    const dispenses = dispensesBundle(stored, verdict, [], { now: NOW, fullUrlBase: PUBLIC });
    assertPublic(dispenses);
    assert.equal(dispenses.entry![1]!.fullUrl, `${PUBLIC}/MedicationDispense/13`);
    const recorded = recordedBundle(stored.state.number, dispenses.entry![0]!.resource as never, [dispense], {
      now: NOW,
      fullUrlBase: PUBLIC,
    });
    assertPublic(recorded);
    assert.equal(recorded.entry![1]!.fullUrl, `${PUBLIC}/MedicationDispense/13`);
  });

  it('the auditor API gives the same fullUrls, and its paging links under the gateway', () => {
    const page: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${STORE}?_getpages=abc&_getpagesoffset=20&_count=20` }],
      entry: [
        ...searchEntries('http://hapi:8080/fhir'),
        { fullUrl: `${STORE}/OperationOutcome/x`, search: { mode: 'outcome' } },
      ],
    };
    const rewritten = rewriteBundle(page, STORE, PUBLIC);
    assert.equal(rewritten.link![0]!.url, `${PUBLIC}?_getpages=abc&_getpagesoffset=20&_count=20`);
    assert.deepEqual(
      rewritten.entry!.map((e) => e.fullUrl),
      [
        `${PUBLIC}/RequestGroup/10`,
        `${PUBLIC}/Patient/11`,
        `${PUBLIC}/MedicationRequest/12`,
        `${PUBLIC}/MedicationDispense/13`,
        `${PUBLIC}/OperationOutcome/x`,
      ],
    );
    assert.deepEqual(rewritten.entry![0]!.search, { mode: 'match' }, 'search data kept for the auditor');
    const prescription = prescriptionBundle(stored, searchEntries(STORE), verdict, { now: NOW, fullUrlBase: PUBLIC });
    for (const e of rewritten.entry!.slice(0, 4))
      assert.ok(
        prescription.entry!.some((p) => p.fullUrl === e.fullUrl),
        e.fullUrl,
      );
  });
});
