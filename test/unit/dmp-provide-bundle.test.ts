/**
 * The pure parts of the DMP feed: name-based ids, the PDSm provide bundle, the job data check,
 * which failures are retried, and the worker's configuration.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Binary, DocumentReference, List } from 'fhir/r4';
import { UnrecoverableError } from 'bullmq';
import { FhirServerError } from '../../store/fhir-client';
import { ConfigError } from '../../platform/config';
import { DEVELOPMENT_SOURCE_OID, loadDmpConfig } from '../../queue/dmp/config';
import { classifyFailure } from '../../queue/dmp/errors';
import { deterministic, PoisonJobError } from '../../usecases/dmp/errors';
import { publicationIds, uuidV5 } from '../../documents/dmp/ids';
import { DMP_DOCUMENT_TAG_SYSTEM, MHD_EXTENSIONS } from '../../documents/dmp/mhd';
import { parseJobData } from '../../queue/dmp/processor';
import {
  attachmentHash,
  buildProvideBundle,
  ENTRY_INDEX,
  type ProvideBundleInput,
} from '../../documents/dmp/provide-bundle';
import { biologyOnly, mixedAld } from '../fixtures/canonical';

const SOURCE = '1.2.250.1.999.42';
const NOW = new Date('2026-11-20T09:30:00Z');
const CONTENT = Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>\n');
const SIGNATURE = Buffer.from('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">signed</ds:Signature>\n');

function input(fixture = mixedAld, kind: ProvideBundleInput['kind'] = 'ep-med-dm'): ProvideBundleInput {
  return {
    prescription: fixture.prescription,
    number: fixture.number,
    ids: publicationIds({ sourceOid: SOURCE, number: fixture.number, version: 1 }),
    sourceOid: SOURCE,
    kind,
    content: CONTENT,
    signature: SIGNATURE,
    submittedAt: NOW,
  };
}

describe('publication ids', () => {
  it('uuidV5 follows RFC 9562 (its www.example.com example)', () => {
    assert.equal(
      uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('are derived: the same publication always gets the same ids, another one other ids', () => {
    const a = publicationIds({ sourceOid: SOURCE, number: mixedAld.number, version: 1 });
    assert.deepEqual(publicationIds({ sourceOid: SOURCE, number: mixedAld.number, version: 1 }), a);
    const others = [
      publicationIds({ sourceOid: SOURCE, number: mixedAld.number, version: 2 }),
      publicationIds({ sourceOid: SOURCE, number: biologyOnly.number, version: 1 }),
      publicationIds({ sourceOid: '1.2.250.1.999.43', number: mixedAld.number, version: 1 }),
    ];
    for (const other of others) assert.notEqual(other.documentOid, a.documentOid);
    assert.equal(others[0]!.setOid, a.setOid, 'every version of a prescription shares the CDA setId');
    const all = [a.documentOid, a.setOid, a.submissionSetOid, a.signatureOid, ...Object.values(a.fullUrls)];
    assert.equal(new Set(all).size, all.length);
    for (const oid of [a.documentOid, a.setOid, a.submissionSetOid, a.signatureOid])
      assert.match(oid, /^2\.25\.[1-9]\d*$/);
    for (const url of Object.values(a.fullUrls)) assert.match(url, /^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('refuse a version that is not a positive integer', () => {
    assert.throws(() => publicationIds({ sourceOid: SOURCE, number: mixedAld.number, version: 0 }), RangeError);
  });
});

describe('provide bundle (PDSm / MHD ITI-65)', () => {
  const bundle = buildProvideBundle(input());
  const entries = bundle.entry ?? [];
  const doc = entries[ENTRY_INDEX.documentReference]!.resource as DocumentReference;
  const list = entries[ENTRY_INDEX.submissionSet]!.resource as List;
  const binary = entries[ENTRY_INDEX.binary]!.resource as Binary;
  const signatureDoc = entries[ENTRY_INDEX.signatureReference]!.resource as DocumentReference;
  const signatureBinary = entries[ENTRY_INDEX.signatureBinary]!.resource as Binary;
  const ids = input().ids;
  const ins = mixedAld.prescription.patient.ins;

  it('is pure: the same input gives the same bundle', () => {
    assert.deepEqual(buildProvideBundle(input()), bundle);
  });

  it('is a transaction of conditional creates only: document, signature (Binary + entry each), SubmissionSet; no Patient', () => {
    assert.equal(bundle.type, 'transaction');
    assert.deepEqual(
      entries.map((e) => [e.resource?.resourceType, e.request?.method, e.request?.ifNoneExist]),
      [
        ['Binary', 'POST', `_tag=${DMP_DOCUMENT_TAG_SYSTEM}|urn:oid:${ids.documentOid}`],
        ['DocumentReference', 'POST', `identifier=urn:ietf:rfc:3986|urn:oid:${ids.documentOid}`],
        ['Binary', 'POST', `_tag=${DMP_DOCUMENT_TAG_SYSTEM}|urn:oid:${ids.signatureOid}`],
        ['DocumentReference', 'POST', `identifier=urn:ietf:rfc:3986|urn:oid:${ids.signatureOid}`],
        ['List', 'POST', `identifier=urn:ietf:rfc:3986|urn:oid:${ids.submissionSetOid}`],
      ],
    );
  });

  it('references the patient by INS and sends no entryUUID (the DMP assigns them)', () => {
    const byIns = { type: 'Patient', identifier: { use: 'official', system: `urn:oid:${ins.oid}`, value: ins.value } };
    for (const resource of [doc, signatureDoc, list]) assert.deepEqual(resource.subject, byIns);
    assert.equal(doc.identifier, undefined);
    assert.equal(signatureDoc.identifier, undefined);
    assert.deepEqual(list.identifier, [
      { use: 'usual', system: 'urn:ietf:rfc:3986', value: `urn:oid:${ids.submissionSetOid}` },
    ]);
    assert.ok(!JSON.stringify(bundle).includes('"resourceType":"Patient","identifier"'), 'no Patient entry');
  });

  it('publishes the IHE DSG signature as its own entry, which signs the document entry', () => {
    assert.ok(Buffer.from(signatureBinary.data!, 'base64').equals(SIGNATURE));
    assert.deepEqual(signatureDoc.masterIdentifier, {
      system: 'urn:ietf:rfc:3986',
      value: `urn:oid:${ids.signatureOid}`,
    });
    assert.equal(signatureDoc.content[0]!.format?.code, 'urn:ihe:iti:dsg:detached:2014');
    assert.equal(signatureDoc.content[0]!.attachment.url, entries[ENTRY_INDEX.signatureBinary]!.fullUrl);
    assert.equal(signatureDoc.content[0]!.attachment.hash, attachmentHash(SIGNATURE));
    assert.deepEqual(signatureDoc.relatesTo, [
      { code: 'signs', target: { reference: entries[ENTRY_INDEX.documentReference]!.fullUrl } },
    ]);
    assert.equal(signatureDoc.category?.[0]?.coding?.[0]?.code, 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1');
    assert.equal(signatureDoc.type?.coding?.[0]?.code, 'E1762');
    assert.equal(signatureDoc.context?.related?.[0]?.identifier?.value, mixedAld.number);
  });

  it('carries the CDA as built in the Binary, described by size and SHA-1 in the entry', () => {
    assert.equal(binary.contentType, 'text/xml');
    assert.ok(Buffer.from(binary.data!, 'base64').equals(CONTENT));
    assert.deepEqual(binary.meta?.tag, [{ system: DMP_DOCUMENT_TAG_SYSTEM, code: `urn:oid:${ids.documentOid}` }]);
    const attachment = doc.content[0]!.attachment;
    assert.equal(attachment.url, entries[ENTRY_INDEX.binary]!.fullUrl);
    assert.equal(attachment.size, CONTENT.length);
    assert.equal(attachment.hash, attachmentHash(CONTENT));
    assert.equal(Buffer.from(attachment.hash!, 'base64').length, 20);
  });

  it('fills the document entry with the XDS metadata of an ordonnance', () => {
    assert.deepEqual(doc.masterIdentifier, { system: 'urn:ietf:rfc:3986', value: `urn:oid:${ids.documentOid}` });
    assert.equal(doc.status, 'current');
    assert.equal(doc.type?.coding?.[0]?.code, '57833-6');
    assert.deepEqual(doc.category?.[0]?.coding?.[0], {
      system: 'urn:oid:1.2.250.1.213.1.1.4.1',
      code: '42',
      display: 'Prescription',
    });
    assert.deepEqual(doc.content[0]!.format, {
      system: 'urn:oid:1.2.250.1.213.1.1.4.2.282',
      code: 'urn:ihe:pharm:pre:2010',
    });
    assert.equal(doc.securityLabel?.[0]?.coding?.[0]?.code, 'N');
    assert.equal(doc.context?.facilityType?.coding?.[0]?.code, 'SA07');
    assert.equal(doc.context?.practiceSetting?.coding?.[0]?.code, 'AMBULATOIRE');
    assert.deepEqual(doc.context?.related?.[0]?.identifier?.value, mixedAld.number);
    assert.equal(doc.context?.related?.[0]?.identifier?.system, 'urn:oid:1.2.250.1.215.500.1.1');
    assert.deepEqual(
      doc.context?.event?.map((e) => e.coding?.[0]?.code),
      ['MED-1096'],
      'ALD: bizone sub-type, as in the CDA',
    );
    assert.equal(doc.context?.period?.start, mixedAld.prescription.authoredOn);
    assert.equal(doc.date, NOW.toISOString());
    const contained = new Map((doc.contained ?? []).map((r) => [r.id, r]));
    for (const ref of [
      doc.author?.[0]?.reference,
      doc.authenticator?.reference,
      doc.custodian?.reference,
      doc.context?.sourcePatientInfo?.reference,
    ]) {
      assert.ok(ref?.startsWith('#') && contained.has(ref.slice(1)), `${ref} is contained`);
    }
  });

  it('makes the SubmissionSet list both entries, with its source id', () => {
    assert.equal(list.code?.coding?.[0]?.code, 'submissionset');
    assert.deepEqual(
      list.entry?.map((e) => e.item.reference),
      [entries[ENTRY_INDEX.documentReference]!.fullUrl, entries[ENTRY_INDEX.signatureReference]!.fullUrl],
    );
    assert.deepEqual(list.extension?.find((e) => e.url === MHD_EXTENSIONS.sourceId)?.valueIdentifier, {
      value: `urn:oid:${SOURCE}`,
    });
  });

  it('types an act-only ordonnance 57832-8, without sub-types', () => {
    const acts = buildProvideBundle(input(biologyOnly, 'act-prescription')).entry![ENTRY_INDEX.documentReference]!
      .resource as DocumentReference;
    assert.equal(acts.type?.coding?.[0]?.code, '57832-8');
    assert.equal(acts.context?.event, undefined);
  });
});

describe('job data and failures', () => {
  it('accepts a well-formed job, normalising the number', () => {
    assert.deepEqual(parseJobData({ number: mixedAld.number.toLowerCase(), version: 3, action: 'deprecate' }), {
      number: mixedAld.number,
      version: 3,
      action: 'deprecate',
    });
  });

  it('refuses a malformed job as unrecoverable', () => {
    for (const data of [
      {},
      { number: 'x', version: 1, action: 'publish' },
      { number: mixedAld.number, version: 0, action: 'publish' },
      { number: mixedAld.number, version: 1, action: 'delete' },
    ]) {
      assert.throws(() => parseJobData(data), UnrecoverableError);
    }
  });

  it('retries what may succeed later and dead-letters what cannot', () => {
    assert.deepEqual(classifyFailure(new FhirServerError('unreachable', 0, undefined, true)), { retry: true });
    assert.deepEqual(classifyFailure(new FhirServerError('503', 503, undefined, true)), { retry: true });
    assert.deepEqual(classifyFailure(new FhirServerError('conflict', 409)), { retry: true });
    assert.deepEqual(classifyFailure(new FhirServerError('stale', 412)), { retry: true });
    assert.deepEqual(classifyFailure(new FhirServerError('answered 422', 422)), {
      retry: false,
      reason: 'answered 422',
    });
    assert.deepEqual(classifyFailure(new FhirServerError('answered 404', 404)), {
      retry: false,
      reason: 'answered 404',
    });
    assert.deepEqual(classifyFailure(new PoisonJobError('no prescription')), {
      retry: false,
      reason: 'no prescription',
    });
    assert.deepEqual(classifyFailure(new Error('Connection is closed.')), { retry: true });
  });

  it('turns any failure of a deterministic step into a poison naming the step', async () => {
    await assert.rejects(
      deterministic('building the CDA document', () => {
        throw new RangeError('bad line');
      }),
      (err: unknown) => err instanceof PoisonJobError && err.message === 'building the CDA document: bad line',
    );
  });
});

describe('worker configuration', () => {
  const gateway = {
    dmpFhirBaseUrl: 'http://127.0.0.1:8090/fhir',
    fhirTimeoutMs: 15_000,
    fhirRetries: 2,
    nodeEnv: 'development',
  };
  const pem = { DMP_SIGNING_KEY: '/k.pem', DMP_SIGNING_CERT: '/c.pem' };

  it('defaults the DMP store to the FHIR store and the source to the development OID', () => {
    assert.deepEqual(loadDmpConfig(gateway, pem), {
      fhirBaseUrl: 'http://127.0.0.1:8090/fhir',
      timeoutMs: 15_000,
      retries: 2,
      signing: { keyPath: '/k.pem', certPath: '/c.pem' },
      sourceOid: DEVELOPMENT_SOURCE_OID,
    });
  });

  it('reads a PKCS#12 bundle and its own DMP store', () => {
    const config = loadDmpConfig(gateway, {
      DMP_SIGNING_P12: '/o.p12',
      DMP_SIGNING_P12_PASSWORD: 'x',
      DMP_FHIR_BASE_URL: 'https://dmp.example/fhir/',
      DMP_SOURCE_OID: '1.2.250.1.999',
    });
    assert.deepEqual(config.signing, { p12Path: '/o.p12', p12Password: 'x' });
    assert.equal(config.fhirBaseUrl, 'https://dmp.example/fhir');
    assert.equal(config.sourceOid, '1.2.250.1.999');
  });

  it('knows no test hook: the pause between publishing and acknowledging is injected by the tests, never read from the environment', () => {
    const config = loadDmpConfig(gateway, {
      ...pem,
      DMP_TEST_PAUSE_AFTER_PUBLISH_MS: '10',
      TEST_PAUSE_AFTER_PUBLISH_MS: '10',
    });
    assert.deepEqual(Object.keys(config).sort(), ['fhirBaseUrl', 'retries', 'signing', 'sourceOid', 'timeoutMs']);
  });

  it('reports every problem at once, naming the variables', () => {
    assert.throws(
      () => loadDmpConfig({ ...gateway, nodeEnv: 'production' }, { DMP_FHIR_BASE_URL: 'ftp://x' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        for (const name of ['DMP_FHIR_BASE_URL', 'DMP_SOURCE_OID', 'DMP_SIGNING_P12'])
          assert.match(text, new RegExp(name));
        return true;
      },
    );
    assert.throws(() => loadDmpConfig(gateway, { DMP_SIGNING_KEY: '/k.pem' }), /DMP_SIGNING_CERT is required/);
    assert.throws(
      () => loadDmpConfig(gateway, { ...pem, DMP_SOURCE_OID: 'not.an.oid' }),
      /DMP_SOURCE_OID must be an OID/,
    );
  });
});
