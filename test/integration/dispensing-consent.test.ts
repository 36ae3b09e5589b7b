/**
 * The prescriber sees what was dispensed only when the patient does not object, on the real HAPI:
 * the choice made at intake, then changed later (objection, then withdrawn), each change a new
 * version of the stored Consent dated when it was recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle, Consent, FhirResource, OperationOutcome } from 'fhir/r4';
import { CONSENT_TOPICS } from '../../fhir/systems';
import { readConsentChoices } from '../../fhir/read-prescription';
import { isDispensingViewConsent } from '../../fhir/dispensing/consent';
import { bearerFor } from '../support/auth';
import {
  collection,
  example,
  lookUp,
  postDispenses,
  professional,
  resourcesOf,
  startDispensingGateway,
  storeExample,
  summaryOf,
  TEST_NOW,
  type Professional,
} from '../support/dispensing';
import type { TestGateway } from '../support/gateway';
import { syntheticRpps } from '../support/synthetic';

let gw: TestGateway;
let pharmacist: Professional;

before(async () => {
  gw = await startDispensingGateway();
  pharmacist = await professional('pharmacist');
});
after(async () => {
  await gw.close();
});

/** The drugs example, the patient's opposition at intake as given, one box dispensed. */
async function dispensedPrescription(objects: boolean) {
  const stored = await storeExample(gw.app, example('epu-json', 'valid-drugs-only.json'), (text) => {
    const json = JSON.parse(text);
    json.consentement.oppositionConsultationDelivrance = objects;
    return JSON.stringify(json);
  });
  const { summary } = await lookUp(gw.app, stored.number, pharmacist.bearer);
  const res = await postDispenses(
    gw.app,
    stored.number,
    pharmacist.bearer,
    collection([{ line: summary.lines[1]!, quantity: 1 }]),
  );
  assert.equal(res.status, 201, res.text);
  return stored;
}

const dispensesAs = (number: string, bearer: string) =>
  request(gw.app).get(`/prescriptions/${number}/dispenses`).set('authorization', bearer);
const consent = (number: string, bearer: string, body: unknown) =>
  request(gw.app)
    .post(`/prescriptions/${number}/consent`)
    .set('authorization', bearer)
    .set('content-type', 'application/json')
    .send(JSON.stringify(body));

async function storedConsent(number: string): Promise<{ consent: Consent; version: string }> {
  const { bundle } = await lookUp(gw.app, number, pharmacist.bearer);
  const found = resourcesOf(bundle, 'Consent').find(isDispensingViewConsent)!;
  return { consent: found, version: found.meta!.versionId! };
}

describe('prescriber access to what was dispensed', () => {
  test('no objection at intake: the prescriber sees the dispenses', async () => {
    const { number, prescriber } = await dispensedPrescription(false);
    const res = await dispensesAs(number, prescriber);
    assert.equal(res.status, 200, res.text);
    const bundle = JSON.parse(res.text) as Bundle<FhirResource>;
    assert.equal(resourcesOf(bundle, 'MedicationDispense').length, 1);
    assert.equal(summaryOf(bundle).lines[1]!.dispensed, 1);
    // The summary, the records, and the prescription they are about (every reference resolves in the Bundle).
    assert.deepEqual([...new Set(bundle.entry!.map((e) => e.resource!.resourceType))].sort(), [
      'Consent',
      'MedicationDispense',
      'MedicationRequest',
      'Organization',
      'Parameters',
      'Patient',
      'Practitioner',
      'RequestGroup',
    ]);
    const fullUrls = new Set(bundle.entry!.map((e) => e.fullUrl));
    const dispense = resourcesOf(bundle, 'MedicationDispense')[0]!;
    const base = gw.deps.config.publicBaseUrl;
    for (const reference of [dispense.authorizingPrescription![0]!.reference, dispense.performer![0]!.actor.reference])
      assert.ok(fullUrls.has(`${base}/audit/fhir/${reference}`), `${reference} is in the Bundle`);
  });

  test('objection at intake: 403 saying why, and the prescriber’s lookup leaves out what was dispensed', async () => {
    const { number, prescriber } = await dispensedPrescription(true);
    const res = await dispensesAs(number, prescriber);
    assert.equal(res.status, 403, res.text);
    const outcome = JSON.parse(res.text) as OperationOutcome;
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.match(outcome.issue[0]!.diagnostics!, /patient objected to the prescriber seeing what was dispensed/);

    const lookup = await lookUp(gw.app, number, prescriber);
    assert.equal(resourcesOf(lookup.bundle, 'MedicationDispense').length, 0);
    assert.match(lookup.summary.dispensingWithheld!, /patient objects/);
    assert.equal(lookup.summary.status, undefined);
    for (const line of lookup.summary.lines) assert.equal(line.dispensed, undefined);
    // The pharmacist still sees everything.
    const forPharmacist = await lookUp(gw.app, number, pharmacist.bearer);
    assert.equal(resourcesOf(forPharmacist.bundle, 'MedicationDispense').length, 1);
  });

  test('another prescriber never sees them', async () => {
    const { number } = await dispensedPrescription(false);
    const other = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: syntheticRpps() });
    assert.equal((await dispensesAs(number, other)).status, 403);
  });
});

describe('the patient changes their mind', () => {
  test('objection recorded later → 403; objection withdrawn → 200; each change a new Consent version dated now', async () => {
    const { number, prescriber } = await dispensedPrescription(false);
    const before = await storedConsent(number);
    assert.equal(before.consent.provision?.type, 'permit');

    // The objection, told to the pharmacist.
    const objected = await consent(number, pharmacist.bearer, { oppositionConsultationDelivrance: true });
    assert.equal(objected.status, 200, objected.text);
    const afterObjection = JSON.parse(objected.text) as Consent;
    assert.equal(afterObjection.provision?.type, 'deny');
    assert.equal(afterObjection.dateTime, TEST_NOW.toISOString());
    assert.equal(Number(afterObjection.meta?.versionId), Number(before.version) + 1);
    assert.equal(readConsentChoices({ resource: afterObjection, at: '' }, undefined).value.dispensingViewOptOut, true);
    assert.deepEqual(
      afterObjection.provision?.data,
      before.consent.provision?.data,
      'still the consent of this prescription',
    );
    assert.equal((await dispensesAs(number, prescriber)).status, 403);

    // Withdrawn, through the prescriber, as a FHIR Consent.
    const withdrawn = await request(gw.app)
      .post(`/prescriptions/${number}/consent`)
      .set('authorization', prescriber)
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Consent', provision: { type: 'permit' } }));
    assert.equal(withdrawn.status, 200, withdrawn.text);
    assert.equal((JSON.parse(withdrawn.text) as Consent).provision?.type, 'permit');
    const res = await dispensesAs(number, prescriber);
    assert.equal(res.status, 200, res.text);
    assert.equal(resourcesOf(JSON.parse(res.text) as Bundle<FhirResource>, 'MedicationDispense').length, 1);
    assert.equal(Number((await storedConsent(number)).version), Number(before.version) + 2);
  });

  test('what is sent is checked; only the prescriber of the prescription or a dispenser records it', async () => {
    const { number } = await dispensedPrescription(false);
    const bad = await consent(number, pharmacist.bearer, { oppositionConsultationDelivrance: 'oui' });
    assert.equal(bad.status, 422);
    // The DMP feed's choice is recorded here too (dmp-withdraw.test.ts), but only as an objection:
    // lifting it is refused, and so is a topic the gateway does not know.
    const topic = (code: string, type: string) => ({
      resourceType: 'Consent',
      provision: { type },
      policyRule: { coding: [{ system: 'urn:example:eprescription:consent-topic', code }] },
    });
    assert.equal((await consent(number, pharmacist.bearer, topic(CONSENT_TOPICS.dmp, 'permit'))).status, 422);
    assert.equal((await consent(number, pharmacist.bearer, { oppositionAlimentationDMP: false })).status, 422);
    assert.equal((await consent(number, pharmacist.bearer, topic('research', 'deny'))).status, 422);
    const other = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: syntheticRpps() });
    assert.equal((await consent(number, other, { oppositionConsultationDelivrance: true })).status, 403);
    assert.equal((await storedConsent(number)).consent.provision?.type, 'permit', 'nothing changed');
  });
});
