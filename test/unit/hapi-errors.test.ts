/**
 * What HAPI's refusals mean for the gateway (store/hapi-errors.ts), from diagnostics shaped as HAPI
 * 8 + PostgreSQL write them (values synthetic): a race is a conflict, a value the store cannot keep
 * is a permanent refusal of the payload, and what is logged keeps only HAPI's codes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FhirServerError } from '../../store/fhir-client';
import { hapiCodesIn, storeFaultOf } from '../../store/hapi-errors';

const DIAGNOSTICS = {
  uniqueIndex:
    'HAPI-0550: HAPI-1093: Can not create resource of type RequestGroup as it would create a duplicate unique index matching query: RequestGroup?identifier=urn%3Ax%7Cdup-1 (existing index belongs to RequestGroup/1029, new unique index created by SearchParameter/ordo-requestgroup-unique-message)',
  versionConstraint:
    'HAPI-0550: HAPI-0823: The operation has failed with a version constraint failure. This generally means that two clients/threads were trying to update the same resource at the same time, and this request was chosen as the failing request.',
  notCurrentVersion:
    'HAPI-0550: HAPI-0989: Trying to update Patient/1042/_history/1 but this is not the current version',
  conditionalCreateRace:
    "HAPI-0550: could not execute batch [Batch entry 0 insert into hfj_res_search_url (created_time,res_id,res_search_url,partition_id) values (('2026-12-03 10:27:46.327+00'),('1043'::int8),('Patient?identifier=urn%3Aoid%3A1.2.250.1.213.1.4.10%7C277077599910133'),('-1'::int4)) was aborted: ERROR: duplicate key value violates unique constraint \"hfj_res_search_url_pkey\"] [insert into hfj_res_search_url (created_time,res_id,res_search_url,partition_id) values (?,?,?,?)]; SQL [insert into hfj_res_search_url (created_time,res_id,res_search_url,partition_id) values (?,?,?,?)]; constraint [hfj_res_search_url_pkey]",
  nulInIndex:
    "HAPI-0550: could not execute batch [Batch entry 0 insert into hfj_spidx_string (sp_name,res_type,sp_value_exact,sp_value_normalized) values (('family'),('Patient'),('FICTIF\\u0000'),('FICTIF\\u0000')) was aborted: ERROR: invalid byte sequence for encoding \"UTF8\": 0x00] [insert into hfj_spidx_string (sp_name,res_type,sp_value_exact,sp_value_normalized) values (?,?,?,?)]; SQL [insert into hfj_spidx_string (sp_name,res_type,sp_value_exact,sp_value_normalized) values (?,?,?,?)]",
  loneSurrogate:
    "HAPI-0389: Failed to call access method: org.springframework.dao.InvalidDataAccessApiUsageException: Expected low surrogate but got char 'c' with value 99 at index 7 in 'FICTIF?c'",
  referencedOnDelete:
    'HAPI-0550: HAPI-0515: Unable to delete Patient/1000 because at least one resource has a reference to this resource. First reference found was resource MedicationRequest/1001 in path MedicationRequest.subject',
  databaseDown:
    'HAPI-0389: Failed to call access method: org.springframework.transaction.CannotCreateTransactionException',
};

describe('storeFaultOf', () => {
  const cases: Array<[number, string, ReturnType<typeof storeFaultOf>]> = [
    [409, DIAGNOSTICS.uniqueIndex, 'concurrency'],
    [409, DIAGNOSTICS.versionConstraint, 'concurrency'],
    [412, DIAGNOSTICS.versionConstraint, 'concurrency'],
    [412, DIAGNOSTICS.notCurrentVersion, 'concurrency'],
    [409, DIAGNOSTICS.conditionalCreateRace, 'concurrency'],
    [409, '', 'concurrency'],
    [409, DIAGNOSTICS.nulInIndex, 'payload'],
    [500, DIAGNOSTICS.loneSurrogate, 'payload'],
    [409, DIAGNOSTICS.referencedOnDelete, 'refused'],
    [500, DIAGNOSTICS.databaseDown, 'transient'],
    [503, '', 'transient'],
    [429, '', 'transient'],
    [504, '', 'unreachable'],
    [0, '', 'unreachable'],
    [400, 'HAPI-0450: Failed to parse request body as JSON resource', 'refused'],
    [404, 'HAPI-2001: Resource Patient/x is not known', 'refused'],
    [422, 'HAPI-0389: unprocessable', 'refused'],
  ];
  for (const [status, diagnostics, fault] of cases) {
    test(`${status} ${diagnostics.slice(0, 40) || '(no diagnostics)'} → ${fault}`, () => {
      assert.equal(storeFaultOf(status, diagnostics), fault);
    });
  }
});

test("hapiCodesIn keeps HAPI's codes, in order, once each", () => {
  assert.deepEqual(hapiCodesIn(DIAGNOSTICS.uniqueIndex), ['HAPI-0550', 'HAPI-1093']);
  assert.deepEqual(hapiCodesIn(`${DIAGNOSTICS.nulInIndex}; ${DIAGNOSTICS.nulInIndex}`), ['HAPI-0550']);
  assert.deepEqual(hapiCodesIn('no code here'), []);
});

describe('FhirServerError', () => {
  const outcome = (diagnostics: string) => ({
    resourceType: 'OperationOutcome' as const,
    issue: [{ severity: 'error' as const, code: 'processing' as const, diagnostics }],
  });

  test('a value the store cannot keep: invalid (422, fatal-error), neither transient nor a conflict', () => {
    const err = new FhirServerError(
      'FHIR server answered 409 to POST / (HAPI-0550)',
      409,
      outcome(DIAGNOSTICS.nulInIndex),
    );
    assert.equal(err.kind, 'invalid');
    assert.equal(err.transient, false);
    assert.equal(err.isConflict, false);
    assert.equal(
      err.problems[0]!.message,
      'The FHIR store cannot keep a value of this request (HAPI-0550); sending it again will not help',
    );
    const surrogate = new FhirServerError('answered 500', 500, outcome(DIAGNOSTICS.loneSurrogate));
    assert.equal(surrogate.kind, 'invalid');
    assert.equal(surrogate.transient, false);
  });

  test('a race stays a conflict; an outage stays transient', () => {
    const race = new FhirServerError('answered 409', 409, outcome(DIAGNOSTICS.conditionalCreateRace));
    assert.equal(race.kind, 'conflict');
    assert.ok(race.isConflict);
    const down = new FhirServerError('answered 500', 500, outcome(DIAGNOSTICS.databaseDown));
    assert.equal(down.kind, 'upstream');
    assert.ok(down.transient);
  });

  test('the outcome is kept for code, but not carried by what a logger serialises', () => {
    const err = new FhirServerError('answered 409', 409, outcome(DIAGNOSTICS.nulInIndex));
    assert.ok(err.outcome?.issue[0]?.diagnostics?.includes('FICTIF'));
    const enumerable: string[] = [];
    for (const key in err) enumerable.push(key);
    assert.ok(!enumerable.includes('outcome'), enumerable.join());
    assert.ok(!JSON.stringify(err).includes('FICTIF'));
    assert.ok(!String(err.stack).includes('FICTIF'));
  });
});
