import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sourcePathFor, type DrugLine } from '../../domain/prescription';
import { isValidCip13 } from '../../domain/identifiers';
import { mapper, messageInfoOf, readMessageInfo } from '../../mappers/fhir-message';
import { drugsOnly, mixedAld } from '../fixtures/canonical';
import { mapped } from '../support/map-result';
import { counts } from '../support/prescription-lines';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const dir = vendorExamplesDir('fhir-message');
const fixture = (file: string): Buffer => readFileSync(path.join(dir, file));
// Mutations are applied to plain JSON, whatever FHIR says the types are.
type Json = any;
const fixtureJson = (file: string): Json => JSON.parse(fixture(file).toString('utf8'));
const body = (json: Json): Buffer => Buffer.from(JSON.stringify(json), 'utf8');

const mapFile = (file: string) => mapped(mapper.parse(fixture(file)));
const mapJson = (json: Json) => mapped(mapper.parse(body(json)));

/**
 * A valid fixture changed by `change` (entry indexes of valid-drugs-only: 0 header, 1 Patient, 2
 * Practitioner, 3 Organization, 4–5 Consents, 6–8 MedicationRequests).
 */
function mutated(change: (bundle: Json) => void, file = 'valid-drugs-only.json'): Json {
  const json = fixtureJson(file);
  change(json);
  return json;
}

function rejectedWith(json: Json, expected: { path: string; rule: string }): void {
  const result = mapper.parse(body(json));
  assert.equal(result.ok, false, 'the payload was accepted');
  assert.ok(!result.ok);
  assert.equal(result.kind, 'invalid');
  const found = result.problems.some((p) => p.path === expected.path && p.rule === expected.rule);
  assert.ok(found, `expected ${expected.rule} at ${expected.path}, got ${JSON.stringify(result.problems, null, 1)}`);
}

describe('fhir-message mapper: the vendor fixtures', () => {
  test('declares its format and media type', () => {
    assert.equal(mapper.format, 'fhir-message');
    assert.deepEqual(mapper.mediaTypes, ['application/fhir+json']);
  });

  test('valid-drugs-only maps to 3 drug lines', () => {
    const { prescription: p } = mapFile('valid-drugs-only.json');
    // The same prescription as the canonical drugs-only fixture, sent as a FHIR message.
    const expected = drugsOnly.prescription;
    assert.deepEqual(counts(p), [3, 0, 0]);
    assert.equal(p.messageId, 'urn:uuid:b1c256a8-6555-4227-875b-21de236821f7');
    assert.equal(p.sourceFormat, 'fhir-message');
    assert.equal(p.number, '9SE568H232T0Z38GBW');
    assert.equal(p.authoredOn, '2026-10-14T09:32:00+02:00');
    assert.equal(p.priority, 'routine');
    assert.deepEqual(p.prescriber, expected.prescriber);
    assert.equal(p.replacedPrescriber, undefined);
    assert.deepEqual(p.patient, expected.patient);
    assert.deepEqual(p.organization, expected.organization);
    assert.deepEqual(p.consent, expected.consent);
    assert.deepEqual(p.context, expected.context);
    assert.deepEqual(p.software, { name: 'ExempleLAP', version: '4.2.1' });
    assert.deepEqual(p.lines[0], expected.lines[0]);
    assert.deepEqual(
      p.lines.map((l) => (l as DrugLine).renewals),
      [1, 5, 0],
    );
    assert.deepEqual(p.lines[2], expected.lines[2]);
  });

  test('valid-mixed-drugs-device-nursing maps to 2 drugs, 2 devices, 2 nursing acts, with the ALD flag', () => {
    const { prescription: p } = mapFile('valid-mixed-drugs-device-nursing.json');
    assert.deepEqual(counts(p), [2, 2, 2]);
    assert.equal(p.context.ald, true);
    // The same lines as the canonical mixed-ALD fixture.
    assert.deepEqual(p.lines[2], mixedAld.prescription.lines[2]);
    assert.deepEqual(p.lines[4], mixedAld.prescription.lines[4]);
  });

  test('valid-biology-only maps to 5 biology acts with their NABM codes', () => {
    const { prescription: p } = mapFile('valid-biology-only.json');
    assert.deepEqual(counts(p), [0, 0, 5]);
    assert.deepEqual(
      p.lines.map((l) => l.kind === 'act' && [l.actType, l.code]),
      [
        ['acteBiologieMedicale', '1104'],
        ['acteBiologieMedicale', '0552'],
        ['acteBiologieMedicale', '0996'],
        ['acteBiologieMedicale', '0592'],
        ['acteBiologieMedicale', '1610'],
      ],
    );
    assert.equal(p.number, 'YWVUN7O1B3XDCHUA44');
  });

  test('valid-locum-practitioner-role: locum, PractitionerRole requester, NIA, context flags, substitution N', () => {
    const { prescription: p, sourceMap } = mapFile('valid-locum-practitioner-role.json');
    assert.deepEqual(counts(p), [1, 1, 1]);
    assert.deepEqual(p.prescriber, {
      rpps: '99900012347',
      family: 'REMPLAÇANT',
      given: 'Louis',
      specialty: 'Médecine générale',
    });
    assert.equal(sourceMap['/prescriber/specialty'], 'Bundle.entry[4].resource.specialty[0].text');
    assert.deepEqual(p.replacedPrescriber, { rpps: '99900023138', family: 'FICTIF', given: 'Alain' });
    assert.equal(
      sourceMap['/replacedPrescriber/rpps'],
      'Bundle.entry[3].resource.identifier[0].value',
      'read from the idNatPs',
    );
    assert.deepEqual(p.patient.ins, { value: '264059999931864', oid: '1.2.250.1.213.1.4.9' });
    assert.equal(p.priority, 'urgent');
    assert.deepEqual(p.context, {
      ald: false,
      workAccidentDate: '2026-09-28',
      nonReimbursable: false,
      prevention: true,
    });
    assert.deepEqual(p.consent, { informedOn: '2026-10-27', dispensingViewOptOut: false, dmpOptOut: true });
    assert.equal(p.organization.finess, '990000017');
    assert.equal(p.organization.phone, '+33 3 99 00 45 67', 'the phone, not the email');
    const [drug, device, act] = p.lines;
    assert.deepEqual(
      drug && drug.kind === 'drug' && [drug.nonSubstitutable, drug.nonSubstitutionReason?.code, drug.offLabel],
      [true, 'CIF', true],
    );
    assert.deepEqual(device && device.kind === 'device' && device.duration, { value: 3, unit: 'wk' });
    assert.deepEqual(act && act.kind === 'act' && [act.actType, act.frequency], [
      'acteKinesitherapie',
      { count: 2, periodUnit: 'wk' },
    ]);
  });

  test('invalid-missing-message-header is rejected here (V12)', () => {
    const result = mapper.parse(fixture('invalid-missing-message-header.json'));
    assert.ok(!result.ok);
    assert.equal(result.kind, 'invalid');
    assert.deepEqual(
      result.problems.map((p) => [p.rule, p.path]),
      [['V12', 'Bundle.entry[0].resource']],
    );
  });

  test('invalid-cip13-check-digit maps; its SourceMap points the rules at the coding', () => {
    const { prescription, sourceMap } = mapFile('invalid-cip13-check-digit.json');
    const drug = prescription.lines[0] as DrugLine;
    assert.equal(drug.cip13, '3400930065786');
    assert.equal(isValidCip13(drug.cip13), false, 'V5 will reject it');
    assert.equal(
      sourcePathFor(sourceMap, '/lines/0/cip13'),
      'Bundle.entry[6].resource.medicationCodeableConcept.coding[0].code',
    );
  });

  test('invalid-non-substitutable-without-reason maps; the missing reason has a FHIRPath', () => {
    const { prescription, sourceMap } = mapFile('invalid-non-substitutable-without-reason.json');
    const drug = prescription.lines[0] as DrugLine;
    assert.equal(drug.nonSubstitutable, true);
    assert.equal(drug.nonSubstitutionReason, undefined, 'V8 will reject it');
    assert.equal(
      sourcePathFor(sourceMap, '/lines/0/nonSubstitutionReason'),
      'Bundle.entry[6].resource.substitution.reason',
    );
    assert.equal(
      sourcePathFor(sourceMap, '/lines/0/nonSubstitutable'),
      'Bundle.entry[6].resource.substitution.allowedBoolean',
    );
  });
});

describe('fhir-message mapper: SourceMap', () => {
  const { sourceMap } = mapFile('valid-mixed-drugs-device-nursing.json');

  test('maps canonical paths to FHIRPath expressions of the message', () => {
    assert.equal(sourceMap[''], 'Bundle');
    assert.equal(sourceMap['/messageId'], 'Bundle.identifier.value');
    assert.equal(sourceMap['/number'], 'Bundle.entry[6].resource.groupIdentifier.value');
    assert.equal(sourceMap['/authoredOn'], 'Bundle.entry[6].resource.authoredOn');
    assert.equal(sourceMap['/patient/ins/value'], 'Bundle.entry[1].resource.identifier[0].value');
    assert.equal(sourceMap['/prescriber/rpps'], 'Bundle.entry[2].resource.identifier[0].value');
    assert.equal(sourceMap['/organization/amNumber'], 'Bundle.entry[3].resource.identifier[0].value');
    assert.equal(sourceMap['/consent/informedOn'], 'Bundle.entry[4].resource.dateTime');
    assert.equal(sourceMap['/consent/dmpOptOut'], 'Bundle.entry[5].resource.provision.type');
    assert.equal(sourceMap['/context/ald'], 'Bundle.entry[6].resource.extension[0]');
    assert.equal(sourceMap['/lines/1/quantity'], 'Bundle.entry[7].resource.dispenseRequest.quantity.value');
    assert.equal(
      sourceMap['/lines/1/posology/structured/intakesPerDay'],
      'Bundle.entry[7].resource.dosageInstruction[0].timing.repeat.frequency',
    );
    assert.equal(sourceMap['/lines/3/quantity'], 'Bundle.entry[9].resource.parameter[0].valueQuantity.value');
    assert.equal(sourceMap['/lines/3/lpp'], 'Bundle.entry[9].resource.codeCodeableConcept.coding[0].code');
    assert.equal(sourceMap['/lines/4/sessions'], 'Bundle.entry[10].resource.quantityQuantity.value');
    assert.equal(
      sourceMap['/lines/5/startDate'],
      'Bundle.entry[11].resource.occurrenceTiming.repeat.boundsPeriod.start',
    );
  });

  test('absent fields still have a path, and unmapped ones fall back on their ancestor', () => {
    assert.equal(sourceMap['/organization/finess'], 'Bundle.entry[3].resource.identifier');
    assert.equal(
      sourceMap['/context/workAccidentDate'],
      "Bundle.entry[6].resource.extension('urn:example:eprescription:extension:work-accident-date')",
    );
    assert.equal(sourcePathFor(sourceMap, '/lines/2/somethingNew'), 'Bundle.entry[8].resource');
  });

  test('behaves as a plain record', () => {
    assert.ok('/lines/0/cis' in sourceMap);
    assert.ok(!('/nowhere' in sourceMap));
    const copy = { ...sourceMap };
    assert.equal(copy['/lines/0/cis'], 'Bundle.entry[6].resource.medicationCodeableConcept.coding[1].code');
    assert.equal(Object.keys(sourceMap).length, Object.keys(JSON.parse(JSON.stringify(sourceMap))).length);
    sourceMap['/extra'] = 'Bundle.extra';
    assert.equal(sourceMap['/extra'], 'Bundle.extra');
  });
});

describe('fhir-message mapper: malformed payloads (V1)', () => {
  const malformed = (bytes: Buffer) => {
    const result = mapper.parse(bytes);
    assert.ok(!result.ok);
    assert.equal(result.kind, 'malformed');
    assert.ok(result.problems.length > 0);
  };
  test('not JSON', () => malformed(Buffer.from('{"resourceType": "Bundle",', 'utf8')));
  test('not UTF-8', () => malformed(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])));
  test('nested deeper than 32 levels', () => malformed(Buffer.from(`${'['.repeat(40)}${']'.repeat(40)}`, 'utf8')));
});

describe('fhir-message mapper: structural rejections (§4, V2, V12)', () => {
  const cases: Array<[string, (b: Json) => void, string, string]> = [
    ['not a Bundle', (b) => (b.resourceType = 'Parameters'), 'Bundle', 'V2'],
    [
      'a JSON type error, found by the R4 schema',
      (b) => (b.entry[6].resource.dispenseRequest.quantity.value = '3'),
      'Bundle.entry[6].resource.dispenseRequest.quantity.value',
      'V2',
    ],
    ['an unknown element', (b) => (b.entry[1].resource.nickname = 'Jo'), 'Bundle.entry[1].resource.nickname', 'V2'],
    ['Bundle.type other than message', (b) => (b.type = 'collection'), 'Bundle.type', 'V2'],
    ['no Bundle.identifier.value', (b) => delete b.identifier.value, 'Bundle.identifier.value', 'V12'],
    ['no Bundle.identifier.system', (b) => delete b.identifier.system, 'Bundle.identifier.system', 'V2'],
    ['no timestamp', (b) => delete b.timestamp, 'Bundle.timestamp', 'V2'],
    ['no entry', (b) => (b.entry = []), 'Bundle.entry', 'V2'],
    [
      'a fullUrl that is not urn:uuid',
      (b) => (b.entry[3].fullUrl = 'http://lap.example/Organization/1'),
      'Bundle.entry[3].fullUrl',
      'V2',
    ],
    ['a duplicated fullUrl', (b) => (b.entry[5].fullUrl = b.entry[4].fullUrl), 'Bundle.entry[5].fullUrl', 'V2'],
    ['an entry without resource', (b) => delete b.entry[5].resource, 'Bundle.entry[5].resource', 'V2'],
    [
      'a second MessageHeader',
      (b) => b.entry.push({ fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000001', resource: b.entry[0].resource }),
      'Bundle.entry[9].resource',
      'V12',
    ],
    ['MessageHeader not first', (b) => b.entry.push(b.entry.shift()), 'Bundle.entry[0].resource', 'V12'],
    [
      'an unknown event',
      (b) => (b.entry[0].resource.eventCoding.code = 'prescription-cancel'),
      'Bundle.entry[0].resource.eventCoding',
      'V2',
    ],
    [
      'an event of another system',
      (b) => (b.entry[0].resource.eventCoding.system = 'urn:other'),
      'Bundle.entry[0].resource.eventCoding',
      'V2',
    ],
    [
      'no source endpoint',
      (b) => delete b.entry[0].resource.source.endpoint,
      'Bundle.entry[0].resource.source.endpoint',
      'V2',
    ],
    [
      'a resource type outside the event',
      (b) =>
        b.entry.push({
          fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000002',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
        }),
      'Bundle.entry[9].resource.resourceType',
      'V2',
    ],
    [
      'a reference outside the Bundle',
      (b) => (b.entry[6].resource.subject.reference = 'Patient/123'),
      'Bundle.entry[6].resource.subject.reference',
      'V12',
    ],
    [
      'a contained resource',
      (b) => (b.entry[6].resource.contained = [{ resourceType: 'Medication', id: 'm' }]),
      'Bundle.entry[6].resource.contained',
      'V2',
    ],
    [
      'an unknown modifierExtension',
      (b) =>
        (b.entry[7].resource.dosageInstruction[0].modifierExtension = [{ url: 'urn:x:if-needed', valueBoolean: true }]),
      'Bundle.entry[7].resource.dosageInstruction[0].modifierExtension[0]',
      'V2',
    ],
    [
      'two Patients',
      (b) => b.entry.push({ fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000003', resource: b.entry[1].resource }),
      'Bundle.entry[9].resource',
      'V12',
    ],
    ['no Patient', (b) => b.entry.splice(1, 1), 'Bundle.entry', 'V12'],
    [
      'a Patient with two INS',
      (b) => b.entry[1].resource.identifier.push({ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '277077599910133' }),
      'Bundle.entry[1].resource.identifier',
      'V12',
    ],
    [
      'a Patient without INS',
      (b) => (b.entry[1].resource.identifier[0].system = 'urn:oid:1.2.250.1.213.1.4.12'),
      'Bundle.entry[1].resource.identifier',
      'V12',
    ],
    [
      'a Patient without birth date',
      (b) => delete b.entry[1].resource.birthDate,
      'Bundle.entry[1].resource.birthDate',
      'V2',
    ],
    [
      'a Patient without given name',
      (b) => delete b.entry[1].resource.name[0].given,
      'Bundle.entry[1].resource.name[0].given',
      'V2',
    ],
    [
      'a Practitioner without RPPS nor idNatPs',
      (b) => (b.entry[2].resource.identifier = [{ system: 'urn:other', value: '1' }]),
      'Bundle.entry[2].resource.identifier',
      'V2',
    ],
    [
      'RPPS and idNatPs that disagree',
      (b) => b.entry[2].resource.identifier.push({ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899900000425' }),
      'Bundle.entry[2].resource.identifier[1].value',
      'V2',
    ],
    [
      'an idNatPs that is not 8 + RPPS',
      (b) => (b.entry[2].resource.identifier = [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '010001234567' }]),
      'Bundle.entry[2].resource.identifier[0].value',
      'V2',
    ],
    [
      'a second Practitioner that is not the replaced one',
      (b) => b.entry.push({ fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000004', resource: b.entry[2].resource }),
      'Bundle.entry[9].resource',
      'V2',
    ],
    [
      'two Organizations',
      (b) => b.entry.push({ fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000005', resource: b.entry[3].resource }),
      'Bundle.entry[9].resource',
      'V2',
    ],
    [
      'a sender that is not the Organization',
      (b) => (b.entry[0].resource.sender.reference = b.entry[2].fullUrl),
      'Bundle.entry[0].resource.sender.reference',
      'V2',
    ],
    ['no consultation-delivrance Consent', (b) => b.entry.splice(4, 1), 'Bundle.entry', 'V12'],
    [
      'a Consent with an unknown topic',
      (b) => (b.entry[5].resource.policyRule.coding[0].code = 'recherche'),
      'Bundle.entry[5].resource.policyRule',
      'V2',
    ],
    [
      'a Consent about another patient',
      (b) => (b.entry[4].resource.patient.reference = b.entry[2].fullUrl),
      'Bundle.entry[4].resource.patient',
      'V12',
    ],
    [
      'a Consent without provision type',
      (b) => delete b.entry[4].resource.provision,
      'Bundle.entry[4].resource.provision.type',
      'V2',
    ],
    ['no request', (b) => b.entry.splice(6, 3), 'Bundle.entry', 'V12'],
    [
      'a request about someone else',
      (b) => (b.entry[7].resource.subject.reference = b.entry[2].fullUrl),
      'Bundle.entry[7].resource.subject',
      'V12',
    ],
    [
      'a request without requester',
      (b) => delete b.entry[7].resource.requester,
      'Bundle.entry[7].resource.requester',
      'V12',
    ],
    [
      'a request from an Organization',
      (b) => (b.entry[7].resource.requester.reference = b.entry[3].fullUrl),
      'Bundle.entry[7].resource.requester',
      'V12',
    ],
    [
      'two authoredOn',
      (b) => (b.entry[8].resource.authoredOn = '2026-10-14T09:33:00+02:00'),
      'Bundle.entry[8].resource.authoredOn',
      'V12',
    ],
    ['no authoredOn', (b) => delete b.entry[8].resource.authoredOn, 'Bundle.entry[8].resource.authoredOn', 'V12'],
    [
      'two prescription numbers',
      (b) => (b.entry[8].resource.groupIdentifier.value = '9SE568H232T0Z38GBX'),
      'Bundle.entry[8].resource.groupIdentifier.value',
      'V12',
    ],
    [
      'a status other than active',
      (b) => (b.entry[6].resource.status = 'draft'),
      'Bundle.entry[6].resource.status',
      'V2',
    ],
    [
      'an intent other than order',
      (b) => (b.entry[6].resource.intent = 'proposal'),
      'Bundle.entry[6].resource.intent',
      'V2',
    ],
    ['an unknown priority', (b) => (b.entry[6].resource.priority = 'now'), 'Bundle.entry[6].resource.priority', 'V2'],
    [
      'a medicationReference',
      (b) => {
        delete b.entry[6].resource.medicationCodeableConcept;
        b.entry[6].resource.medicationReference = { reference: b.entry[6].fullUrl };
      },
      'Bundle.entry[6].resource.medicationReference',
      'V2',
    ],
    [
      'two dosageInstructions',
      (b) => b.entry[6].resource.dosageInstruction.push({ text: 'x' }),
      'Bundle.entry[6].resource.dosageInstruction[1]',
      'V2',
    ],
    [
      'intakes per week',
      (b) => (b.entry[6].resource.dosageInstruction[0].timing.repeat.periodUnit = 'wk'),
      'Bundle.entry[6].resource.dosageInstruction[0].timing.repeat',
      'V2',
    ],
    [
      'a duration in hours',
      (b) => (b.entry[6].resource.dosageInstruction[0].timing.repeat.boundsDuration.code = 'h'),
      'Bundle.entry[6].resource.dosageInstruction[0].timing.repeat.boundsDuration',
      'V2',
    ],
    [
      'a dose range',
      (b) => (b.entry[6].resource.dosageInstruction[0].doseAndRate = [{ doseRange: { low: { value: 1 } } }]),
      'Bundle.entry[6].resource.dosageInstruction[0].doseAndRate[0]',
      'V2',
    ],
    [
      'an unknown context code',
      (b) =>
        (b.entry[6].resource.extension = [
          {
            url: 'urn:example:eprescription:extension:prescription-context',
            valueCoding: { system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'GEN-999' },
          },
        ]),
      'Bundle.entry[6].resource.extension[0]',
      'V2',
    ],
    [
      'a work accident without its date',
      (b) =>
        (b.entry[6].resource.extension = [
          {
            url: 'urn:example:eprescription:extension:prescription-context',
            valueCoding: { system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'GEN-180' },
          },
        ]),
      'Bundle.entry[6].resource.extension',
      'V2',
    ],
  ];
  for (const [name, change, expectedPath, rule] of cases) {
    test(name, () => rejectedWith(mutated(change), { path: expectedPath, rule }));
  }

  const mixedCases: Array<[string, (b: Json) => void, string]> = [
    [
      'a device with two quantity parameters',
      (b) => b.entry[8].resource.parameter.push(b.entry[8].resource.parameter[0]),
      'Bundle.entry[8].resource.parameter',
    ],
    [
      'a device without quantity parameter',
      (b) => delete b.entry[8].resource.parameter,
      'Bundle.entry[8].resource.parameter',
    ],
    [
      'a device by codeReference',
      (b) => {
        delete b.entry[8].resource.codeCodeableConcept;
        b.entry[8].resource.codeReference = { reference: b.entry[8].fullUrl };
      },
      'Bundle.entry[8].resource.codeReference',
    ],
    [
      'an act with two act types',
      (b) =>
        b.entry[10].resource.category.push({
          coding: [{ system: 'urn:example:eprescription:act-type', code: 'acteKinesitherapie' }],
        }),
      'Bundle.entry[10].resource.category',
    ],
    ['an act without act type', (b) => delete b.entry[10].resource.category, 'Bundle.entry[10].resource.category'],
    [
      'an unknown act type',
      (b) => (b.entry[10].resource.category[0].coding[0].code = 'acteDentaire'),
      'Bundle.entry[10].resource.category[0].coding[0].code',
    ],
    [
      'an hourly act frequency',
      (b) => (b.entry[10].resource.occurrenceTiming.repeat.periodUnit = 'h'),
      'Bundle.entry[10].resource.occurrenceTiming.repeat.periodUnit',
    ],
    [
      'an act frequency per 2 days',
      (b) => (b.entry[10].resource.occurrenceTiming.repeat.period = 2),
      'Bundle.entry[10].resource.occurrenceTiming.repeat.period',
    ],
    [
      'an act start as occurrenceDateTime',
      (b) => {
        delete b.entry[10].resource.occurrenceTiming;
        b.entry[10].resource.occurrenceDateTime = '2026-10-21';
      },
      'Bundle.entry[10].resource.occurrenceDateTime',
    ],
  ];
  for (const [name, change, expectedPath] of mixedCases) {
    test(name, () =>
      rejectedWith(mutated(change, 'valid-mixed-drugs-device-nursing.json'), { path: expectedPath, rule: 'V2' }),
    );
  }

  const locumCases: Array<[string, (b: Json) => void, string, string]> = [
    [
      'a requester that differs between requests',
      (b) => (b.entry[9].resource.requester.reference = b.entry[3].fullUrl),
      'Bundle.entry[9].resource.requester',
      'V12',
    ],
    [
      'locum-for on the replaced practitioner',
      (b) =>
        (b.entry[3].resource.extension = [
          { url: 'urn:example:eprescription:extension:locum-for', valueReference: { reference: b.entry[2].fullUrl } },
        ]),
      'Bundle.entry[3].resource.extension[0]',
      'V2',
    ],
    [
      'a locum replacing themself',
      (b) => (b.entry[2].resource.extension[0].valueReference.reference = b.entry[2].fullUrl),
      'Bundle.entry[2].resource.extension[0].valueReference',
      'V2',
    ],
    [
      'a second Practitioner without locum-for',
      (b) => delete b.entry[2].resource.extension,
      'Bundle.entry[3].resource',
      'V2',
    ],
    [
      'a PractitionerRole of another organization',
      (b) => (b.entry[4].resource.organization.reference = b.entry[1].fullUrl),
      'Bundle.entry[4].resource.organization.reference',
      'V2',
    ],
    [
      'a PractitionerRole without practitioner',
      (b) => delete b.entry[4].resource.practitioner,
      'Bundle.entry[4].resource.practitioner',
      'V2',
    ],
    [
      'a second PractitionerRole',
      (b) => b.entry.push({ fullUrl: 'urn:uuid:0b5c7a4e-1111-4a1a-9a9a-000000000006', resource: b.entry[4].resource }),
      'Bundle.entry[11].resource',
      'V2',
    ],
    [
      'a header author that is not a practitioner',
      (b) => (b.entry[0].resource.author.reference = b.entry[5].fullUrl),
      'Bundle.entry[0].resource.author.reference',
      'V2',
    ],
    [
      'a header focus on the Patient',
      (b) => (b.entry[0].resource.focus[0].reference = b.entry[1].fullUrl),
      'Bundle.entry[0].resource.focus[0].reference',
      'V2',
    ],
    [
      'a second work accident date',
      (b) => (b.entry[9].resource.extension[1].valueDate = '2026-09-29'),
      'Bundle.entry[9].resource',
      'V12',
    ],
  ];
  for (const [name, change, expectedPath, rule] of locumCases) {
    test(name, () => rejectedWith(mutated(change, 'valid-locum-practitioner-role.json'), { path: expectedPath, rule }));
  }

  test('every problem is reported at once', () => {
    const result = mapper.parse(
      body(
        mutated((b) => {
          b.entry[6].resource.status = 'draft';
          b.entry[7].resource.intent = 'plan';
          b.entry.splice(4, 1);
        }),
      ),
    );
    assert.ok(!result.ok);
    assert.equal(result.problems.length, 3);
  });
});

describe('fhir-message mapper: the whole message is checked against the R4 JSON schema, not only what is read', () => {
  // Each of these crashed the readers (TypeError → 500) or was accepted (issue 11, finding 7 and 9).
  const cases: Array<[string, (b: Json) => void, string]> = [
    [
      'null inside a coding array',
      (b) => b.entry[6].resource.medicationCodeableConcept.coding.unshift(null),
      'Bundle.entry[6].resource.medicationCodeableConcept.coding[0]',
    ],
    [
      'a number as a qualification',
      (b) => (b.entry[2].resource.qualification = [7]),
      'Bundle.entry[2].resource.qualification[0]',
    ],
    [
      'a number as groupIdentifier',
      (b) => (b.entry[7].resource.groupIdentifier = 12345),
      'Bundle.entry[7].resource.groupIdentifier',
    ],
    ['a string as focus', (b) => (b.entry[0].resource.focus = 'MedicationRequest/1'), 'Bundle.entry[0].resource.focus'],
    [
      'a string inside focus',
      (b) => (b.entry[0].resource.focus = ['MedicationRequest/1']),
      'Bundle.entry[0].resource.focus[0]',
    ],
    [
      'a number as a coding',
      (b) => (b.entry[4].resource.scope.coding = [42]),
      'Bundle.entry[4].resource.scope.coding[0]',
    ],
    ['null as a whole entry resource', (b) => (b.entry[5].resource = null), 'Bundle.entry[5].resource'],
    ['null as an entry', (b) => (b.entry[5] = null), 'Bundle.entry[5]'],
    [
      'a control character in a name',
      (b) => (b.entry[1].resource.name[0].family = 'DUP\u0001ONT'),
      'Bundle.entry[1].resource.name[0].family',
    ],
    [
      'ESC in a label',
      (b) => (b.entry[6].resource.medicationCodeableConcept.text = 'x\u001b[2J'),
      'Bundle.entry[6].resource.medicationCodeableConcept.text',
    ],
    [
      'NUL in an element nobody reads',
      (b) => (b.entry[3].resource.alias = ['a\u0000b']),
      'Bundle.entry[3].resource.alias[0]',
    ],
    [
      'a lone surrogate in a given name',
      (b) => (b.entry[1].resource.name[0].given = ['Jos\uD800']),
      'Bundle.entry[1].resource.name[0].given[0]',
    ],
  ];
  for (const [name, change, expectedPath] of cases) {
    test(name, () => rejectedWith(mutated(change), { path: expectedPath, rule: 'V2' }));
  }

  test('tab, CR, LF and astral characters (a surrogate pair) are texts like any other', () => {
    const { prescription } = mapJson(
      mutated((b) => (b.entry[6].resource.dosageInstruction[0].text = '1 cp\tmatin\r\nsoir 😀')),
    );
    assert.equal((prescription.lines[0] as DrugLine).posology.text, '1 cp\tmatin\r\nsoir 😀');
  });

  test('the message timestamp is handed to the rules, with its path', () => {
    const { sentAt, sourceMap } = mapJson(mutated((b) => (b.timestamp = '9999-12-31T00:00:00Z')));
    assert.equal(sentAt, '9999-12-31T00:00:00Z');
    assert.equal(sourceMap['/sentAt'], 'Bundle.timestamp');
  });
});

describe('fhir-message mapper: accepted variants', () => {
  test('unknown plain extensions are ignored', () => {
    const { prescription } = mapJson(
      mutated((b) => (b.entry[6].resource.extension = [{ url: 'urn:lap:whatever', valueString: 'x' }])),
    );
    assert.equal(prescription.lines.length, 3);
  });

  test('a PractitionerRole and its Practitioner as requesters are one prescriber', () => {
    const { prescription } = mapJson(
      mutated(
        (b) => (b.entry[9].resource.requester.reference = b.entry[2].fullUrl),
        'valid-locum-practitioner-role.json',
      ),
    );
    assert.equal(prescription.prescriber.rpps, '99900012347');
  });

  test('the prescriber may be identified by idNatPs only', () => {
    const { prescription } = mapJson(
      mutated(
        (b) => (b.entry[2].resource.identifier = [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899900023138' }]),
      ),
    );
    assert.equal(prescription.prescriber.rpps, '99900023138');
  });

  test('the most urgent priority of the requests is the prescription priority', () => {
    const { prescription, sourceMap } = mapJson(mutated((b) => (b.entry[7].resource.priority = 'asap')));
    assert.equal(prescription.priority, 'asap');
    assert.equal(sourceMap['/priority'], 'Bundle.entry[7].resource.priority');
  });

  test('no alimentation-dmp Consent means no opposition; a vendor number is normalised', () => {
    const { prescription } = mapJson(
      mutated((b) => {
        b.entry.splice(5, 1);
        for (const e of b.entry.slice(5)) e.resource.groupIdentifier.value = '9se568h2-32t0-z38gbw';
      }),
    );
    assert.equal(prescription.consent.dmpOptOut, false);
    assert.equal(prescription.number, '9SE568H232T0Z38GBW');
  });

  test('without a number the gateway will generate one', () => {
    const { prescription } = mapJson(
      mutated((b) => {
        for (const e of b.entry.slice(6)) delete e.resource.groupIdentifier;
      }),
    );
    assert.equal(prescription.number, undefined);
  });

  test('entries other than the MessageHeader may come in any order', () => {
    const { prescription } = mapJson(
      mutated((b) => {
        const [header, ...rest] = b.entry;
        b.entry = [header, ...rest.reverse()];
      }),
    );
    assert.deepEqual(
      prescription.lines.map((l) => (l as DrugLine).cis),
      ['60234100', '61599041', '62080626'],
    );
  });
});

describe('message info for $process-message', () => {
  test('reads the event, Bundle.id, identifier and MessageHeader.id', () => {
    const json = mutated((b) => {
      b.id = 'bundle-1';
      b.entry[0].resource.id = 'header-1';
    });
    const info = readMessageInfo(body(json));
    assert.ok(info.ok);
    assert.deepEqual(info.value, {
      supported: true,
      bundleId: 'bundle-1',
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:b1c256a8-6555-4227-875b-21de236821f7' },
      messageHeaderId: 'header-1',
      event: { system: 'urn:example:eprescription:events', code: 'prescription-create' },
    });
  });

  test('is lenient: no header, unknown event, not a Bundle', () => {
    assert.deepEqual(messageInfoOf(fixtureJson('invalid-missing-message-header.json')), {
      supported: false,
      identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:bb350512-74b0-455e-b5ae-b702c9bfff7d' },
    });
    const unknown = messageInfoOf(mutated((b) => (b.entry[0].resource.eventCoding.code = 'dispense-cancel')));
    assert.deepEqual([unknown.supported, unknown.event?.code], [false, 'dispense-cancel']);
    assert.deepEqual(messageInfoOf(null), { supported: false });
    assert.deepEqual(messageInfoOf([1, 2]), { supported: false });
  });

  test('rejects a body that is not JSON', () => {
    const info = readMessageInfo(Buffer.from('<Bundle/>', 'utf8'));
    assert.equal(info.ok, false);
  });
});
