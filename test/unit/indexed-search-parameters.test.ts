/**
 * The built-in search parameters the store keeps indexing (profiles/indexed-search-parameters.json)
 * cover every parameter the auditor API lets through, and the others of those types are retired.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CapabilityStatement } from 'fhir/r4';
import { AUDIT_SEARCH_PARAMETERS } from '../../gateway/audit/search-whitelist';
import {
  INDEXED_SEARCH_PARAMETERS,
  retiredSearchParameterId,
  retiringSearchParameters,
  SEARCH_PARAMETERS,
} from '../../store/conformance';

const ownParameter = (type: string, code: string): boolean =>
  SEARCH_PARAMETERS.some((sp) => sp.code === code && (sp.base as string[] | undefined)?.includes(type));

describe('indexed search parameters', () => {
  test('every parameter an auditor may search on a type the store trims is kept (or is one of ours)', () => {
    for (const [type, params] of Object.entries(AUDIT_SEARCH_PARAMETERS)) {
      const kept = INDEXED_SEARCH_PARAMETERS[type];
      if (!kept) continue;
      for (const code of Object.keys(params))
        assert.ok(
          kept.includes(code) || ownParameter(type, code),
          `${type}?${code} is whitelisted but would be retired`,
        );
    }
  });

  test('the patient.identifier chain the auditor API allows keeps Patient identifier', () => {
    assert.ok(INDEXED_SEARCH_PARAMETERS.Patient?.includes('identifier'));
  });

  test('retires the built-in parameters not kept, per base, never an underscore one nor one of ours', () => {
    const capability: CapabilityStatement = {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-12-03',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
      rest: [
        {
          mode: 'server',
          resource: [
            {
              type: 'Patient',
              searchParam: [
                { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
                {
                  name: 'identifier',
                  type: 'token',
                  definition: 'http://hl7.org/fhir/SearchParameter/Patient-identifier',
                },
                { name: 'name', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/Patient-name' },
                {
                  name: 'phonetic',
                  type: 'string',
                  definition: 'http://hl7.org/fhir/SearchParameter/individual-phonetic',
                },
              ],
            },
            {
              type: 'MedicationRequest',
              searchParam: [
                {
                  name: 'group-identifier',
                  type: 'token',
                  definition:
                    'https://ordo-gateway.example.org/fhir/SearchParameter/ordo-medicationrequest-group-identifier',
                },
                {
                  name: 'priority',
                  type: 'token',
                  definition: 'http://hl7.org/fhir/SearchParameter/MedicationRequest-priority',
                },
                {
                  name: 'patient',
                  type: 'reference',
                  definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
                },
              ],
            },
            {
              type: 'AuditEvent',
              searchParam: [
                { name: 'site', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/AuditEvent-site' },
              ],
            },
          ],
        },
      ],
    };
    const retiring = retiringSearchParameters(capability);
    assert.deepEqual(
      retiring.map((sp) => [sp.id, sp.base, sp.code, sp.type, sp.status]),
      [
        [retiredSearchParameterId('Patient', 'name'), ['Patient'], 'name', 'string', 'retired'],
        [retiredSearchParameterId('Patient', 'phonetic'), ['Patient'], 'phonetic', 'string', 'retired'],
        [
          retiredSearchParameterId('MedicationRequest', 'priority'),
          ['MedicationRequest'],
          'priority',
          'token',
          'retired',
        ],
      ],
    );
    for (const sp of retiring) {
      assert.ok(sp.id.length <= 64, sp.id);
      assert.match(sp.url, /^https:\/\/ordo-gateway\.example\.org\/fhir\/SearchParameter\/retired-/);
    }
  });
});
