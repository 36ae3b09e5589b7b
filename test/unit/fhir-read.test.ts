import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Consent, FhirResource } from 'fhir/r4';
import type { Prescription } from '../../domain/prescription';
import { buildPrescriptionTransaction } from '../../fhir/build-transaction';
import { messageKeyOf, parseMessageKey, readPrescription, resolverFor } from '../../fhir/read-prescription';
import { mapper } from '../../mappers/fhir-message';
import { mixedAld } from '../fixtures/canonical';
import { bundleResources, transactionOptionsFor } from '../support/transaction-options';
import { vendorExamplesDir } from '../support/vendor-fixtures';

/** Build then read back, as the PDF/QR/CDA renderers do from what HAPI stores. */
function roundTrip(p: Prescription, opts = transactionOptionsFor(p)) {
  const bundle = buildPrescriptionTransaction(p, opts);
  return readPrescription(bundleResources(bundle), resolverFor(bundle.entry ?? []));
}

/** What HAPI does to a transaction: ids on resources, urn:uuid references rewritten to Type/id. */
function storeLikeHapi(bundle: Bundle<FhirResource>): FhirResource[] {
  const idOf = new Map<string, string>();
  (bundle.entry ?? []).forEach((e, i) => idOf.set(e.fullUrl!, `${e.resource!.resourceType}/${1000 + i}`));
  let json = JSON.stringify(bundleResources(bundle));
  for (const [fullUrl, typeAndId] of idOf) json = json.split(`"${fullUrl}"`).join(`"${typeAndId}"`);
  const stored = JSON.parse(json) as FhirResource[];
  stored.forEach((r, i) => (r.id = String(1000 + i)));
  // HAPI returns search results in no particular order.
  return stored.reverse();
}

const BASE: Prescription = {
  messageId: 'MSG-2026-000042',
  sourceFormat: 'lgc-xml',
  number: 'A1B2C3D4E5F6G7H8J9',
  authoredOn: '2026-10-20T16:05:00+02:00',
  priority: 'routine',
  prescriber: { rpps: '99900000425', family: 'MODELE', given: 'Hélène' },
  organization: { name: 'Cabinet Modèle', amNumber: '331990069' },
  // The mixed-ALD fixture's patient and consent (read only: no test changes them).
  patient: mixedAld.prescription.patient,
  consent: mixedAld.prescription.consent,
  context: { ald: false, nonReimbursable: false, prevention: false },
  lines: [
    {
      kind: 'drug',
      cis: '60234100',
      label: 'DOLIPRANE 1000 mg',
      posology: { text: '1 cp si douleur' },
      quantity: 2,
      renewals: 0,
      nonSubstitutable: false,
      offLabel: false,
    },
  ],
};

/** Canonical prescriptions covering every field and every line type between them. */
const CASES: Record<string, Prescription> = {
  minimal: BASE,
  'locum, every context flag, every optional field, all line types': {
    messageId: 'urn:uuid:6d5bd9d2-707d-442e-8854-9ea5ef797d4c',
    sourceFormat: 'fhir-message',
    number: '9KFQFE2LLTLAPA35R2',
    authoredOn: '2026-11-30T09:45:00+01:00',
    priority: 'stat',
    prescriber: { rpps: '99900012347', family: 'REMPLAÇANT', given: 'Louis Marie', specialty: 'Médecine générale' },
    replacedPrescriber: { rpps: '99900023138', family: 'FICTIF', given: 'Alain' },
    organization: {
      name: 'Centre de santé Essai',
      amNumber: '991000696',
      finess: '2A0000017',
      address: { lines: ['3 place du Modèle', 'Bâtiment B', 'BP 12'], postalCode: '20000', city: 'Ajaccio' },
      phone: '+33 4 95 00 00 00',
    },
    patient: {
      family: "D'ESSAI-FICTIVE",
      given: 'Marie-Ève',
      birthDate: '1964-05-09',
      gender: 'other',
      ins: { value: '264059999931864', oid: '1.2.250.1.213.1.4.9' },
    },
    consent: { informedOn: '2026-11-29', dispensingViewOptOut: true, dmpOptOut: true },
    context: { ald: true, workAccidentDate: '2026-09-28', nonReimbursable: true, prevention: true },
    lines: [
      {
        kind: 'drug',
        cip13: '3400930065785',
        cis: '62080626',
        label: 'LEVOTHYROX 75 microgrammes',
        posology: {
          text: '1 le matin',
          structured: { dosePerIntake: 0.5, unit: 'comprimé', intakesPerDay: 2, duration: { value: 3, unit: 'mo' } },
        },
        quantity: 3,
        renewals: 11,
        nonSubstitutable: true,
        nonSubstitutionReason: { code: 'MTE', text: 'Marge thérapeutique étroite' },
        offLabel: true,
      },
      {
        kind: 'drug',
        cip13: '3400935955838',
        posology: { structured: { intakesPerDay: 3 } },
        renewals: 0,
        nonSubstitutable: true,
        nonSubstitutionReason: { text: 'MTE - Marge thérapeutique étroite' },
        offLabel: false,
      },
      {
        kind: 'drug',
        cis: '61599041',
        label: 'RAMIPRIL 5 mg',
        posology: { structured: { dosePerIntake: 1, duration: { value: 10, unit: 'd' } } },
        quantity: 1,
        renewals: 5,
        nonSubstitutable: false,
        offLabel: false,
      },
      { kind: 'device', lpp: '1101720', label: 'Lecteur de glycémie', quantity: 1, duration: { value: 1, unit: 'a' } },
      { kind: 'device', label: 'Pansements', quantity: 20, duration: { value: 2, unit: 'wk' } },
      {
        kind: 'act',
        actType: 'acteBiologieMedicale',
        code: '1104',
        label: 'Hémogramme',
        atHome: true,
        startDate: '2026-12-07',
      },
      {
        kind: 'act',
        actType: 'acteInfirmier',
        code: 'AMI 1',
        label: 'Injection',
        sessions: 30,
        frequency: { count: 1, periodUnit: 'd' },
        atHome: true,
      },
      {
        kind: 'act',
        actType: 'acteKinesitherapie',
        label: 'Rééducation',
        sessions: 10,
        frequency: { text: '2 fois par semaine' },
        atHome: false,
        startDate: '2026-12-01',
      },
      {
        kind: 'act',
        actType: 'actePedicurie',
        code: 'POD',
        label: 'Soins de pédicurie',
        sessions: 4,
        frequency: { count: 1, periodUnit: 'mo', text: 'le lundi' },
        atHome: false,
      },
      {
        kind: 'act',
        actType: 'acteOrthophonie',
        label: 'Bilan orthophonique',
        sessions: 1,
        frequency: { periodUnit: 'wk' },
        atHome: false,
      },
      {
        kind: 'act',
        actType: 'acteOrthoptie',
        code: 'AMY 8',
        label: 'Rééducation orthoptique',
        sessions: 12,
        frequency: { count: 2 },
        atHome: false,
      },
    ],
    software: { name: 'ExempleLAP', version: '4.2.1' },
  },
  'urgent, FINESS only, software name only, context without work accident': {
    ...BASE,
    priority: 'urgent',
    organization: { name: 'Hôpital Essai', finess: '990000017' },
    context: { ald: true, nonReimbursable: false, prevention: true },
    software: { name: 'LGC Desktop' },
    patient: { ...BASE.patient, gender: 'unknown', ins: { value: '290052B99955561', oid: '1.2.250.1.213.1.4.11' } },
  },
  'asap, software version only, drug without label': {
    ...BASE,
    priority: 'asap',
    software: { version: '1.0' },
    lines: [
      {
        kind: 'drug',
        cis: '60234100',
        posology: { text: 'x' },
        quantity: 1,
        renewals: 2,
        nonSubstitutable: false,
        offLabel: false,
      },
    ],
  },
};

describe('readPrescription(build(p)) deep-equals p', () => {
  for (const [name, p] of Object.entries(CASES)) {
    test(name, () => {
      const read = roundTrip(p);
      assert.ok(read.ok, JSON.stringify(!read.ok && read.problems));
      assert.deepEqual(read.value.prescription, p);
      assert.equal(read.value.number, p.number);
      assert.equal(read.value.lineRequests.length, p.lines.length);
    });
  }

  test('a prescription without a vendor number reads back with the number it was stored under', () => {
    const { number: _, ...withoutNumber } = BASE;
    const read = roundTrip(withoutNumber, transactionOptionsFor(withoutNumber, '0SV0A7K2M9QX4TB8ZC'));
    assert.ok(read.ok);
    assert.deepEqual(read.value.prescription, { ...withoutNumber, number: '0SV0A7K2M9QX4TB8ZC' });
  });
});

describe('readPrescription from what HAPI stores', () => {
  const p = CASES['locum, every context flag, every optional field, all line types']!;
  const stored = storeLikeHapi(buildPrescriptionTransaction(p, transactionOptionsFor(p)));

  test('follows Type/id references, whatever the order of the resources', () => {
    const read = readPrescription(stored, resolverFor(stored.map((resource) => ({ resource }))));
    assert.ok(read.ok, JSON.stringify(!read.ok && read.problems));
    assert.deepEqual(read.value.prescription, p);
    assert.equal(read.value.requestGroupId, '1004');
  });

  test('gives the request of each line, in line order, with its server id', () => {
    const read = readPrescription(stored, resolverFor(stored.map((resource) => ({ resource }))));
    assert.ok(read.ok);
    assert.deepEqual(
      read.value.lineRequests.map((r) => `${r.resourceType}/${r.id}`),
      [
        'MedicationRequest/1007',
        'MedicationRequest/1008',
        'MedicationRequest/1009',
        'DeviceRequest/1010',
        'DeviceRequest/1011',
        'ServiceRequest/1012',
        'ServiceRequest/1013',
        'ServiceRequest/1014',
        'ServiceRequest/1015',
        'ServiceRequest/1016',
        'ServiceRequest/1017',
      ],
    );
  });

  test("ignores the Consents of the patient's other prescriptions", () => {
    const other = storeLikeHapi(
      buildPrescriptionTransaction(
        { ...p, messageId: 'other', consent: { ...p.consent, dispensingViewOptOut: false } },
        transactionOptionsFor(p),
      ),
    );
    const otherConsents = other
      .filter((r) => r.resourceType === 'Consent')
      .map((r) => ({
        ...r,
        id: `9${r.id}`,
        provision: {
          ...(r as Consent).provision,
          data: [{ meaning: 'related' as const, reference: { reference: 'RequestGroup/9999' } }],
        },
      }));
    const mixed = [...otherConsents, ...stored];
    const read = readPrescription(mixed, resolverFor(mixed.map((resource) => ({ resource }))));
    assert.ok(read.ok);
    assert.equal(read.value.prescription.consent.dispensingViewOptOut, true);
  });

  test('resolverFor understands absolute and versioned references', () => {
    const resolve = resolverFor(stored.map((resource) => ({ resource })));
    assert.equal(resolve('http://127.0.0.1:8080/fhir/Patient/1000/_history/2')?.resourceType, 'Patient');
    assert.equal(resolve('Patient/1000')?.id, '1000');
    assert.equal(resolve('Patient/9999'), undefined);
  });

  test('says what is missing instead of inventing it', () => {
    const withoutPatientAndConsents = stored.filter(
      (r) => r.resourceType !== 'Patient' && r.resourceType !== 'Consent',
    );
    const read = readPrescription(
      withoutPatientAndConsents,
      resolverFor(withoutPatientAndConsents.map((resource) => ({ resource }))),
    );
    assert.equal(read.ok, false);
    assert.deepEqual(!read.ok && read.problems.map((problem) => [problem.code, problem.path]), [
      ['not-found', 'RequestGroup.subject'],
      ['not-found', 'Consent'],
    ]);
    const withoutLine = stored.filter((r) => r.id !== '1012');
    const missingLine = readPrescription(withoutLine, resolverFor(withoutLine.map((resource) => ({ resource }))));
    assert.equal(!missingLine.ok && missingLine.problems[0]?.path, 'RequestGroup.action[5].resource');
    const noGroup = readPrescription([], () => undefined);
    assert.equal(!noGroup.ok && noGroup.problems[0]?.message, 'stored prescription: RequestGroup not found');
  });
});

describe('fhir-message fixtures survive mapping, storing and reading back', () => {
  const dir = vendorExamplesDir('fhir-message');
  for (const file of readdirSync(dir).filter((f) => f.startsWith('valid-'))) {
    test(file, () => {
      const mapped = mapper.parse(readFileSync(path.join(dir, file)));
      assert.ok(mapped.ok);
      const p = mapped.value.prescription;
      const read = roundTrip(p);
      assert.ok(read.ok);
      assert.deepEqual(read.value.prescription, p);
    });
  }
});

test('parseMessageKey reads the format, the sender and the message id (which may hold colons)', () => {
  const key = messageKeyOf('fhir-message', '81000000001', 'urn:uuid:1');
  assert.equal(key, 'fhir-message:81000000001:urn:uuid:1');
  assert.deepEqual(parseMessageKey(key), { format: 'fhir-message', messageId: 'urn:uuid:1' });
  assert.deepEqual(parseMessageKey('epu-json:81000000001:abc'), { format: 'epu-json', messageId: 'abc' });
  assert.equal(parseMessageKey('other:81000000001:abc'), undefined);
  assert.equal(parseMessageKey('epu-json:abc'), undefined, 'a key without its sender');
  assert.equal(parseMessageKey('no-colon'), undefined);
});
