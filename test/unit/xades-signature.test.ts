/**
 * IHE DSG detached (manifest) XAdES-BES signature of a submission set, checked with an
 * independent implementation — xmlsec1 (Debian package xmlsec1) against a throw-away CA — for
 * the XML signature, and with the manifest digests against the document bytes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { buildEpMedDmDocument } from '../../documents/cda/ep-med-dm';
import { oidFromUuid } from '../../documents/cda/document-ids';
import { credentialsFromPkcs12 } from '../../documents/signature/credentials';
import { loadSigningCredentials } from '../../platform/signing-credentials';
import {
  DSG_COMMITMENT_TYPE,
  DSG_SIGNATURE_POLICY,
  signSubmissionSet,
  XADES_NS,
  XMLDSIG_NS,
} from '../../documents/signature/xades';
import { verifyDetachedSignature } from '../../documents/signature/verify';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { qrPng } from '../../documents/qr-code';
import { drugsOnly } from '../fixtures/canonical';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { xmlsecVerify, xmlsecVerifyFile } from '../support/xmlsec';

const SIGNING_TIME = new Date('2026-10-14T07:40:00Z');
const TAMPERED_LABEL = ['LEVOTHYROX 75 microgrammes', 'LEVOTHYROX 76 microgrammes'] as const;

let pki: ThrowawayPki;
let cda: string;
let cdaBytes: Buffer;
const UNIQUE_ID = `urn:oid:${oidFromUuid('3e0f4b1a-9c2d-4e5f-8a6b-7c8d9e0f1a2b')}`;
let signed: string;
let signedPath: string;

before(async () => {
  pki = await createThrowawayPki();
  const p = drugsOnly.prescription;
  const qr = await qrPng(p, drugsOnly.number);
  cda = buildEpMedDmDocument({
    prescription: p,
    number: drugsOnly.number,
    documentId: { root: oidFromUuid('3e0f4b1a-9c2d-4e5f-8a6b-7c8d9e0f1a2b') },
    setId: { root: oidFromUuid('5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d') },
    version: 1,
    now: SIGNING_TIME,
    pdf: await renderOrdonnancePdf(p, drugsOnly.number, { qrPng: qr, generatedAt: SIGNING_TIME }),
    qrPng: qr,
  });
  const credentials = await loadSigningCredentials({ p12Path: pki.p12Path, p12Password: pki.p12Password });
  cdaBytes = Buffer.from(cda, 'utf8');
  signed = await signSubmissionSet([{ uniqueId: UNIQUE_ID, content: cdaBytes }], credentials, {
    signingTime: SIGNING_TIME,
  });
  signedPath = join(pki.dir, 'signed.xml');
  await writeFile(signedPath, signed);
});

after(() => pki?.cleanup());

const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');

describe('loadSigningCredentials', () => {
  it('reads a PKCS#12 bundle: its key, the certificate of that key, the rest as chain', async () => {
    const credentials = await loadSigningCredentials({ p12Path: pki.p12Path, p12Password: pki.p12Password });
    assert.equal(
      new X509Certificate(credentials.certPem).fingerprint256,
      new X509Certificate(pki.certPem).fingerprint256,
    );
    assert.equal(
      new X509Certificate(credentials.chainPem!).fingerprint256,
      new X509Certificate(pki.caCertPem).fingerprint256,
    );
    assert.ok(new X509Certificate(credentials.certPem).checkPrivateKey(createPrivateKey(credentials.keyPem)));
  });

  it('reads PEM key, certificate and chain files', async () => {
    const credentials = await loadSigningCredentials({
      keyPath: pki.keyPath,
      certPath: pki.certPath,
      chainPath: pki.chainPath,
    });
    assert.equal(credentials.keyPem, pki.keyPem);
    assert.equal(credentials.certPem, pki.certPem);
    assert.equal(credentials.chainPem, pki.caCertPem);
  });

  it('refuses a PKCS#12 bundle with the wrong password', async () => {
    const der = await readFile(pki.p12Path);
    assert.throws(() => credentialsFromPkcs12(der, 'wrong password'));
  });
});

const documents = (content: Buffer = cdaBytes) => [{ uniqueId: UNIQUE_ID, content }];

/** The same bytes with one byte changed (at `at`, or in the middle). */
function flipOneByte(bytes: Buffer, at = Math.floor(bytes.length / 2)): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
  return copy;
}

describe('signSubmissionSet', () => {
  it('produces a signature xmlsec1 verifies against the issuing CA (manifest not dereferenced)', async () => {
    const result = await xmlsecVerifyFile(signedPath, pki.caCertPath);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SignedInfo References \(ok\/all\): 2\/2/);
  });

  it('xmlsec1 also digests the stored document against the manifest when told where it is (--url-map)', async () => {
    const file = join(pki.dir, 'cda.xml');
    await writeFile(file, cdaBytes);
    const result = await xmlsecVerifyFile(signedPath, pki.caCertPath, { urlMap: { [UNIQUE_ID]: file } });
    assert.ok(result.ok, result.output);
    assert.match(result.output, /Manifests References \(ok\/all\): 1\/1/);
    await writeFile(file, flipOneByte(cdaBytes));
    // A manifest reference that fails does not fail the signature (XML-DSig core §5.1): it is reported.
    const tampered = await xmlsecVerifyFile(signedPath, pki.caCertPath, { urlMap: { [UNIQUE_ID]: file } });
    assert.match(tampered.output, /Manifests References \(ok\/all\): 0\/1/);
    assert.match(tampered.output, /data and digest do not match/);
  });

  it('and whose manifest digest is the SHA-256 of the document bytes: both halves pass', () => {
    const verdict = verifyDetachedSignature(signed, documents(), { trustedPem: pki.caCertPem });
    assert.deepEqual(verdict, { valid: true, signatureValid: true, documents: { [UNIQUE_ID]: true }, problems: [] });
  });

  it('scripts/verify-dmp-signature.ts: exit 0 on what was signed, 1 on one byte changed in the document', async () => {
    const cdaFile = join(pki.dir, 'consumer-cda.xml');
    const run = (file: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const args = ['--import', 'tsx', 'scripts/verify-dmp-signature.ts', '--trusted', pki.caCertPath];
        const child = execFile(process.execPath, [...args, signedPath, `${UNIQUE_ID}=${file}`], (_e, stdout) =>
          resolve({ code: child.exitCode, out: stdout }),
        );
      });
    await writeFile(cdaFile, cdaBytes);
    const ok = await run(cdaFile);
    assert.equal(ok.code, 0, ok.out);
    assert.equal((JSON.parse(ok.out) as { valid: boolean }).valid, true);
    await writeFile(cdaFile, flipOneByte(cdaBytes));
    const tampered = await run(cdaFile);
    assert.equal(tampered.code, 1, tampered.out);
  });

  it('signed with PEM files verifies too', async () => {
    const credentials = await loadSigningCredentials({ keyPath: pki.keyPath, certPath: pki.certPath });
    const again = await signSubmissionSet(documents(), credentials, { signingTime: SIGNING_TIME });
    const result = await xmlsecVerify(pki.dir, 'signed-pem.xml', again, pki.caCertPath);
    assert.ok(result.ok, result.output);
    assert.equal(verifyDetachedSignature(again, documents(), { trustedPem: pki.caCertPem }).valid, true);
  });

  it('does not verify against another CA', async () => {
    const result = await xmlsecVerifyFile(signedPath, pki.otherCaCertPath);
    assert.equal(result.ok, false);
    const verdict = verifyDetachedSignature(signed, documents(), {
      trustedPem: await readFile(pki.otherCaCertPath, 'utf8'),
    });
    assert.equal(verdict.valid, false);
    assert.deepEqual(verdict.problems, ['the signing certificate does not chain to a trusted certificate']);
  });

  it('one byte changed in the stored CDA: the signature still verifies (xmlsec1), the manifest check fails', async () => {
    const tampered = Buffer.from(cda.replace(TAMPERED_LABEL[0], TAMPERED_LABEL[1]), 'utf8');
    assert.equal(tampered.length, cdaBytes.length);
    assert.equal(Buffer.compare(tampered, cdaBytes) !== 0, true);
    assert.ok((await xmlsecVerifyFile(signedPath, pki.caCertPath)).ok, 'xmlsec1 does not look at the document');
    for (const changed of [tampered, flipOneByte(cdaBytes), flipOneByte(cdaBytes, cdaBytes.length - 2)]) {
      const verdict = verifyDetachedSignature(signed, documents(changed), { trustedPem: pki.caCertPem });
      assert.equal(verdict.valid, false);
      assert.equal(verdict.signatureValid, true);
      assert.deepEqual(verdict.documents, { [UNIQUE_ID]: false });
      assert.deepEqual(verdict.problems, [`${UNIQUE_ID}: the stored bytes do not match the manifest digest`]);
    }
  });

  it('one byte changed in the signature: xmlsec1 fails, and so does the verifier', async () => {
    const tamperings = [
      [
        'manifest digest',
        signed.replace(
          /(<ds:Manifest[^>]*>.*?<ds:DigestValue>)(.)/,
          (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'),
        ),
      ],
      [
        'manifest URI',
        signed.replace(
          UNIQUE_ID,
          UNIQUE_ID.replace(/\d$/, (d) => String((Number(d) + 1) % 10)),
        ),
      ],
      ['signing time', signed.replace('2026-10-14T07:40:00Z', '2026-10-14T07:41:00Z')],
      [
        'signature value',
        signed.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`),
      ],
    ] as const;
    for (const [what, tampered] of tamperings) {
      assert.notEqual(tampered, signed, what);
      assert.equal(Buffer.byteLength(tampered), Buffer.byteLength(signed), `${what}: one byte changed`);
      const result = await xmlsecVerify(pki.dir, `tampered-${what.replace(/ /g, '-')}.xml`, tampered, pki.caCertPath);
      assert.equal(result.ok, false, `${what}: ${result.output}`);
      const verdict = verifyDetachedSignature(tampered, documents(), { trustedPem: pki.caCertPem });
      assert.equal(verdict.signatureValid, false, what);
      assert.equal(verdict.valid, false, what);
    }
  });

  it('names every document of the submission set in one signed manifest, by uniqueId', async () => {
    const credentials = await loadSigningCredentials({ p12Path: pki.p12Path, p12Password: pki.p12Password });
    const second = { uniqueId: 'urn:oid:2.25.42', content: Buffer.from('<x/>') };
    const both = await signSubmissionSet([...documents(), second], credentials, { signingTime: SIGNING_TIME });
    assert.ok((await xmlsecVerify(pki.dir, 'two.xml', both, pki.caCertPath)).ok);
    assert.equal(verifyDetachedSignature(both, [...documents(), second]).valid, true);
    assert.deepEqual(verifyDetachedSignature(both, documents()).problems, [
      'urn:oid:2.25.42 is in the manifest but was not given',
    ]);
  });

  it('is an IHE DSG detached signature: SignedInfo signs the Manifest and the SignedProperties', () => {
    const doc = parse(signed);
    const root = doc.documentElement!;
    assert.equal(root.namespaceURI, XMLDSIG_NS);
    assert.equal(root.localName, 'Signature');
    const references = Array.from(doc.getElementsByTagNameNS(XMLDSIG_NS, 'Reference'));
    assert.deepEqual(
      references.map((r) => [r.getAttribute('URI'), r.getAttribute('Type')]),
      [
        ['#dsg-manifest', 'http://www.w3.org/2000/09/xmldsig#Manifest'],
        ['#signed-properties', 'http://uri.etsi.org/01903#SignedProperties'],
        [UNIQUE_ID, null],
      ],
    );
    const manifestDigest = references[2]!.getElementsByTagNameNS(XMLDSIG_NS, 'DigestValue').item(0)!.textContent;
    assert.equal(manifestDigest, createHash('sha256').update(cdaBytes).digest('base64'));
    const algorithm = (name: string): string | null =>
      doc.getElementsByTagNameNS(XMLDSIG_NS, name).item(0)!.getAttribute('Algorithm');
    assert.equal(algorithm('SignatureMethod'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    assert.equal(algorithm('CanonicalizationMethod'), 'http://www.w3.org/2001/10/xml-exc-c14n#');
    assert.equal(algorithm('DigestMethod'), 'http://www.w3.org/2001/04/xmlenc#sha256');
    assert.ok(!signed.includes('ClinicalDocument'), 'the document is not inside the signature');
  });

  it('carries SigningTime, SigningCertificateV2, the DSG policy and commitment type; the certificate in KeyInfo', () => {
    const doc = parse(signed);
    const xades = (name: string): Element => doc.getElementsByTagNameNS(XADES_NS, name).item(0)!;
    assert.equal(xades('SigningTime').textContent, '2026-10-14T07:40:00Z');
    const certDer = new X509Certificate(pki.certPem).raw;
    const digest = xades('CertDigest').getElementsByTagNameNS(XMLDSIG_NS, 'DigestValue').item(0)!.textContent;
    assert.equal(digest, createHash('sha256').update(certDer).digest('base64'));
    assert.equal(xades('QualifyingProperties').getAttribute('Target'), '#ordo-signature');
    assert.equal(
      xades('SigPolicyId').getElementsByTagNameNS(XADES_NS, 'Identifier').item(0)!.textContent,
      DSG_SIGNATURE_POLICY.identifier,
    );
    assert.equal(
      xades('CommitmentTypeId').getElementsByTagNameNS(XADES_NS, 'Identifier').item(0)!.textContent,
      DSG_COMMITMENT_TYPE.identifier,
    );
    const inKeyInfo = doc.getElementsByTagNameNS(XMLDSIG_NS, 'X509Certificate').item(0)!.textContent;
    assert.ok(Buffer.from(inKeyInfo!, 'base64').equals(certDer));
  });

  it('is deterministic for a given signing time (RSA PKCS#1 v1.5)', async () => {
    const credentials = await loadSigningCredentials({ p12Path: pki.p12Path, p12Password: pki.p12Password });
    assert.equal(await signSubmissionSet(documents(), credentials, { signingTime: SIGNING_TIME }), signed);
  });

  it('refuses a key that does not belong to the certificate, a non-RSA key, a uniqueId that is not urn:oid', async () => {
    const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await assert.rejects(
      signSubmissionSet(documents(), { keyPem: otherRsa, certPem: pki.certPem }),
      /does not match the certificate/,
    );
    await assert.rejects(signSubmissionSet(documents(), { keyPem: ec, certPem: pki.certPem }), /needs an RSA key/);
    await assert.rejects(
      signSubmissionSet([{ uniqueId: '"/><x a="', content: cdaBytes }], { keyPem: pki.keyPem, certPem: pki.certPem }),
      /not a urn:oid/,
    );
  });

  it('the verifier refuses what is not a ds:Signature, and a duplicated Id (signature wrapping)', () => {
    assert.equal(verifyDetachedSignature(cda, documents()).valid, false);
    assert.equal(verifyDetachedSignature('<ds:Signature', documents()).valid, false);
    const wrapped = signed.replace(
      '</ds:Signature>',
      '<ds:Object><ds:Manifest Id="dsg-manifest"/></ds:Object></ds:Signature>',
    );
    const verdict = verifyDetachedSignature(wrapped, documents());
    assert.equal(verdict.signatureValid, false);
    assert.ok(
      verdict.problems.some((p) => /multiple elements with the same value for the ID/.test(p)),
      verdict.problems.join('\n'),
    );
  });
});
