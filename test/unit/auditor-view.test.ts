/**
 * The auditor API's data minimisation (gateway/audit/auditor-view.ts), its CapabilityStatement
 * (gateway/audit/capability-statement.ts) and its whitelist of types and parameters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Bundle,
  Consent,
  DocumentReference,
  FhirResource,
  MedicationDispense,
  Patient,
  Practitioner,
} from 'fhir/r4';
import { AUDITOR_VIEW, auditorBundle, auditorView } from '../../gateway/audit/auditor-view';
import { auditorCapabilityStatement } from '../../gateway/audit/capability-statement';
import {
  AUDIT_SEARCH_PARAMETERS,
  AUDITED_TYPES,
  checkSearchParameters,
  isAuditedType,
} from '../../gateway/audit/search-whitelist';

const INS = { system: 'urn:oid:1.2.250.1.213.1.4.10', value: '279035121518989' };
const DEMOGRAPHICS = ['ESSAI-NOM', 'Prénom-Essai', '1979-03-15', 'female', 'rue de l’Essai', '0600000000', 'essai@x'];

const patient = (id: string): Patient => ({
  resourceType: 'Patient',
  id,
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">ESSAI-NOM Prénom-Essai</div>' },
  identifier: [{ use: 'official', ...INS }],
  name: [{ family: 'ESSAI-NOM', given: ['Prénom-Essai'] }],
  gender: 'female',
  birthDate: '1979-03-15',
  address: [{ line: ['1 rue de l’Essai'], city: 'Essai' }],
  telecom: [
    { system: 'phone', value: '0600000000' },
    { system: 'email', value: 'essai@x' },
  ],
});

const documentReference = (): DocumentReference => ({
  resourceType: 'DocumentReference',
  id: 'doc-1',
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">ESSAI-NOM, née le 1979-03-15</div>' },
  contained: [
    {
      resourceType: 'Practitioner',
      id: 'author',
      identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899900000110' }],
      name: [{ family: 'PRESCRIPTEUR' }],
    } as Practitioner,
    patient('patient'),
  ],
  status: 'current',
  subject: { reference: 'Patient/45', display: 'ESSAI-NOM Prénom-Essai' },
  description: 'Ordonnance de ESSAI-NOM',
  author: [{ reference: '#author' }],
  content: [{ attachment: { contentType: 'text/xml', url: 'Binary/9', data: 'PENEQS8+' } }],
  context: { sourcePatientInfo: { reference: '#patient', display: 'ESSAI-NOM' } },
});

const noDemographics = (value: unknown) => {
  const text = JSON.stringify(value);
  for (const secret of DEMOGRAPHICS) assert.ok(!text.includes(secret), `"${secret}" in ${text}`);
};

describe('what an auditor sees', () => {
  it('a DocumentReference: the contained patient keeps its id and INS only; no narrative, display or document', () => {
    const view = auditorView(documentReference())!;
    noDemographics(view);
    assert.deepEqual(view.contained?.[1], {
      resourceType: 'Patient',
      id: 'patient',
      identifier: [{ use: 'official', ...INS }],
    });
    assert.deepEqual(
      view.context?.sourcePatientInfo,
      { reference: '#patient' },
      'still resolves to the contained patient',
    );
    assert.deepEqual(view.subject, { reference: 'Patient/45' });
    assert.equal(view.text, undefined);
    assert.equal(view.description, undefined);
    assert.equal(view.content[0]!.attachment.data, undefined);
    assert.equal(view.content[0]!.attachment.url, 'Binary/9');
    // professionals are what an audit is about: the contained author stays whole
    assert.deepEqual(view.contained?.[0], documentReference().contained![0]);
  });

  it('leaves the stored resource untouched', () => {
    const stored = documentReference();
    auditorView(stored);
    assert.deepEqual(stored, documentReference());
  });

  it('a MedicationDispense: no note, patient instruction, receiver or destination; performers stay', () => {
    const dispense: MedicationDispense = {
      resourceType: 'MedicationDispense',
      status: 'completed',
      subject: { reference: 'http://hapi:8080/fhir/Patient/45/_history/2', display: 'ESSAI-NOM' },
      performer: [{ actor: { reference: 'Practitioner/7', display: 'Pharmacien Essai' } }],
      receiver: [{ reference: 'RelatedPerson/3', display: 'Prénom-Essai' }],
      destination: { reference: 'Location/4' },
      note: [{ text: 'remis à ESSAI-NOM' }],
      dosageInstruction: [{ text: '1 cp/j', patientInstruction: 'Prénom-Essai: 1 le matin' }],
      medicationCodeableConcept: { coding: [{ system: 'http://x', code: '1', display: 'Médicament Essai' }] },
    };
    const view = auditorView(dispense)!;
    noDemographics(view);
    assert.deepEqual(view.subject, { reference: 'http://hapi:8080/fhir/Patient/45/_history/2' });
    assert.deepEqual(view.performer, dispense.performer);
    assert.deepEqual(view.dosageInstruction, [{ text: '1 cp/j' }]);
    assert.equal(view.medicationCodeableConcept?.coding?.[0]?.display, 'Médicament Essai');
  });

  it('a Consent: no signed form, no verification by the patient or a relative', () => {
    const consent: Consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ code: 'patient-privacy' }] },
      category: [{ coding: [{ code: '59284-0' }] }],
      patient: { reference: 'Patient/45', display: 'ESSAI-NOM' },
      sourceAttachment: { contentType: 'application/pdf', data: 'JVBERi0=', title: 'ESSAI-NOM' },
      verification: [{ verified: true, verifiedWith: { reference: 'Patient/45', display: 'Prénom-Essai' } }],
    };
    const view = auditorView(consent)!;
    noDemographics(view);
    assert.deepEqual(view.patient, { reference: 'Patient/45' });
    assert.equal(view.sourceAttachment, undefined);
  });

  it('an AuditEvent keeps its agents’ labels (professionals and systems, never the patient)', () => {
    const event: FhirResource = {
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ requestor: false, who: { display: 'ordo-gateway' } }],
      source: { observer: { display: 'ordo-gateway' } },
      entity: [{ what: { reference: 'Patient/45', display: 'ESSAI-NOM' } }],
    };
    const view = auditorView(event)!;
    noDemographics(view);
    assert.equal(view.agent[0]!.who?.display, 'ordo-gateway');
  });

  it('a stored Patient is its id and identifiers only; a type the API does not serve is not shown at all', () => {
    const shown = auditorView(patient('45'));
    assert.deepEqual(Object.keys(shown ?? {}).sort(), ['id', 'identifier', 'resourceType']);
    noDemographics(shown);
    const binary: FhirResource = { resourceType: 'Binary', id: 'b', contentType: 'text/plain' };
    assert.equal(auditorView(binary), undefined);
    const bundle: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { fullUrl: 'x/DocumentReference/doc-1', resource: documentReference(), search: { mode: 'match' } },
        { fullUrl: 'x/Patient/45', resource: patient('45'), search: { mode: 'include' } },
        { fullUrl: 'x/Binary/b', resource: binary, search: { mode: 'include' } },
        { resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } },
      ],
    };
    const view = auditorBundle(bundle);
    noDemographics(view);
    assert.deepEqual(
      view.entry?.map((e) => e.resource?.resourceType),
      ['DocumentReference', 'Patient', 'OperationOutcome'],
    );
  });

  it('the table names every served type', () => {
    assert.deepEqual(Object.keys(AUDITOR_VIEW).sort(), [...AUDITED_TYPES].sort());
  });
});

describe('the auditor API’s types and parameters', () => {
  it('serves only its own types ("constructor" is no resource type)', () => {
    assert.ok(isAuditedType('AuditEvent'));
    for (const type of ['Binary', 'List', 'Task', 'constructor', '__proto__', 'toString'])
      assert.ok(!isAuditedType(type), type);
  });

  it('searches by the patient’s INS, and by no other chain', () => {
    assert.deepEqual(
      checkSearchParameters('AuditEvent', new URLSearchParams(`patient.identifier=${INS.system}|1`)),
      [],
    );
    assert.deepEqual(checkSearchParameters('RequestGroup', new URLSearchParams('patient.identifier=1')), []);
    assert.deepEqual(checkSearchParameters('AuditEvent', new URLSearchParams('_sort=-date,_id')), []);
    assert.equal(checkSearchParameters('RequestGroup', new URLSearchParams('_sort=patient.birthdate')).length, 1);
    for (const refused of [
      'patient.name=X',
      'patient.birthdate=1979',
      'patient.identifier:missing=true',
      'subject.identifier=1',
    ])
      assert.equal(checkSearchParameters('RequestGroup', new URLSearchParams(refused)).length, 1, refused);
  });
});

describe('the auditor API’s CapabilityStatement', () => {
  const cs = auditorCapabilityStatement('https://gateway.example/audit/fhir', '2026-01-01T00:00:00Z');
  const rest = cs.rest![0]!;

  it('is an R4 JSON server instance with bearer-token security', () => {
    assert.equal(cs.kind, 'instance');
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.deepEqual(cs.format, ['json']);
    assert.equal(cs.implementation?.url, 'https://gateway.example/audit/fhir');
    assert.equal(rest.mode, 'server');
    assert.equal(rest.security?.service?.[0]?.coding?.[0]?.code, 'OAuth');
    assert.match(rest.security?.description ?? '', /Bearer .*auditor/);
  });

  it('announces each served type with read and search-type only, and exactly its whitelisted parameters', () => {
    assert.deepEqual(
      rest.resource?.map((r) => r.type),
      Object.keys(AUDIT_SEARCH_PARAMETERS),
    );
    for (const resource of rest.resource ?? []) {
      assert.deepEqual(
        resource.interaction?.map((i) => i.code),
        ['read', 'search-type'],
      );
      const whitelisted = AUDIT_SEARCH_PARAMETERS[resource.type as keyof typeof AUDIT_SEARCH_PARAMETERS];
      assert.deepEqual(
        Object.fromEntries((resource.searchParam ?? []).map((p) => [p.name, p.type])),
        { ...whitelisted, _id: 'token', _lastUpdated: 'date' },
        resource.type,
      );
    }
    const auditEvent = rest.resource?.find((r) => r.type === 'AuditEvent');
    assert.match(
      auditEvent?.searchParam?.find((p) => p.name === 'entity-identifier')?.definition ?? '',
      /SearchParameter\/ordo-auditevent-entity-identifier$/,
    );
  });
});
