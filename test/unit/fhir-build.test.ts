import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type {
  Bundle,
  Consent,
  DeviceRequest,
  FhirResource,
  MedicationRequest,
  Organization,
  Patient,
  Practitioner,
  RequestGroup,
  ServiceRequest,
} from 'fhir/r4';
import { addMonths } from '../../domain/calendar';
import type { Prescription } from '../../domain/prescription';
import { buildPrescriptionTransaction, searchToken, type TransactionOptions } from '../../fhir/build-transaction';
import { idsFromTransactionResponse, parseLocation } from '../../fhir/transaction-response';
import {
  EXECUTION_EXTENSIONS,
  EXTENSIONS,
  PROFILES,
  PRESCRIPTION_NUMBER_SYSTEM,
  REPLACEMENT_EXTENSIONS,
} from '../../fhir/systems';
import { STRUCTURE_DEFINITIONS, structureDefinitionFor } from '../../store/conformance';
import { validateFhirResource } from '../../fhir/fhir-schema';
import { bundleResources, transactionOptionsFor } from '../support/transaction-options';

/** A locum prescription with every field set and one line of each kind (synthetic data). */
const FULL: Prescription = {
  messageId: '3f1c1a52-5d0e-4d4e-9a55-0c1f7a3e9b10',
  sourceFormat: 'epu-json',
  number: '0SV0A7K2M9QX4TB8ZC',
  authoredOn: '2026-11-30T09:45:00+01:00',
  priority: 'urgent',
  prescriber: {
    rpps: '99900012347',
    family: 'REMPLAÇANT',
    given: 'Louis',
    specialty: 'Médecine générale',
    profession: 'doctor',
    specialtyCode: 'SM54',
  },
  replacedPrescriber: { rpps: '99900023138', family: 'FICTIF', given: 'Alain' },
  organization: {
    name: 'Cabinet médical du Parc (fictif)',
    amNumber: '991000696',
    finess: '990000017',
    facilityType: 'SA08',
    address: { lines: ["12 rue de l'Exemple", 'Bâtiment A'], postalCode: '75011', city: 'Paris' },
    phone: '+33 1 99 00 12 34',
  },
  patient: {
    family: "D'ESSAI",
    given: 'Jeanne Marie',
    birthDate: '1977-07-14',
    gender: 'female',
    ins: { value: '277077599910133', oid: '1.2.250.1.213.1.4.10' },
  },
  consent: { informedOn: '2026-11-30', dispensingViewOptOut: true, dmpOptOut: false },
  context: { ald: true, workAccidentDate: '2026-11-02', nonReimbursable: true, prevention: true },
  lines: [
    {
      kind: 'drug',
      cip13: '3400930065785',
      cis: '62080626',
      label: 'LEVOTHYROX 75 microgrammes, comprimé sécable',
      posology: {
        text: '1 comprimé le matin à jeun',
        structured: { dosePerIntake: 1, unit: 'comprimé', intakesPerDay: 1, duration: { value: 3, unit: 'mo' } },
      },
      quantity: 3,
      renewals: 1,
      nonSubstitutable: true,
      nonSubstitutionReason: { code: 'MTE', text: 'Marge thérapeutique étroite' },
      offLabel: true,
    },
    {
      kind: 'device',
      lpp: '1101720',
      label: 'Lecteur de glycémie',
      quantity: 1,
      duration: { value: 1, unit: 'a' },
    },
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
      label: 'Injection sous-cutanée',
      sessions: 30,
      frequency: { count: 1, periodUnit: 'd', text: 'le soir' },
      atHome: false,
    },
  ],
  software: { name: 'ExempleLAP', version: '4.2.1' },
};

const options = (): TransactionOptions => transactionOptionsFor(FULL);

const ofType = <K extends FhirResource['resourceType']>(bundle: Bundle<FhirResource>, type: K) =>
  bundleResources(bundle).filter((r) => r.resourceType === type) as Extract<FhirResource, { resourceType: K }>[];

describe('buildPrescriptionTransaction: bundle layout', () => {
  const bundle = buildPrescriptionTransaction(FULL, options());

  test('is a transaction with the entries in the documented order', () => {
    assert.equal(bundle.type, 'transaction');
    assert.deepEqual(
      bundleResources(bundle).map((r) => r.resourceType),
      [
        'Patient',
        'Practitioner',
        'Practitioner',
        'Organization',
        'RequestGroup',
        'Consent',
        'Consent',
        'MedicationRequest',
        'DeviceRequest',
        'ServiceRequest',
        'ServiceRequest',
      ],
    );
  });

  test('every fullUrl comes from the generator and every reference points at an entry', () => {
    const fullUrls = (bundle.entry ?? []).map((e) => e.fullUrl);
    assert.equal(new Set(fullUrls).size, fullUrls.length);
    for (const url of fullUrls) assert.match(url!, /^urn:uuid:00000000-0000-4000-8000-\d{12}$/);
    const references = JSON.stringify(bundle).match(/"reference":"[^"]+"/g) ?? [];
    assert.equal(
      references.length,
      20,
      'subject ×7, requester/author ×5, actions ×4, consent data ×2, locum + organization',
    );
    for (const ref of references) assert.ok(fullUrls.includes(ref.slice('"reference":"'.length, -1)), ref);
  });

  test('every entry is a POST of its type: identities conditional, the message entries plain (the unique index guards them)', () => {
    assert.deepEqual(
      (bundle.entry ?? []).map((e) => [e.request?.method, e.request?.url, e.request?.ifNoneExist]),
      [
        ['POST', 'Patient', 'identifier=urn:oid:1.2.250.1.213.1.4.10|277077599910133'],
        ['POST', 'Practitioner', 'identifier=https://rpps.esante.gouv.fr|99900012347'],
        ['POST', 'Practitioner', 'identifier=https://rpps.esante.gouv.fr|99900023138'],
        ['POST', 'Organization', 'identifier=https://finess.esante.gouv.fr|990000017'],
        ['POST', 'RequestGroup', undefined],
        ['POST', 'Consent', undefined],
        ['POST', 'Consent', undefined],
        ['POST', 'MedicationRequest', undefined],
        ['POST', 'DeviceRequest', undefined],
        ['POST', 'ServiceRequest', undefined],
        ['POST', 'ServiceRequest', undefined],
      ],
    );
  });

  test('conditionalMessageEntries (the previous path): the message entries are conditional creates on their message identifiers', () => {
    const key = `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}`;
    const conditional = buildPrescriptionTransaction(FULL, { ...options(), conditionalMessageEntries: true });
    assert.deepEqual(
      (conditional.entry ?? []).slice(4).map((e) => [e.request?.url, e.request?.ifNoneExist]),
      [
        // The very same message matches (key + payload hash, '#' URL-encoded); other content does not.
        ['RequestGroup', `identifier=urn:ordo-gateway:message-content|${key}%23${options().payloadSha256}`],
        ['Consent', `identifier=urn:ordo-gateway:message-consent|${key}:consultation-delivrance`],
        ['Consent', `identifier=urn:ordo-gateway:message-consent|${key}:alimentation-dmp`],
        ['MedicationRequest', `identifier=urn:ordo-gateway:message-line|${key}:1`],
        ['DeviceRequest', `identifier=urn:ordo-gateway:message-line|${key}:2`],
        ['ServiceRequest', `identifier=urn:ordo-gateway:message-line|${key}:3`],
        ['ServiceRequest', `identifier=urn:ordo-gateway:message-line|${key}:4`],
      ],
    );
    // The stored resources are the same either way.
    assert.deepEqual(
      conditional.entry?.map((e) => e.resource),
      buildPrescriptionTransaction(FULL, options()).entry?.map((e) => e.resource),
    );
  });

  test('every resource claims our profile, and every profile and extension used has a StructureDefinition', () => {
    const expected: Record<string, string> = {
      Patient: PROFILES.patient,
      Practitioner: PROFILES.practitioner,
      Organization: PROFILES.organization,
      RequestGroup: PROFILES.requestGroup,
      Consent: PROFILES.consent,
      MedicationRequest: PROFILES.medicationRequest,
      DeviceRequest: PROFILES.deviceRequest,
      ServiceRequest: PROFILES.serviceRequest,
    };
    for (const r of bundleResources(bundle)) {
      assert.deepEqual(r.meta?.profile, [expected[r.resourceType]]);
      assert.equal(structureDefinitionFor(expected[r.resourceType]!)?.type, r.resourceType);
    }
    const usedExtensions = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === 'extension' && Array.isArray(child))
            for (const ext of child)
              if (typeof ext?.url === 'string' && ext.url.includes(':')) usedExtensions.add(ext.url);
          collect(child);
        }
      }
    };
    collect(bundle);
    // Complex extensions' sub-extensions have relative urls (no scheme): only the definitions are counted.
    assert.equal(usedExtensions.size, Object.keys(EXTENSIONS).length, 'the full prescription uses every extension');
    for (const url of usedExtensions) assert.equal(structureDefinitionFor(url)?.type, 'Extension', url);
  });

  test('passes the R4 JSON schema, entries included', () => {
    assert.deepEqual(validateFhirResource(bundle), []);
  });
});

describe('buildPrescriptionTransaction: resources', () => {
  const bundle = buildPrescriptionTransaction(FULL, options());
  const url = (r: FhirResource) => bundle.entry!.find((e) => e.resource === r)!.fullUrl!;
  const [patient] = ofType(bundle, 'Patient') as [Patient];
  const [prescriber, replaced] = ofType(bundle, 'Practitioner') as [Practitioner, Practitioner];
  const [organization] = ofType(bundle, 'Organization') as [Organization];
  const [group] = ofType(bundle, 'RequestGroup') as [RequestGroup];
  const consents = ofType(bundle, 'Consent') as Consent[];
  const [drug] = ofType(bundle, 'MedicationRequest') as [MedicationRequest];
  const [device] = ofType(bundle, 'DeviceRequest') as [DeviceRequest];
  const [biology, nursing] = ofType(bundle, 'ServiceRequest') as [ServiceRequest, ServiceRequest];

  test('Patient carries the INS (official), the official name, gender and birth date', () => {
    assert.deepEqual(patient.identifier, [
      { use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.10', value: '277077599910133' },
    ]);
    assert.deepEqual(patient.name, [{ use: 'official', family: "D'ESSAI", given: ['Jeanne Marie'] }]);
    assert.equal(patient.gender, 'female');
    assert.equal(patient.birthDate, '1977-07-14');
  });

  test('an NIA is a temporary identifier', () => {
    const nia = {
      ...FULL,
      patient: { ...FULL.patient, ins: { value: '264059999931864', oid: '1.2.250.1.213.1.4.9' } },
    };
    const [p] = ofType(buildPrescriptionTransaction(nia, options()), 'Patient');
    assert.deepEqual(p!.identifier, [{ use: 'temp', system: 'urn:oid:1.2.250.1.213.1.4.9', value: '264059999931864' }]);
  });

  test('Practitioners carry RPPS and idNatPs; only the prescriber has a qualification', () => {
    assert.deepEqual(prescriber.identifier, [
      { system: 'https://rpps.esante.gouv.fr', value: '99900012347' },
      { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899900012347' },
    ]);
    assert.deepEqual(prescriber.qualification, [
      { code: { text: 'Médecine générale' } },
      {
        code: {
          coding: [
            {
              system: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante',
              code: '10',
              display: 'Médecin',
            },
          ],
        },
      },
    ]);
    assert.deepEqual(replaced.name, [{ family: 'FICTIF', given: ['Alain'] }]);
    assert.equal(replaced.qualification, undefined);
    assert.equal(replaced.extension, undefined, 'the locum link is per prescription, not on the shared Practitioner');
  });

  test('Organization carries FINESS, numéro AM, address and phone', () => {
    assert.deepEqual(organization.identifier, [
      { system: 'https://finess.esante.gouv.fr', value: '990000017' },
      { system: 'urn:example:eprescription:numero-am', value: '991000696' },
    ]);
    assert.deepEqual(organization.address, [
      { line: ["12 rue de l'Exemple", 'Bâtiment A'], postalCode: '75011', city: 'Paris', country: 'FR' },
    ]);
    assert.deepEqual(organization.telecom, [{ system: 'phone', value: '+33 1 99 00 12 34' }]);
  });

  test('Organization is matched on the numéro AM without a FINESS, and plainly created without either', () => {
    const amOnly = { ...FULL, organization: { name: 'X', amNumber: '991000696' } };
    const entryOf = (p: Prescription) =>
      buildPrescriptionTransaction(p, options()).entry!.find((e) => e.resource?.resourceType === 'Organization')!;
    assert.equal(entryOf(amOnly).request?.ifNoneExist, 'identifier=urn:example:eprescription:numero-am|991000696');
    assert.equal(entryOf({ ...FULL, organization: { name: 'X' } }).request?.ifNoneExist, undefined);
  });

  test('RequestGroup is the header: key, number, patient, prescriber, lines in order, extensions', () => {
    assert.deepEqual(group.identifier, [
      { system: 'urn:ordo-gateway:message-id', value: `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}` },
      {
        system: 'urn:ordo-gateway:message-content',
        value: `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}#${options().payloadSha256}`,
      },
    ]);
    assert.deepEqual(group.groupIdentifier, { system: PRESCRIPTION_NUMBER_SYSTEM, value: FULL.number });
    assert.equal(group.status, 'active');
    assert.equal(group.intent, 'order');
    assert.equal(group.priority, 'urgent');
    assert.equal(group.authoredOn, FULL.authoredOn);
    assert.equal(group.subject?.reference, url(patient));
    assert.equal(group.author?.reference, url(prescriber));
    assert.deepEqual(
      group.action?.map((a) => a.resource?.reference),
      [drug, device, biology, nursing].map(url),
    );
    const ext = (u: string) => group.extension?.filter((e) => e.url === u);
    assert.equal(ext(EXTENSIONS.locumFor)?.[0]?.valueReference?.reference, url(replaced));
    assert.equal(ext(EXTENSIONS.prescriberOrganization)?.[0]?.valueReference?.reference, url(organization));
    assert.deepEqual(
      ext(EXTENSIONS.prescriptionContext)?.map((e) => e.valueCoding?.code),
      ['MED-574', 'GEN-180', 'GEN-295', 'GEN-181'],
    );
    assert.deepEqual(
      ext(EXTENSIONS.workAccidentDate)?.map((e) => e.valueDate),
      ['2026-11-02'],
    );
    assert.deepEqual(ext(EXTENSIONS.sourceSoftware)?.[0]?.extension, [
      { url: 'name', valueString: 'ExempleLAP' },
      { url: 'version', valueString: '4.2.1' },
    ]);
  });

  test('without a locum there is one Practitioner and no locum-for', () => {
    const { replacedPrescriber: _, ...noLocum } = FULL;
    const built = buildPrescriptionTransaction(noLocum, options());
    assert.equal(ofType(built, 'Practitioner').length, 1);
    assert.equal(
      ofType(built, 'RequestGroup')[0]!.extension?.some((e) => e.url === EXTENSIONS.locumFor),
      false,
    );
  });

  test('two Consents record the choices, about the RequestGroup', () => {
    assert.deepEqual(
      consents.map((c) => [c.policyRule?.coding?.[0]?.code, c.provision?.type, c.dateTime, c.identifier?.[0]?.value]),
      [
        [
          'consultation-delivrance',
          'deny',
          '2026-11-30',
          `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}:consultation-delivrance`,
        ],
        [
          'alimentation-dmp',
          'permit',
          '2026-11-30',
          `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}:alimentation-dmp`,
        ],
      ],
    );
    for (const c of consents) {
      assert.equal(c.status, 'active');
      assert.deepEqual(c.scope, {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      });
      assert.deepEqual(c.category, [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }]);
      assert.equal(c.patient?.reference, url(patient));
      assert.deepEqual(c.provision?.data, [{ meaning: 'related', reference: { reference: url(group) } }]);
    }
  });

  test('every request: line identifier, number, status, intent, priority, subject, requester, date, context', () => {
    [drug, device, biology, nursing].forEach((r, i) => {
      assert.deepEqual(r.identifier, [
        {
          system: 'urn:ordo-gateway:message-line',
          value: `epu-json:${FULL.prescriber.rpps}:${FULL.messageId}:${i + 1}`,
        },
      ]);
      const number = r.resourceType === 'ServiceRequest' ? r.requisition : r.groupIdentifier;
      assert.deepEqual(number, { system: PRESCRIPTION_NUMBER_SYSTEM, value: FULL.number });
      assert.deepEqual([r.status, r.intent, r.priority, r.authoredOn], ['active', 'order', 'urgent', FULL.authoredOn]);
      assert.equal(r.subject?.reference, url(patient));
      assert.equal(r.requester?.reference, url(prescriber));
      const contextCodes = r.extension
        ?.filter((e) => e.url === EXTENSIONS.prescriptionContext)
        .map((e) => e.valueCoding);
      assert.deepEqual(
        contextCodes?.map((c) => [c?.system, c?.code]),
        [
          ['urn:oid:1.2.250.1.213.1.1.4.322', 'MED-574'],
          ['urn:oid:1.2.250.1.213.1.1.4.322', 'GEN-180'],
          ['urn:oid:1.2.250.1.213.1.1.4.322', 'GEN-295'],
          ['urn:oid:1.2.250.1.213.1.1.4.322', 'GEN-181'],
        ],
      );
      assert.deepEqual(
        r.extension?.filter((e) => e.url === EXTENSIONS.workAccidentDate),
        [{ url: EXTENSIONS.workAccidentDate, valueDate: '2026-11-02' }],
      );
    });
  });

  test('MedicationRequest: product, posology, boxes, renewals, validity (R.5132-21/22), substitution, off-label', () => {
    assert.deepEqual(drug.medicationCodeableConcept, {
      coding: [
        { system: 'urn:oid:1.2.250.1.213.2.3.2', code: '3400930065785' },
        { system: 'urn:oid:1.2.250.1.213.2.3.1', code: '62080626' },
      ],
      text: 'LEVOTHYROX 75 microgrammes, comprimé sécable',
    });
    assert.deepEqual(drug.dosageInstruction, [
      {
        text: '1 comprimé le matin à jeun',
        timing: {
          repeat: {
            frequency: 1,
            period: 1,
            periodUnit: 'd',
            boundsDuration: { value: 3, unit: 'mois', system: 'http://unitsofmeasure.org', code: 'mo' },
          },
        },
        doseAndRate: [{ doseQuantity: { value: 1, unit: 'comprimé' } }],
      },
    ]);
    // 3 months per delivery × (1 + 1 renewal) from the prescription date: until 2027-05-30 (the first
    // delivery alone by 2027-02-28, R.5132-22, which the dispensing rules derive from the start).
    assert.deepEqual(drug.dispenseRequest, {
      validityPeriod: { start: '2026-11-30', end: '2027-05-30' },
      numberOfRepeatsAllowed: 1,
      quantity: { value: 3, unit: 'boîte' },
      expectedSupplyDuration: { value: 3, unit: 'mois', system: 'http://unitsofmeasure.org', code: 'mo' },
    });
    assert.deepEqual(drug.substitution, {
      allowedBoolean: false,
      reason: {
        coding: [{ system: 'urn:example:eprescription:non-substitution-reason', code: 'MTE' }],
        text: 'Marge thérapeutique étroite',
      },
    });
    assert.deepEqual(
      drug.extension?.filter((e) => e.url === EXTENSIONS.offLabel),
      [{ url: EXTENSIONS.offLabel, valueBoolean: true }],
    );
  });

  test('a substitutable drug has no substitution element; text-only posology has no timing', () => {
    const plain: Prescription = {
      ...FULL,
      lines: [
        {
          kind: 'drug',
          cis: '60234100',
          label: 'DOLIPRANE',
          posology: { text: '1 cp si douleur' },
          quantity: 1,
          renewals: 0,
          nonSubstitutable: false,
          offLabel: false,
        },
      ],
    };
    const [mr] = ofType(buildPrescriptionTransaction(plain, options()), 'MedicationRequest');
    assert.equal(mr!.substitution, undefined);
    assert.deepEqual(mr!.dosageInstruction, [{ text: '1 cp si douleur' }]);
    assert.equal(
      mr!.extension?.some((e) => e.url === EXTENSIONS.offLabel),
      false,
    );
  });

  test('DeviceRequest: LPP, quantity parameter, duration', () => {
    assert.deepEqual(device.codeCodeableConcept, {
      coding: [{ system: 'urn:oid:1.2.250.1.215.200.2.1', code: '1101720' }],
      text: 'Lecteur de glycémie',
    });
    assert.deepEqual(device.parameter, [
      {
        code: { coding: [{ system: 'urn:example:eprescription:device-parameter', code: 'quantity' }] },
        valueQuantity: { value: 1 },
      },
    ]);
    assert.deepEqual(device.occurrenceTiming, {
      repeat: { boundsDuration: { value: 1, unit: 'an', system: 'http://unitsofmeasure.org', code: 'a' } },
    });
  });

  test('ServiceRequest: act type, NABM or NGAP code, sessions, timing, at home', () => {
    assert.deepEqual(biology.category, [
      { coding: [{ system: 'urn:example:eprescription:act-type', code: 'acteBiologieMedicale' }] },
    ]);
    assert.deepEqual(biology.code, {
      coding: [{ system: 'urn:example:eprescription:nabm', code: '1104' }],
      text: 'Hémogramme',
    });
    assert.equal(biology.quantityQuantity, undefined);
    assert.deepEqual(biology.occurrenceTiming, { repeat: { boundsPeriod: { start: '2026-12-07' } } });
    assert.deepEqual(
      biology.locationCode?.[0]?.coding?.map((c) => [c.system, c.code]),
      [['http://terminology.hl7.org/CodeSystem/v3-RoleCode', 'PTRES']],
    );

    assert.deepEqual(nursing.category?.[0]?.coding?.[0]?.code, 'acteInfirmier');
    assert.deepEqual(nursing.code, {
      coding: [{ system: 'urn:example:eprescription:ngap', code: 'AMI 1' }],
      text: 'Injection sous-cutanée',
    });
    assert.deepEqual(nursing.quantityQuantity, { value: 30, unit: 'séance' });
    assert.deepEqual(nursing.occurrenceTiming, {
      repeat: { frequency: 1, period: 1, periodUnit: 'd' },
      code: { text: 'le soir' },
    });
    assert.equal(nursing.locationCode, undefined);
  });
});

describe('buildPrescriptionTransaction: purity', () => {
  test('same input and same uuid sequence give the same Bundle; the input is not modified', () => {
    const before = structuredClone(FULL);
    const a = buildPrescriptionTransaction(FULL, options());
    const b = buildPrescriptionTransaction(FULL, options());
    assert.deepEqual(a, b);
    assert.deepEqual(FULL, before);
  });

  test('the Bundle shares no object with the input (callers may mutate it)', () => {
    const built = buildPrescriptionTransaction(FULL, options());
    const [organization] = ofType(built, 'Organization');
    organization!.address![0]!.line!.push('changed');
    assert.deepEqual(FULL.organization.address?.lines, ["12 rue de l'Exemple", 'Bâtiment A']);
  });
});

describe('helpers', () => {
  test('searchToken escapes FHIR search separators and URL-encodes, keeping colons', () => {
    assert.equal(
      searchToken('urn:ordo-gateway:message-id', 'fhir-message:urn:uuid:1'),
      'identifier=urn:ordo-gateway:message-id|fhir-message:urn:uuid:1',
    );
    assert.equal(searchToken('urn:x', 'a|b,c$d\\e&f g'), 'identifier=urn:x|a%5C%7Cb%5C%2Cc%5C%24d%5C%5Ce%26f%20g');
  });

  test('addMonths clamps to the end of the target month and crosses years', () => {
    assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
    assert.equal(addMonths('2027-11-30', 3), '2028-02-29');
    assert.equal(addMonths('2026-10-14', 3), '2027-01-14');
    assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  });

  test('parseLocation reads Type/id from relative and absolute locations', () => {
    assert.deepEqual(parseLocation('MedicationRequest/42/_history/1'), { resourceType: 'MedicationRequest', id: '42' });
    assert.deepEqual(parseLocation('http://127.0.0.1:8080/fhir/Patient/abc-1/_history/3'), {
      resourceType: 'Patient',
      id: 'abc-1',
    });
    assert.deepEqual(parseLocation('Consent/7'), { resourceType: 'Consent', id: '7' });
    assert.equal(parseLocation('not a location'), undefined);
  });
});

describe('idsFromTransactionResponse', () => {
  const request = buildPrescriptionTransaction(FULL, options());
  const response = (locations: string[]): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: locations.map((location) => ({ response: { status: '201 Created', location } })),
  });
  const locations = (request.entry ?? []).map((e, i) => `${e.resource!.resourceType}/${100 + i}/_history/1`);

  test('gives the ids per type and per line, in order', () => {
    assert.deepEqual(idsFromTransactionResponse(request, response(locations)), {
      Patient: '100',
      Practitioner: ['101', '102'],
      Organization: '103',
      RequestGroup: '104',
      Consent: ['105', '106'],
      MedicationRequest: ['107'],
      DeviceRequest: ['108'],
      ServiceRequest: ['109', '110'],
      lines: [
        { resourceType: 'MedicationRequest', id: '107' },
        { resourceType: 'DeviceRequest', id: '108' },
        { resourceType: 'ServiceRequest', id: '109' },
        { resourceType: 'ServiceRequest', id: '110' },
      ],
    });
  });

  test('refuses a response that does not answer every entry with a location of its type', () => {
    assert.throws(() => idsFromTransactionResponse(request, response(locations.slice(1))), /10 entries for 11/);
    const swapped = [...locations];
    swapped[0] = 'Organization/1/_history/1';
    assert.throws(() => idsFromTransactionResponse(request, response(swapped)), /entry 0: expected a Patient location/);
  });
});

describe('StructureDefinitions', () => {
  test('one per profile and per extension URL, each a valid R4 constraint with a differential', () => {
    const urls = STRUCTURE_DEFINITIONS.map((sd) => sd.url);
    assert.equal(new Set(urls).size, urls.length);
    assert.equal(new Set(STRUCTURE_DEFINITIONS.map((sd) => sd.id)).size, urls.length);
    for (const url of [
      ...Object.values(PROFILES),
      ...Object.values(EXTENSIONS),
      ...Object.values(EXECUTION_EXTENSIONS),
      ...Object.values(REPLACEMENT_EXTENSIONS),
    ])
      assert.ok(urls.includes(url), url);
    assert.equal(
      STRUCTURE_DEFINITIONS.length,
      Object.keys(PROFILES).length +
        Object.keys(EXTENSIONS).length +
        Object.keys(EXECUTION_EXTENSIONS).length +
        Object.keys(REPLACEMENT_EXTENSIONS).length,
    );
    for (const sd of STRUCTURE_DEFINITIONS) {
      assert.deepEqual(validateFhirResource(sd), [], sd.id);
      assert.equal(sd.derivation, 'constraint');
      assert.equal(sd.fhirVersion, '4.0.1');
      assert.equal(sd.snapshot, undefined, 'HAPI generates snapshots');
      assert.ok((sd.differential?.element ?? []).length > 0);
      for (const element of sd.differential!.element)
        assert.ok(element.path.startsWith(sd.type), `${sd.id}: ${element.path}`);
    }
  });
});
