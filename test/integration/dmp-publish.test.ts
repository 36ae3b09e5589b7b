/**
 * DMP feed, happy path, on the real HAPI and Redis with a real BullMQ worker running the real
 * processor: every valid vendor example posted through the gateway is published exactly once as
 * a PDSm provide bundle; the stored document is the CDA itself and passes CDA_extended.xsd + the
 * eP-MED-DM schematron exactly as retrieved (all documents in one validator run); the IHE DSG
 * signature of its submission set verifies with xmlsec1 against the signing CA, and its manifest
 * digest is that of the stored bytes (one byte changed on either side fails one of the checks).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { DocumentReference, Practitioner } from 'fhir/r4';
import { DOMParser } from '@xmldom/xmldom';
import { verifyDetachedSignature } from '../../documents/signature';
import { validateCda, type CdaValidationReport } from '../support/validate-cda';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';
import { enqueueDmpPublication } from '../../queue/dmp-jobs';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { attachmentHash } from '../../documents/dmp/provide-bundle';
import { DMP_DOCUMENT_TAG_SYSTEM } from '../../documents/dmp/mhd';
import { QUEUE_NAMES } from '../../queue/queues';
import type { PublishResult } from '../../usecases/dmp/publish';
import {
  countOf,
  documentBytes,
  documentsOfPatient,
  entriesOfPatient,
  shownPublicationStatus,
  signatureEntryOf,
  startInProcessDmpWorker,
  waitFor,
  waitForJobState,
  type InProcessDmpWorker,
} from '../support/dmp';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { vendorExamples } from '../support/vendor-fixtures';
import { xmlsecVerify } from '../support/xmlsec';
import { xmllintCli } from '../support/xmllint-cli';

const CDA_XSD = join(__dirname, '..', '..', 'profiles', 'ans-cda', 'infrastructure', 'cda', 'CDA_extended.xsd');
import { postUniqueExample } from '../support/post-prescription';

/** Valid examples whose patient objects to the DMP feed. */
const OPTED_OUT = new Set([
  'epu-json/valid-locum-corsica-paramedical.json',
  'fhir-message/valid-locum-practitioner-role.json',
]);

let gw: TestGateway;
let pki: ThrowawayPki;
let dmpWorker: InProcessDmpWorker;

interface Published {
  name: string;
  kind: string;
  cda: string;
  qrPng: Buffer;
  pdf: Buffer;
}
const published: Published[] = [];

before(async () => {
  pki = await createThrowawayPki();
  gw = await startTestGateway();
  dmpWorker = await startInProcessDmpWorker({ config: gw.deps.config, fhir: gw.deps.fhir, pki });
});
after(async () => {
  await dmpWorker?.close();
  await gw?.close();
  await pki?.cleanup();
});

const queue = () => gw.deps.queues[QUEUE_NAMES.dmpPublish];

async function post(
  example: ReturnType<typeof vendorExamples>[number],
): Promise<{ number: string; ins: string; auth: string }> {
  const { number, ins, auth } = await postUniqueExample(gw.app, example);
  return { number, ins, auth };
}

/** The base64 content of the CDA's observationMedia with this media type. */
function embedded(cda: string, mediaType: string): Buffer {
  const doc = new DOMParser().parseFromString(cda, 'text/xml');
  const values = Array.from(doc.getElementsByTagNameNS('urn:hl7-org:v3', 'value')).filter(
    (v) => v.getAttribute('mediaType') === mediaType,
  );
  assert.equal(values.length, 1, `one ${mediaType} in the CDA`);
  return Buffer.from(values[0]!.textContent ?? '', 'base64');
}

const coding = (
  doc: DocumentReference,
  path: (d: DocumentReference) => { coding?: { system?: string; code?: string }[] } | undefined,
) => {
  const c = path(doc)?.coding?.[0];
  return `${c?.system}|${c?.code}`;
};

describe('every valid vendor example reaches the DMP store exactly once', () => {
  for (const example of vendorExamples().filter((e) => e.valid)) {
    const name = `${example.format}/${example.name}`;
    test(name, async () => {
      const { number, ins, auth } = await post(example);
      const jobId = dmpJobId({ action: 'publish', number, version: 1 });

      if (OPTED_OUT.has(name)) {
        assert.equal(await queue().getJob(jobId), undefined, 'no publication job when the patient objects');
        assert.deepEqual(await shownPublicationStatus(gw.app, number, auth), {
          state: 'not-requested',
          reason: 'patient-opted-out',
        });
        assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 0);
        return;
      }

      const job = await waitForJobState(queue(), jobId);
      assert.equal(await job.getState(), 'completed', job.failedReason);
      const result = job.returnvalue as PublishResult;
      assert.equal(result.outcome, 'published');

      const docs = await documentsOfPatient(gw.deps.fhir, ins);
      assert.equal(docs.length, 1, 'exactly one DocumentReference for the patient');
      const doc = docs[0]!;
      assert.equal(doc.id, result.outcome === 'published' ? result.documentReferenceId : '');
      assert.equal(doc.status, 'current');
      assert.match(doc.masterIdentifier?.value ?? '', /^urn:oid:2\.25\.\d+$/);
      assert.equal(doc.masterIdentifier?.system, 'urn:ietf:rfc:3986');
      assert.equal(
        coding(doc, (d) => d.type),
        result.outcome === 'published' && result.kind === 'ep-med-dm'
          ? 'http://loinc.org|57833-6'
          : 'http://loinc.org|57832-8',
      );
      assert.equal(
        coding(doc, (d) => d.category?.[0]),
        'urn:oid:1.2.250.1.213.1.1.4.1|42',
      );
      assert.deepEqual(doc.content[0]?.format, {
        system: 'urn:oid:1.2.250.1.213.1.1.4.2.282',
        code: 'urn:ihe:pharm:pre:2010',
      });
      assert.equal(
        coding(doc, (d) => d.securityLabel?.[0]),
        'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N',
      );
      // The structure type the example states (its centre de santé), else a cabinet individuel.
      assert.equal(
        coding(doc, (d) => d.context?.facilityType),
        `urn:oid:1.2.250.1.71.4.2.4|${example.name.startsWith('valid-bizone-centre-sante') ? 'SA05' : 'SA07'}`,
      );
      assert.equal(
        coding(doc, (d) => d.context?.practiceSetting),
        'urn:oid:1.2.250.1.213.1.1.4.9|AMBULATOIRE',
      );
      assert.deepEqual(
        doc.context?.related?.map((r) => [r.identifier?.system, r.identifier?.value]),
        [[PRESCRIPTION_NUMBER_SYSTEM, number]],
      );
      const author = doc.contained?.find((r) => r.resourceType === 'Practitioner') as Practitioner | undefined;
      assert.ok(author?.identifier?.[0]?.value?.startsWith('8'), 'author by idNatPs');

      // The subject is the patient by INS (PDSm: no Patient entry, no Patient resource created).
      assert.equal(doc.subject?.identifier?.value, ins);
      assert.match(doc.subject?.identifier?.system ?? '', /^urn:oid:1\.2\.250\.1\.213\.1\.4\./);
      assert.equal(doc.subject?.reference, undefined);
      assert.equal(await countOf(gw.deps.fhir, 'Patient', { identifier: ins }), 1, "only the gateway's own Patient");
      assert.equal(doc.identifier, undefined, 'no entryUUID sent: the DMP assigns it');

      // The Binary holds the CDA as built; the entry's size and SHA-1 describe those bytes.
      const bytes = await documentBytes(gw.deps.fhir, doc);
      const attachment = doc.content[0]!.attachment;
      assert.equal(attachment.contentType, 'text/xml');
      assert.equal(attachment.size, bytes.length);
      assert.equal(attachment.hash, attachmentHash(bytes));
      const cda = bytes.toString('utf8');
      assert.match(cda, /^<\?xml[^>]*\?>\s*<ClinicalDocument xmlns="urn:hl7-org:v3"/);
      // What a consumer runs first, on the bytes as retrieved: `xmllint --schema CDA_extended.xsd`.
      const xsd = xmllintCli(bytes, CDA_XSD);
      assert.ok(xsd.valid, xsd.output);

      // The submission set's IHE DSG signature: its own entry, which signs the document's.
      const signatureDoc = await signatureEntryOf(gw.deps.fhir, doc);
      assert.equal(signatureDoc.content[0]?.format?.code, 'urn:ihe:iti:dsg:detached:2014');
      const signature = await documentBytes(gw.deps.fhir, signatureDoc);
      const verified = await xmlsecVerify(pki.dir, `${number}-signature.xml`, signature, pki.caCertPath);
      assert.ok(verified.ok, verified.output);
      assert.match(verified.output, /SignedInfo References \(ok\/all\): 2\/2/);
      const stored = [{ uniqueId: doc.masterIdentifier!.value!, content: bytes }];
      assert.deepEqual(verifyDetachedSignature(signature.toString('utf8'), stored, { trustedPem: pki.caCertPem }), {
        valid: true,
        signatureValid: true,
        documents: { [doc.masterIdentifier!.value!]: true },
        problems: [],
      });
      // One byte changed in the stored CDA: the manifest check fails (the XML signature still holds).
      const flipped = Buffer.from(bytes);
      const at = bytes.indexOf('<title>') + 8;
      flipped[at] = flipped[at] === 0x41 ? 0x42 : 0x41;
      const onFlippedCda = verifyDetachedSignature(signature.toString('utf8'), [{ ...stored[0]!, content: flipped }], {
        trustedPem: pki.caCertPem,
      });
      assert.deepEqual([onFlippedCda.valid, onFlippedCda.signatureValid], [false, true]);
      // One byte changed in the stored signature (its SigningTime): xmlsec1 refuses it.
      const tampered = signature
        .toString('utf8')
        .replace(/(<xades:SigningTime>\d{3})(\d)/, (_m, a: string, d: string) => a + ((Number(d) + 1) % 10));
      assert.equal(Buffer.byteLength(tampered), signature.length);
      const refused = await xmlsecVerify(pki.dir, `${number}-tampered.xml`, tampered, pki.caCertPath);
      assert.equal(refused.ok, false, refused.output);
      assert.equal(verifyDetachedSignature(tampered, stored, { trustedPem: pki.caCertPem }).signatureValid, false);

      // The SubmissionSet lists both entries; one Binary carries the document's tag.
      const lists = await gw.deps.fhir.search('List', { item: `DocumentReference/${doc.id}` });
      assert.equal(lists.entry?.length, 1, 'one SubmissionSet');
      assert.equal((await entriesOfPatient(gw.deps.fhir, ins)).length, 2, 'the document and its signature');
      assert.equal(
        await countOf(gw.deps.fhir, 'Binary', { _tag: `${DMP_DOCUMENT_TAG_SYSTEM}|${doc.masterIdentifier!.value}` }),
        1,
      );

      assert.deepEqual(await shownPublicationStatus(gw.app, number, auth), {
        state: 'published',
        documentReferenceId: doc.id,
        documentStatus: 'current',
        attempts: 1,
      });
      // The publication is audited as an export of the prescription (queue/audit writes the AuditEvent).
      const audited = await gw.deps.queues[QUEUE_NAMES.audit].getJob(`dmp-${jobId}-0`);
      assert.deepEqual(
        [audited?.data.event.name, audited?.data.outcome.status, audited?.data.entity],
        ['dmp.publish', 200, { number, documentUniqueId: doc.masterIdentifier?.value }],
      );

      const qrPng = Buffer.from(
        (
          await request(gw.app)
            .get(`/prescriptions/${number}/qr.png`)
            .set('authorization', auth)
            .buffer(true)
            .expect(200)
        ).body,
      );
      const pdf = Buffer.from(
        (
          await request(gw.app)
            .get(`/prescriptions/${number}/ordonnance.pdf`)
            .set('authorization', auth)
            .buffer(true)
            .expect(200)
        ).body,
      );
      published.push({
        name: `${example.format}-${example.name.replace(/\.\w+$/, '')}.xml`,
        kind: result.outcome === 'published' ? result.kind : '',
        cda,
        qrPng,
        pdf,
      });
    });
  }
});

describe('the published documents', () => {
  let reports: CdaValidationReport[];

  before(async () => {
    reports = await validateCda(
      published.map((p) => p.cda),
      { names: published.map((p) => p.name), phase: '#ALL' },
    );
  });

  test('embed the same QR code and PDF the gateway serves', () => {
    assert.ok(published.length >= 8, `published ${published.length}`);
    for (const p of published) {
      assert.ok(embedded(p.cda, 'image/png').equals(p.qrPng), `${p.name}: QR code`);
      assert.ok(embedded(p.cda, 'application/pdf').equals(p.pdf), `${p.name}: PDF`);
    }
  });

  test('eP-MED-DM documents pass the XSD and the schematron with zero errors', () => {
    const epMedDm = published.filter((p) => p.kind === 'ep-med-dm');
    assert.ok(epMedDm.length >= 6);
    for (const p of epMedDm) {
      const report = reports.find((r) => r.file === p.name)!;
      assert.deepEqual(report.xsdErrors, [], p.name);
      assert.deepEqual(report.schematronErrors, [], p.name);
    }
  });

  test('act-only documents pass the XSD; the eP-MED-DM schematron flags only what makes a document eP-MED-DM', () => {
    const acts = published.filter((p) => p.kind === 'act-prescription');
    assert.ok(acts.length >= 2);
    for (const p of acts) {
      const report = reports.find((r) => r.file === p.name)!;
      assert.deepEqual(report.xsdErrors, [], p.name);
      // The five volet-identity rules (see documents/cda/README.md and test/unit/cda-document.test.ts).
      assert.equal(report.schematronErrors.length, 5, report.schematronErrors.map((e) => e.message).join('\n'));
      assert.ok(report.schematronErrors.some((e) => /@code="57833-6"/.test(e.message)));
    }
  });
});

describe('exactly once', () => {
  const example = vendorExamples().find((e) => e.format === 'epu-json' && e.name === 'valid-drugs-only.json')!;

  test('enqueuing the same publication again adds no job and no document', async () => {
    const { number, ins } = await post(example);
    await enqueueDmpPublication(gw.deps.queues, number, 1);
    await enqueueDmpPublication(gw.deps.queues, number, 1);
    const job = await waitForJobState(queue(), dmpJobId({ action: 'publish', number, version: 1 }));
    assert.equal(await job.getState(), 'completed');
    await enqueueDmpPublication(gw.deps.queues, number, 1);
    const jobs = await queue().getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
    assert.equal(jobs.filter((j) => j.data.number === number).length, 1);
    assert.equal((await documentsOfPatient(gw.deps.fhir, ins)).length, 1);
  });

  test('running a finished publication again stores nothing new (same uniqueId, same bytes)', async () => {
    const { number, ins } = await post(example);
    const jobId = dmpJobId({ action: 'publish', number, version: 1 });
    const first = await waitForJobState(queue(), jobId);
    const firstResult = first.returnvalue as PublishResult;
    assert.equal(firstResult.outcome, 'published');
    const [before] = await documentsOfPatient(gw.deps.fhir, ins);

    await first.retry('completed');
    // The same job runs again; wait until it has finished a second time.
    const second = await waitFor('the second run', async () => {
      const job = await queue().getJob(jobId);
      return job &&
        job.finishedOn !== undefined &&
        job.finishedOn !== first.finishedOn &&
        (await job.getState()) === 'completed'
        ? job
        : undefined;
    });
    const secondResult = second.returnvalue as PublishResult;
    assert.ok(secondResult.outcome === 'published' && firstResult.outcome === 'published');
    assert.equal(secondResult.created, false, 'every conditional create matched');
    assert.equal(secondResult.documentReferenceId, firstResult.documentReferenceId);
    assert.equal(secondResult.binaryId, firstResult.binaryId);
    assert.equal(secondResult.uniqueId, firstResult.uniqueId);

    const docs = await documentsOfPatient(gw.deps.fhir, ins);
    assert.equal(docs.length, 1);
    assert.equal(docs[0]!.meta?.versionId, before!.meta?.versionId, 'the entry was not rewritten');
    assert.equal(
      await countOf(gw.deps.fhir, 'Binary', { _tag: `${DMP_DOCUMENT_TAG_SYSTEM}|${firstResult.uniqueId}` }),
      1,
    );
    assert.equal(
      await countOf(gw.deps.fhir, 'List', { item: `DocumentReference/${firstResult.documentReferenceId}` }),
      1,
    );
  });
});
