/**
 * IHE DSG **detached** signature of an XDS submission set (IHE ITI TF-3 §5.5, XAdES-BES over
 * XML-DSig): the documents stay as they are published; a separate signature document carries a
 * signed `ds:Manifest` that names each of them by its uniqueId and gives its SHA-256 digest.
 *
 *   ds:Signature Id="ordo-signature"
 *     ds:SignedInfo            exclusive C14N, RSA-SHA256
 *       ds:Reference URI="#dsg-manifest" Type="…xmldsig#Manifest"          exc-C14N, SHA-256
 *       ds:Reference URI="#signed-properties" Type="…01903#SignedProperties" exc-C14N, SHA-256
 *     ds:SignatureValue / ds:KeyInfo (signing certificate, then the chain)
 *     ds:Object  ds:Manifest Id="dsg-manifest"
 *                  ds:Reference URI="urn:oid:<document uniqueId>"  SHA-256 of the stored bytes
 *     ds:Object  xades:QualifyingProperties: SigningTime, SigningCertificateV2,
 *                SignaturePolicyIdentifier (IHE DSG policy), DataObjectFormat, CommitmentTypeIndication
 *
 * A generic XML-DSig verifier (xmlsec1) checks SignedInfo, the manifest as an element and the
 * signed properties, but does not dereference manifest references (XML-DSig core §5.1): the
 * second half of the verification, digest of each stored document against the manifest, is
 * `verifyDetachedSignature` (verify.ts). See README.md beside this file.
 */
import { createHash, createPrivateKey, createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { SigningCredentials } from './credentials';

export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
export const MANIFEST_TYPE = 'http://www.w3.org/2000/09/xmldsig#Manifest';

/** Ids inside the signature document (one signature per document, so fixed names are unique). */
export const SIGNATURE_IDS = {
  signature: 'ordo-signature',
  manifest: 'dsg-manifest',
  manifestReference: 'ref-dsg-manifest',
  signedProperties: 'signed-properties',
} as const;

/**
 * IHE DSG signature policy (ITI TF-3 §5.5: SignaturePolicyIdentifier). IHE publishes no policy
 * document to hash, so SigPolicyHash is the SHA-256 of the identifier itself (XAdES makes the
 * hash mandatory); a verifier checks the identifier.
 */
export const DSG_SIGNATURE_POLICY = {
  identifier: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1',
  description: 'IHE Document Digital Signature (DSG) signature policy',
} as const;

/**
 * ASTM E1762 signature purpose (the CommitmentTypeIndication IHE DSG uses): "Source" — the
 * organisation that sends the submission set attests to its content, as the DMP's signed
 * submission sets do (the prescriber's own signature is the CDA's legalAuthenticator).
 */
export const DSG_COMMITMENT_TYPE = { identifier: 'urn:oid:1.2.840.10065.1.12.1.14', description: 'Source Signature' };

/** One document of the submission set, as it is stored (the bytes a consumer retrieves). */
export interface ManifestDocument {
  /** XDS uniqueId as an RFC 3986 URI: `urn:oid:…` (DocumentReference.masterIdentifier). */
  uniqueId: string;
  content: Buffer;
}

export interface SignOptions {
  /** SigningTime; defaults to the current time (the one place this module reads the clock). */
  signingTime?: Date;
}

/** What a signature needs from the credentials, checked and parsed once per credentials object. */
interface PreparedCredentials {
  key: KeyObject;
  signingCert: X509Certificate;
  /** ds:KeyInfo: the signing certificate first, then the chain for path building. */
  keyInfo: string;
}

const prepared = new WeakMap<SigningCredentials, PreparedCredentials>();

function prepare(credentials: SigningCredentials): PreparedCredentials {
  let ready = prepared.get(credentials);
  if (!ready) {
    const signingCert = new X509Certificate(credentials.certPem);
    const key = createPrivateKey(credentials.keyPem);
    assertRsaKeyMatchesCertificate(key, signingCert);
    const certificates = [
      signingCert,
      ...pemCertificates(credentials.chainPem ?? '').map((pem) => new X509Certificate(pem)),
    ];
    const keyInfo = `<ds:KeyInfo><ds:X509Data>${certificates.map((c) => `<ds:X509Certificate>${c.raw.toString('base64')}</ds:X509Certificate>`).join('')}</ds:X509Data></ds:KeyInfo>`;
    ready = { key, signingCert, keyInfo };
    prepared.set(credentials, ready);
  }
  return ready;
}

const pemCertificates = (pem: string): string[] =>
  pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** SHA-256 of the bytes, base64: the digest a manifest reference carries for a stored document. */
export const sha256Base64 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('base64');

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function manifestXml(documents: readonly ManifestDocument[]): string {
  if (documents.length === 0) throw new RangeError('a submission set signature needs at least one document');
  const reference = (d: ManifestDocument): string => {
    if (!/^urn:oid:[0-2](\.(0|[1-9]\d*))+$/.test(d.uniqueId))
      throw new RangeError(`not a urn:oid: uniqueId: ${d.uniqueId}`);
    return (
      `<ds:Reference URI="${escapeAttribute(d.uniqueId)}">` +
      `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${sha256Base64(d.content)}</ds:DigestValue></ds:Reference>`
    );
  };
  return `<ds:Manifest Id="${SIGNATURE_IDS.manifest}">${documents.map(reference).join('')}</ds:Manifest>`;
}

/**
 * The signature assembled from xml-crypto's exclusive canonicalizer and node's RSA, rather than by
 * xml-crypto's SignedXml (which clones, scans and re-serialises what it signs): the manifest is
 * small, the documents are hashed as bytes, so signing costs one RSA operation and a few digests.
 * Deterministic for given documents, credentials and signing time (RSA PKCS#1 v1.5).
 */
export async function signSubmissionSet(
  documents: readonly ManifestDocument[],
  credentials: SigningCredentials,
  options: SignOptions = {},
): Promise<string> {
  const { key, signingCert, keyInfo } = prepare(credentials);
  const objects =
    `<ds:Object>${manifestXml(documents)}</ds:Object>` +
    `<ds:Object>${qualifyingProperties(signingCert, options.signingTime ?? new Date())}</ds:Object>`;
  // The objects in the very context they will have (children of ds:Signature), parsed once.
  const signature = parseXml(
    `<ds:Signature xmlns:ds="${XMLDSIG_NS}" Id="${SIGNATURE_IDS.signature}">${objects}</ds:Signature>`,
  ).documentElement!;
  const signedInfo = signedInfoXml([
    {
      id: SIGNATURE_IDS.manifestReference,
      uri: `#${SIGNATURE_IDS.manifest}`,
      type: MANIFEST_TYPE,
      digest: digestOf(elementWithId(signature, XMLDSIG_NS, 'Manifest', SIGNATURE_IDS.manifest)),
    },
    {
      uri: `#${SIGNATURE_IDS.signedProperties}`,
      type: SIGNED_PROPERTIES_TYPE,
      digest: digestOf(elementWithId(signature, XADES_NS, 'SignedProperties', SIGNATURE_IDS.signedProperties)),
    },
  ]);
  const canonicalSignedInfo = canonical(
    parseXml(`<ds:Signature xmlns:ds="${XMLDSIG_NS}">${signedInfo}</ds:Signature>`).documentElement!
      .firstChild as Element,
  );
  const value = sign('sha256', Buffer.from(canonicalSignedInfo, 'utf8'), key).toString('base64');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ds:Signature Id="${SIGNATURE_IDS.signature}" xmlns:ds="${XMLDSIG_NS}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}${objects}</ds:Signature>\n`
  );
}

interface Reference {
  id?: string;
  uri: string;
  type: string;
  /** SHA-256 of the exclusive canonical form of the referenced element, base64. */
  digest: string;
}

function signedInfoXml(references: Reference[]): string {
  const reference = (r: Reference): string =>
    `<ds:Reference URI="${r.uri}"${r.id ? ` Id="${r.id}"` : ''} Type="${r.type}">` +
    `<ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${r.digest}</ds:DigestValue></ds:Reference>`;
  return (
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/><ds:SignatureMethod Algorithm="${RSA_SHA256}"/>` +
    references.map(reference).join('') +
    '</ds:SignedInfo>'
  );
}

const canonicalizer = new ExclusiveCanonicalization();
/** Exclusive XML canonicalization without comments (the one transform of both references). */
// xml-crypto types its input with the DOM lib's Element; xmldom's is the same shape.
export const canonical = (element: Element): string => canonicalizer.process(element as never, {});
export const digestOf = (element: Element): string => sha256Base64(Buffer.from(canonical(element), 'utf8'));

export function elementWithId(root: Element, namespace: string, localName: string, id: string): Element {
  const found = Array.from(root.getElementsByTagNameNS(namespace, localName)).find((e) => e.getAttribute('Id') === id);
  if (!found) throw new Error(`no ${localName} with Id ${id} in the signature`);
  return found;
}

/** Parses XML, throwing on any error (what is signed is ours: an error is a bug, not input). */
function parseXml(xml: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`the signature is not well-formed XML: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
}

function qualifyingProperties(cert: X509Certificate, signingTime: Date): string {
  const certDigest = sha256Base64(cert.raw);
  return (
    `<xades:QualifyingProperties xmlns:xades="${XADES_NS}" xmlns:ds="${XMLDSIG_NS}" Target="#${SIGNATURE_IDS.signature}">` +
    `<xades:SignedProperties Id="${SIGNATURE_IDS.signedProperties}">` +
    '<xades:SignedSignatureProperties>' +
    `<xades:SigningTime>${signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z')}</xades:SigningTime>` +
    '<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>' +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${certDigest}</ds:DigestValue>` +
    '</xades:CertDigest></xades:Cert></xades:SigningCertificateV2>' +
    '<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId>' +
    `<xades:Identifier Qualifier="OIDAsURN">${DSG_SIGNATURE_POLICY.identifier}</xades:Identifier>` +
    `<xades:Description>${DSG_SIGNATURE_POLICY.description}</xades:Description>` +
    '</xades:SigPolicyId><xades:SigPolicyHash>' +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${sha256Base64(DSG_SIGNATURE_POLICY.identifier)}</ds:DigestValue>` +
    '</xades:SigPolicyHash></xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>' +
    '</xades:SignedSignatureProperties>' +
    '<xades:SignedDataObjectProperties>' +
    `<xades:DataObjectFormat ObjectReference="#${SIGNATURE_IDS.manifestReference}"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat>` +
    '<xades:CommitmentTypeIndication><xades:CommitmentTypeId>' +
    `<xades:Identifier Qualifier="OIDAsURN">${DSG_COMMITMENT_TYPE.identifier}</xades:Identifier>` +
    `<xades:Description>${DSG_COMMITMENT_TYPE.description}</xades:Description>` +
    '</xades:CommitmentTypeId><xades:AllSignedDataObjects/></xades:CommitmentTypeIndication>' +
    '</xades:SignedDataObjectProperties>' +
    '</xades:SignedProperties></xades:QualifyingProperties>'
  );
}

/** Fail early, with a clear message, on a key that cannot make an RSA-SHA256 signature for this certificate. */
function assertRsaKeyMatchesCertificate(key: KeyObject, cert: X509Certificate): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new RangeError(`the signing key is ${key.asymmetricKeyType ?? 'unknown'}, RSA-SHA256 needs an RSA key`);
  }
  const fromKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const fromCert = cert.publicKey.export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(fromCert)) throw new RangeError('the signing key does not match the certificate');
}
