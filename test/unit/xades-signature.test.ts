/**
 * XAdES-BES enveloping signature of a CDA document, checked with an independent implementation:
 * xmlsec1 (Debian package xmlsec1) against a throw-away CA.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { buildEpMedDmDocument } from '../../documents/cda/ep-med-dm';
import { oidFromUuid } from '../../documents/cda/document-ids';
import { credentialsFromPkcs12 } from '../../documents/signature/credentials';
import { loadSigningCredentials } from '../../platform/signing-credentials';
import { extractSignedDocument, signXades, XADES_NS, XMLDSIG_NS } from '../../documents/signature/xades';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { qrPng } from '../../documents/qr-code';
import { drugsOnly } from '../fixtures/canonical';
import { createThrowawayPki, type ThrowawayPki } from '../support/throwaway-pki';
import { xmlsecVerify, xmlsecVerifyFile } from '../support/xmlsec';

const SIGNING_TIME = new Date('2026-10-14T07:40:00Z');
const TAMPERED_LABEL = ['LEVOTHYROX 75 microgrammes', 'LEVOTHYROX 76 microgrammes'] as const;

let pki: ThrowawayPki;
let cda: string;
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
  signed = await signXades(cda, credentials, { signingTime: SIGNING_TIME });
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

describe('signXades', () => {
  it('produces a signature xmlsec1 verifies against the issuing CA', async () => {
    const result = await xmlsecVerifyFile(signedPath, pki.caCertPath);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SignedInfo References \(ok\/all\): 2\/2/);
  });

  it('signed with PEM files verifies too', async () => {
    const credentials = await loadSigningCredentials({ keyPath: pki.keyPath, certPath: pki.certPath });
    const result = await xmlsecVerify(
      pki.dir,
      'signed-pem.xml',
      await signXades(cda, credentials, { signingTime: SIGNING_TIME }),
      pki.caCertPath,
    );
    assert.ok(result.ok, result.output);
  });

  it('does not verify against another CA', async () => {
    const result = await xmlsecVerifyFile(signedPath, pki.otherCaCertPath);
    assert.equal(result.ok, false);
  });

  it('fails verification when one character of a drug label in the signed CDA changes', async () => {
    assert.ok(signed.includes(TAMPERED_LABEL[0]));
    const result = await xmlsecVerify(
      pki.dir,
      'tampered-label.xml',
      signed.replace(TAMPERED_LABEL[0], TAMPERED_LABEL[1]),
      pki.caCertPath,
    );
    assert.equal(result.ok, false, result.output);
    assert.match(result.output, /data and digest do not match/);
  });

  it('fails verification when the signing time changes', async () => {
    const result = await xmlsecVerify(
      pki.dir,
      'tampered-time.xml',
      signed.replace('2026-10-14T07:40:00Z', '2026-10-14T07:41:00Z'),
      pki.caCertPath,
    );
    assert.equal(result.ok, false, result.output);
  });

  it('is an enveloping XAdES-BES signature: the CDA sits untouched in a referenced ds:Object', () => {
    const doc = parse(signed);
    const root = doc.documentElement!;
    assert.equal(root.namespaceURI, XMLDSIG_NS);
    assert.equal(root.localName, 'Signature');
    const references = Array.from(doc.getElementsByTagNameNS(XMLDSIG_NS, 'Reference'));
    assert.deepEqual(
      references.map((r) => [r.getAttribute('URI'), r.getAttribute('Type')]),
      [
        ['#cda-document', 'http://www.w3.org/2000/09/xmldsig#Object'],
        ['#signed-properties', 'http://uri.etsi.org/01903#SignedProperties'],
      ],
    );
    const algorithm = (name: string): string | null =>
      doc.getElementsByTagNameNS(XMLDSIG_NS, name).item(0)!.getAttribute('Algorithm');
    assert.equal(algorithm('SignatureMethod'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    assert.equal(algorithm('CanonicalizationMethod'), 'http://www.w3.org/2001/10/xml-exc-c14n#');
    assert.equal(algorithm('DigestMethod'), 'http://www.w3.org/2001/04/xmlenc#sha256');
    assert.equal(extractSignedDocument(signed), cda);
  });

  it('carries SigningTime and the SHA-256 digest of the signing certificate in SignedProperties, and the certificate in KeyInfo', () => {
    const doc = parse(signed);
    const xades = (name: string): Element => doc.getElementsByTagNameNS(XADES_NS, name).item(0)!;
    assert.equal(xades('SigningTime').textContent, '2026-10-14T07:40:00Z');
    const certDer = new X509Certificate(pki.certPem).raw;
    const digest = xades('CertDigest').getElementsByTagNameNS(XMLDSIG_NS, 'DigestValue').item(0)!.textContent;
    assert.equal(digest, createHash('sha256').update(certDer).digest('base64'));
    assert.equal(xades('QualifyingProperties').getAttribute('Target'), '#ordo-signature');
    const inKeyInfo = doc.getElementsByTagNameNS(XMLDSIG_NS, 'X509Certificate').item(0)!.textContent;
    assert.ok(Buffer.from(inKeyInfo!, 'base64').equals(certDer));
  });

  it('is deterministic for a given signing time (RSA PKCS#1 v1.5)', async () => {
    const credentials = await loadSigningCredentials({ p12Path: pki.p12Path, p12Password: pki.p12Password });
    assert.equal(await signXades(cda, credentials, { signingTime: SIGNING_TIME }), signed);
  });

  it('refuses a key that does not belong to the certificate, and a non-RSA key', async () => {
    const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await assert.rejects(signXades(cda, { keyPem: otherRsa, certPem: pki.certPem }), /does not match the certificate/);
    await assert.rejects(signXades(cda, { keyPem: ec, certPem: pki.certPem }), /needs an RSA key/);
  });
});
