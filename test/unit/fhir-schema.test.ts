import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildPrescriptionTransaction } from '../../fhir/build-transaction';
import {
  isFhirResourceType,
  pointerToFhirPath,
  validateFhirResource,
  MAX_SCHEMA_PROBLEMS,
} from '../../fhir/fhir-schema';
import { mapper } from '../../mappers/fhir-message';
import { transactionOptionsFor } from '../support/transaction-options';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const dir = vendorExamplesDir('fhir-message');
const validFixtures = readdirSync(dir).filter((f) => f.startsWith('valid-'));
const load = (file: string): Record<string, any> => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

const MEDICATION_REQUEST = {
  resourceType: 'MedicationRequest',
  status: 'active',
  intent: 'order',
  medicationCodeableConcept: {
    coding: [{ system: 'urn:oid:1.2.250.1.213.2.3.1', code: '60234100' }],
    text: 'DOLIPRANE',
  },
  subject: { reference: 'Patient/1' },
  authoredOn: '2026-10-20T16:05:00+02:00',
  dispenseRequest: { quantity: { value: 2, unit: 'boîte' } },
};

describe('what the gateway produces passes the R4 JSON schema', () => {
  for (const file of validFixtures) {
    test(`every resource built from ${file}`, () => {
      const mapped = mapper.parse(readFileSync(path.join(dir, file)));
      assert.ok(mapped.ok);
      const bundle = buildPrescriptionTransaction(
        mapped.value.prescription,
        transactionOptionsFor(mapped.value.prescription),
      );
      for (const entry of bundle.entry ?? [])
        assert.deepEqual(validateFhirResource(entry.resource), [], entry.resource?.resourceType);
      assert.deepEqual(validateFhirResource(bundle), []);
    });
  }

  test('the vendor fixtures themselves, valid and invalid (their faults are not structural)', () => {
    for (const file of readdirSync(dir)) assert.deepEqual(validateFhirResource(load(file)), [], file);
  });
});

describe('a broken resource fails with a useful path', () => {
  const problemsOf = (resource: unknown, basePath?: string) =>
    validateFhirResource(resource, basePath).map((p) => ({ code: p.code, path: p.path, message: p.message }));

  test('a number sent as a string', () => {
    const broken = { ...MEDICATION_REQUEST, dispenseRequest: { quantity: { value: '2' } } };
    assert.deepEqual(problemsOf(broken), [
      {
        code: 'structure',
        path: 'MedicationRequest.dispenseRequest.quantity.value',
        message: 'value must be a JSON number, found "2"',
      },
    ]);
  });

  test('an unknown element, inside an array', () => {
    const broken = { ...MEDICATION_REQUEST, dosageInstruction: [{ text: 'x' }, { txet: 'y' }] };
    assert.deepEqual(problemsOf(broken), [
      { code: 'structure', path: 'MedicationRequest.dosageInstruction[1].txet', message: "unknown element 'txet'" },
    ]);
  });

  test('a malformed dateTime and a code outside its value set', () => {
    const broken = { resourceType: 'Patient', birthDate: '1977-02-30T10:00', gender: 'F' };
    assert.deepEqual(problemsOf(broken), [
      { code: 'value', path: 'Patient.gender', message: '"F" is not one of male, female, other, unknown' },
      { code: 'value', path: 'Patient.birthDate', message: '"1977-02-30T10:00" is not a valid FHIR date' },
    ]);
  });

  test('a missing required element', () => {
    const { subject: _, ...withoutSubject } = MEDICATION_REQUEST;
    assert.deepEqual(problemsOf(withoutSubject), [
      { code: 'required', path: 'MedicationRequest.subject', message: "required element 'subject' is missing" },
    ]);
  });

  test('null, a number or a string where an object is expected (the shipped schema has no type on them)', () => {
    const broken = {
      ...MEDICATION_REQUEST,
      groupIdentifier: 12345,
      medicationCodeableConcept: { coding: [null, 'urn:oid:1.2.250.1.213.2.3.1|60234100'] },
      dispenseRequest: null,
    };
    assert.deepEqual(
      problemsOf(broken).map((p) => [p.code, p.path, p.message]),
      [
        [
          'structure',
          'MedicationRequest.medicationCodeableConcept.coding[0]',
          'coding[0] must be a JSON object, found null',
        ],
        [
          'structure',
          'MedicationRequest.medicationCodeableConcept.coding[1]',
          'coding[1] must be a JSON object, found "urn:oid:1.2.250.1.213.2.3.1|60234100"',
        ],
        ['structure', 'MedicationRequest.groupIdentifier', 'groupIdentifier must be a JSON object, found 12345'],
        ['structure', 'MedicationRequest.dispenseRequest', 'dispenseRequest must be a JSON object, found null'],
      ],
    );
  });

  test('strings: no control character but tab, CR and LF, no lone surrogate, wherever they are', () => {
    const broken = {
      ...MEDICATION_REQUEST,
      note: [
        { text: 'a\tb\r\nc' },
        { text: 'bell\u0007' },
        { text: 'high \uD83D alone' },
        { text: 'low \uDE00 alone' },
      ],
      medicationCodeableConcept: { text: '\u0000DOLIPRANE 😀' },
    };
    assert.deepEqual(
      problemsOf(broken).map((p) => [p.code, p.path, p.message]),
      [
        [
          'value',
          'MedicationRequest.medicationCodeableConcept.text',
          'control character U+0000 at character 1: texts allow no control character but tab, carriage return and line feed',
        ],
        [
          'value',
          'MedicationRequest.note[1].text',
          'control character U+0007 at character 5: texts allow no control character but tab, carriage return and line feed',
        ],
        [
          'value',
          'MedicationRequest.note[2].text',
          'lone UTF-16 surrogate \\uD83D at character 6: it is not a Unicode character',
        ],
        [
          'value',
          'MedicationRequest.note[3].text',
          'lone UTF-16 surrogate \\uDE00 at character 5: it is not a Unicode character',
        ],
      ],
    );
  });

  test('paths start at basePath, e.g. the entry of a message Bundle', () => {
    const broken = { ...MEDICATION_REQUEST, status: 42 };
    assert.deepEqual(
      problemsOf(broken, 'Bundle.entry[6].resource').map((p) => p.path),
      ['Bundle.entry[6].resource.status'],
    );
  });

  test('resources inside a Bundle, contained or Parameters are checked with their own type', () => {
    const bundle = load('valid-drugs-only.json');
    bundle.entry[6].resource.dispenseRequest.quantity.value = 'three';
    bundle.entry[1].resource.contained = [{ resourceType: 'Organization', name: ['not a string'] }];
    assert.deepEqual(
      problemsOf(bundle).map((p) => p.path),
      ['Bundle.entry[1].resource.contained[0].name', 'Bundle.entry[6].resource.dispenseRequest.quantity.value'],
    );
    const parameters = {
      resourceType: 'Parameters',
      parameter: [{ name: 'p', part: [{ name: 'q', resource: { resourceType: 'Patient', active: 'yes' } }] }],
    };
    assert.deepEqual(
      problemsOf(parameters).map((p) => p.path),
      ['Parameters.parameter[0].part[0].resource.active'],
    );
  });

  test('not a resource at all', () => {
    assert.deepEqual(problemsOf({ resourceType: 'Prescription' }), [
      { code: 'structure', path: 'resourceType', message: "'Prescription' is not a FHIR R4 resource type" },
    ]);
    assert.deepEqual(problemsOf({ name: 'x' }, 'Bundle.entry[2].resource'), [
      { code: 'structure', path: 'Bundle.entry[2].resource.resourceType', message: 'resourceType is missing' },
    ]);
    assert.deepEqual(problemsOf([]), [
      { code: 'structure', path: undefined, message: 'a FHIR resource must be a JSON object' },
    ]);
    assert.equal(isFhirResourceType('RequestGroup'), true);
    assert.equal(isFhirResourceType('Prescription'), false);
  });

  test('every problem is tagged V2 and their number is capped', () => {
    const manyErrors = { ...MEDICATION_REQUEST, note: Array.from({ length: 80 }, () => ({ text: 1 })) };
    const problems = validateFhirResource(manyErrors);
    assert.equal(problems.length, MAX_SCHEMA_PROBLEMS);
    assert.ok(problems.every((p) => p.rule === 'V2'));
  });

  test('pointerToFhirPath turns JSON pointers into FHIRPath', () => {
    assert.equal(pointerToFhirPath(''), '');
    assert.equal(pointerToFhirPath('/entry/3/resource/code~1x'), '.entry[3].resource.code/x');
  });
});
