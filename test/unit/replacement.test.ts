/**
 * Replacing a prescription, the pure parts: when it is allowed (rules/dispensing/replace-rules.ts),
 * what a replaced prescription's status says (rules/dispensing/status.ts), the transaction
 * (fhir/replacement.ts) and the DMP provide bundle's addition (documents/dmp/replacement.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, DocumentReference, FhirResource, MedicationRequest, RequestGroup } from 'fhir/r4';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { XDS_CODES } from '../../documents/dmp/mhd';
import { replaceableDocuments, withReplacement } from '../../documents/dmp/replacement';
import type { StoredExecutionState } from '../../fhir/dispensing/read-state';
import { buildReplacementTransaction, replacedNumberOf } from '../../fhir/replacement';
import { REPLACEMENT_EXTENSIONS } from '../../fhir/systems';
import type { LineState, PrescriptionState } from '../../rules/dispensing/model';
import { planReplacement } from '../../rules/dispensing/replace-rules';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import { mapper } from '../../mappers/fhir-message';
import { mapped, rejected } from '../support/map-result';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const TODAY = '2026-11-26';

const drug = (overrides: Partial<LineState> = {}): LineState => ({
  index: 0,
  reference: 'MedicationRequest/m1',
  requestType: 'MedicationRequest',
  kind: 'drug',
  unit: 'boîte',
  perDelivery: 1,
  renewals: 0,
  prescribed: 1,
  executed: 0,
  requestStatus: 'active',
  validUntil: '2027-01-20',
  nonSubstitutable: false,
  productCodes: [],
  ...overrides,
});

const state = (lines: LineState[], extra: Partial<PrescriptionState> = {}): PrescriptionState => ({
  number: 'OLD0000000000000AA',
  headerStatus: 'active',
  authoredOn: '2026-11-20T10:00:00+01:00',
  lines: lines.map((l, index) => ({ ...l, index, reference: `MedicationRequest/m${index}` })),
  ...extra,
});

describe('when a prescription may be replaced', () => {
  test('active, nothing dispensed: allowed, every line not cancelled yet is revoked with it', () => {
    const plan = planReplacement(state([drug(), drug({ requestStatus: 'cancelled' }), drug()]), TODAY);
    assert.deepEqual(plan.refusal, []);
    assert.deepEqual(
      plan.revoke.map((l) => l.reference),
      ['MedicationRequest/m0', 'MedicationRequest/m2'],
    );
  });

  test('one line partly dispensed: refused, saying to cancel what remains and prescribe anew, naming the line', () => {
    const plan = planReplacement(state([drug(), drug({ prescribed: 3, executed: 1 })]), TODAY);
    assert.equal(plan.refusal[0]!.rule, 'D17');
    assert.equal(plan.refusal[0]!.code, 'conflict');
    assert.match(plan.refusal[0]!.message, /cancel what remains .*and prescribe anew/);
    assert.match(plan.refusal[1]!.message, /^line 2 .*1 boîte dispensed/);
    assert.deepEqual(plan.revoke, []);
  });

  test('cancelled, expired or already replaced: refused', () => {
    assert.match(planReplacement(state([drug()], { headerStatus: 'revoked' }), TODAY).refusal[0]!.message, /cancelled/);
    assert.match(planReplacement(state([drug({ validUntil: '2026-11-01' })]), TODAY).refusal[0]!.message, /expired/);
    assert.match(
      planReplacement(state([drug()], { headerStatus: 'revoked', replacedBy: 'NEW0000000000000BB' }), TODAY).refusal[0]!
        .message,
      /already replaced by prescription NEW0000000000000BB/,
    );
  });

  test('a replaced prescription is `replaced`, its QR code deactivated, the reason naming the new number', () => {
    const verdict = prescriptionStatusOf(
      state([drug({ requestStatus: 'cancelled' })], { headerStatus: 'revoked', replacedBy: 'NEW0000000000000BB' }),
      TODAY,
    );
    assert.equal(verdict.status, 'replaced');
    assert.equal(verdict.qrDeactivated, true);
    assert.match(verdict.reason!, /replaced it by prescription NEW0000000000000BB/);
  });
});

describe('the replacement transaction', () => {
  const oldHeader: RequestGroup & { id: string } = {
    resourceType: 'RequestGroup',
    id: 'rg-old',
    meta: { versionId: '3' },
    status: 'active',
    intent: 'order',
    action: [{ resource: { reference: 'MedicationRequest/m0' } }],
  };
  const oldRequest: MedicationRequest & { id: string } = {
    resourceType: 'MedicationRequest',
    id: 'm0',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p' },
    medicationCodeableConcept: { text: 'x' },
  };
  const old: StoredExecutionState = {
    state: state([drug()]),
    header: oldHeader,
    headerVersion: '3',
    requests: new Map([['MedicationRequest/m0', { resource: oldRequest, version: '2' }]]),
    patientReference: 'Patient/p',
    records: [],
  };
  const intake: Bundle<FhirResource> = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:new-rg', resource: { resourceType: 'RequestGroup', status: 'active', intent: 'order' } },
    ],
  };

  test('the new header replaces the old one; the old one and its open requests revoked with If-Match; the old one names the new', () => {
    const tx = buildReplacementTransaction(intake, { number: 'NEW0000000000000BB' }, old, old.state.lines);
    assert.equal(tx.intakeEntries, 1);
    const [newHeader, request, header] = tx.bundle.entry!;
    assert.deepEqual((newHeader!.resource as RequestGroup).replaces, [
      {
        reference: 'RequestGroup/rg-old',
        identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: 'OLD0000000000000AA' },
      },
    ]);
    assert.equal(replacedNumberOf(newHeader!.resource as RequestGroup), 'OLD0000000000000AA');
    assert.deepEqual(request!.request, { method: 'PUT', url: 'MedicationRequest/m0', ifMatch: 'W/"2"' });
    assert.equal((request!.resource as MedicationRequest).status, 'cancelled');
    assert.deepEqual(header!.request, { method: 'PUT', url: 'RequestGroup/rg-old', ifMatch: 'W/"3"' });
    const revoked = header!.resource as RequestGroup;
    assert.equal(revoked.status, 'revoked');
    assert.deepEqual(revoked.extension?.find((e) => e.url === REPLACEMENT_EXTENSIONS.replacedBy)?.valueReference, {
      reference: 'urn:uuid:new-rg',
      identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: 'NEW0000000000000BB' },
    });
  });
});

describe('the DMP provide bundle of a replacement', () => {
  const provide: Bundle<FhirResource> = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:b', resource: { resourceType: 'Binary', contentType: 'text/xml' } },
      {
        fullUrl: 'urn:uuid:d',
        resource: {
          resourceType: 'DocumentReference',
          status: 'current',
          category: [{ coding: [{ system: XDS_CODES.classCode.system, code: XDS_CODES.classCode.code }] }],
          content: [],
        },
        request: { method: 'POST', url: 'DocumentReference' },
      },
      {
        fullUrl: 'urn:uuid:s',
        resource: {
          resourceType: 'DocumentReference',
          status: 'current',
          relatesTo: [{ code: 'signs', target: { reference: 'urn:uuid:d' } }],
          content: [],
        },
        request: { method: 'POST', url: 'DocumentReference' },
      },
    ],
  };
  const doc = (id: string, status: DocumentReference['status'], versionId = '1'): DocumentReference => ({
    resourceType: 'DocumentReference',
    id,
    meta: { versionId },
    status,
    content: [],
  });

  test('relatesTo replaces every replaced entry; a PATCH to superseded, with If-Match, for those still current', () => {
    const bundle = withReplacement(provide, replaceableDocuments([doc('old', 'current', '4')]));
    const entries = bundle.entry!;
    assert.equal(entries.length, 4, 'the provide entries keep their places; the update comes last');
    assert.deepEqual((entries[1]!.resource as DocumentReference).relatesTo, [
      { code: 'replaces', target: { reference: 'DocumentReference/old' } },
    ]);
    assert.deepEqual(
      (entries[2]!.resource as DocumentReference).relatesTo,
      [{ code: 'signs', target: { reference: 'urn:uuid:d' } }],
      'the signature of the submission set signs, it replaces nothing',
    );
    assert.deepEqual(entries[3]!.request, { method: 'PATCH', url: 'DocumentReference/old', ifMatch: 'W/"4"' });
    assert.equal(entries[3]!.resource?.resourceType, 'Parameters');
    assert.equal(provide.entry!.length, 3, 'the bundle given is not changed');
  });

  test('a re-run (the old entry already superseded) relates to it and updates nothing; nothing replaced: unchanged', () => {
    const rerun = withReplacement(provide, replaceableDocuments([doc('old', 'superseded', '5')]));
    assert.equal(rerun.entry!.length, 3);
    assert.equal(
      (rerun.entry![1]!.resource as DocumentReference).relatesTo?.[0]?.target.reference,
      'DocumentReference/old',
    );
    assert.equal(withReplacement(provide, replaceableDocuments([doc('err', 'entered-in-error')])), provide);
  });
});

describe('the fhir-message form: MessageHeader extension ordo-ext-replaces', () => {
  const withExtension = (identifier: Record<string, unknown>): Buffer => {
    const json = JSON.parse(
      readFileSync(path.join(vendorExamplesDir('fhir-message'), 'valid-drugs-only.json'), 'utf8'),
    );
    json.entry[0].resource.extension = [{ url: REPLACEMENT_EXTENSIONS.replaces, valueReference: { identifier } }];
    return Buffer.from(JSON.stringify(json));
  };

  test('names the replaced number (normalised), with its path in the message', () => {
    const { prescription, sourceMap } = mapped(
      mapper.parse(withExtension({ system: PRESCRIPTION_NUMBER_SYSTEM, value: '2esz-88jw-5n3x-zvw0-2s' })),
    );
    assert.equal(prescription.replaces, '2ESZ88JW5N3XZVW02S');
    assert.equal(sourceMap['/replaces'], 'Bundle.entry[0].resource.extension[0].valueReference.identifier.value');
  });

  test('another system or no well-formed number: 422 at the identifier (D17)', () => {
    for (const identifier of [
      { system: 'urn:x', value: '2ESZ88JW5N3XZVW02S' },
      { system: PRESCRIPTION_NUMBER_SYSTEM, value: 'short' },
      { system: PRESCRIPTION_NUMBER_SYSTEM },
    ]) {
      const problems = rejected(mapper.parse(withExtension(identifier)), 'invalid');
      assert.deepEqual(
        problems.map((p) => [p.rule, p.path]),
        [['D17', 'Bundle.entry[0].resource.extension[0].valueReference.identifier']],
        JSON.stringify(identifier),
      );
    }
  });

  test('without it, a message is no replacement', () => {
    const json = readFileSync(path.join(vendorExamplesDir('fhir-message'), 'valid-drugs-only.json'));
    assert.equal(mapped(mapper.parse(json)).prescription.replaces, undefined);
  });
});
