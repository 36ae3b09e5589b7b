/**
 * XAdES-BES signature of a CDA document, in the IHE DSG style (XAdES over XML-DSig, RSA-SHA256,
 * SHA-256 digests, exclusive C14N, X.509 certificate in KeyInfo, SigningTime +
 * SigningCertificateV2 + CommitmentTypeIndication in SignedProperties).
 *
 * Form: ENVELOPING. CDA_extended.xsd has no place for a ds:Signature inside ClinicalDocument
 * (no xs:any in POCD_MT000040.ClinicalDocument), so an enveloped signature would make the CDA
 * invalid. The result's root is ds:Signature; the CDA, untouched, sits in a ds:Object that
 * SignedInfo references. See documents/signature/README.md.
 */
import { createHash, createPrivateKey, createPublicKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { SigningCredentials } from './credentials';

export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XADES_NS = 'http://uri.etsi.org/01903/v1.3.2#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
const OBJECT_TYPE = 'http://www.w3.org/2000/09/xmldsig#Object';

/** Ids inside the signature document (one signature per document, so fixed names are unique). */
export const SIGNATURE_IDS = {
  signature: 'ordo-signature',
  document: 'cda-document',
  documentReference: 'ref-cda-document',
  signedProperties: 'signed-properties',
} as const;

/** ASTM E1762 / IHE DSG signature purpose: the author's signature. */
const AUTHOR_SIGNATURE_PURPOSE = { oid: '1.2.840.10065.1.12.1.1', description: "Author's Signature" };

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

interface Reference {
  id?: string;
  uri: string;
  type: string;
  /** SHA-256 of the exclusive canonical form of the referenced element, base64. */
  digest: string;
}

/**
 * The signature is assembled here from xml-crypto's exclusive canonicalizer and node's RSA, rather
 * than by xml-crypto's SignedXml: SignedXml deep-clones the whole CDA, scans it with XPath three
 * times and serialises it twice per signature (two thirds of the time); this parses it once.
 * The result has the same form; xmlsec1 verifies it in the tests, and a one-byte change fails.
 */
export async function signXades(
  xml: string,
  credentials: SigningCredentials,
  options: SignOptions = {},
): Promise<string> {
  const { key, signingCert, keyInfo } = prepare(credentials);
  const objects =
    `<ds:Object Id="${SIGNATURE_IDS.document}" MimeType="text/xml">${withoutXmlDeclaration(xml)}</ds:Object>` +
    `<ds:Object>${qualifyingProperties(signingCert, options.signingTime ?? new Date())}</ds:Object>`;
  // The objects in the very context they will have (children of ds:Signature), parsed once.
  const signature = parseXml(
    `<ds:Signature xmlns:ds="${XMLDSIG_NS}" Id="${SIGNATURE_IDS.signature}">${objects}</ds:Signature>`,
  ).documentElement!;
  const signedInfo = signedInfoXml([
    {
      id: SIGNATURE_IDS.documentReference,
      uri: `#${SIGNATURE_IDS.document}`,
      type: OBJECT_TYPE,
      digest: digestOf(elementWithId(signature, XMLDSIG_NS, 'Object', SIGNATURE_IDS.document)),
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
const canonical = (element: Element): string => canonicalizer.process(element as never, {});
const digestOf = (element: Element): string => createHash('sha256').update(canonical(element), 'utf8').digest('base64');

function elementWithId(root: Element, namespace: string, localName: string, id: string): Element {
  const found = Array.from(root.getElementsByTagNameNS(namespace, localName)).find((e) => e.getAttribute('Id') === id);
  if (!found) throw new Error(`no ${localName} with Id ${id} in the signature`);
  return found;
}

/** Parses XML, throwing on any error (the document to sign is ours: an error is a bug, not input). */
function parseXml(xml: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`the document to sign is not well-formed XML: ${message}`);
    },
  }).parseFromString(xml, 'text/xml');
}

/** The signed CDA, as the ds:Object carries it (for storage, display or validation). */
export function extractSignedDocument(signatureXml: string): string {
  const doc = new DOMParser().parseFromString(signatureXml, 'text/xml');
  const objects = doc.getElementsByTagNameNS(XMLDSIG_NS, 'Object');
  for (let i = 0; i < objects.length; i++) {
    const object = objects.item(i)!;
    if (object.getAttribute('Id') !== SIGNATURE_IDS.document) continue;
    for (let child = object.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === child.ELEMENT_NODE) return `<?xml version="1.0" encoding="UTF-8"?>\n${child.toString()}\n`;
    }
  }
  throw new RangeError('no signed document object in this signature');
}

function qualifyingProperties(cert: X509Certificate, signingTime: Date): string {
  const certDigest = createHash('sha256').update(cert.raw).digest('base64');
  return (
    `<xades:QualifyingProperties xmlns:xades="${XADES_NS}" xmlns:ds="${XMLDSIG_NS}" Target="#${SIGNATURE_IDS.signature}">` +
    `<xades:SignedProperties Id="${SIGNATURE_IDS.signedProperties}">` +
    '<xades:SignedSignatureProperties>' +
    `<xades:SigningTime>${signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z')}</xades:SigningTime>` +
    '<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>' +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${certDigest}</ds:DigestValue>` +
    '</xades:CertDigest></xades:Cert></xades:SigningCertificateV2>' +
    '</xades:SignedSignatureProperties>' +
    '<xades:SignedDataObjectProperties>' +
    `<xades:DataObjectFormat ObjectReference="#${SIGNATURE_IDS.documentReference}"><xades:MimeType>text/xml</xades:MimeType></xades:DataObjectFormat>` +
    '<xades:CommitmentTypeIndication><xades:CommitmentTypeId>' +
    `<xades:Identifier Qualifier="OIDAsURN">urn:oid:${AUTHOR_SIGNATURE_PURPOSE.oid}</xades:Identifier>` +
    `<xades:Description>${AUTHOR_SIGNATURE_PURPOSE.description}</xades:Description>` +
    '</xades:CommitmentTypeId><xades:AllSignedDataObjects/></xades:CommitmentTypeIndication>' +
    '</xades:SignedDataObjectProperties>' +
    '</xades:SignedProperties></xades:QualifyingProperties>'
  );
}

const withoutXmlDeclaration = (xml: string): string => xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '');

/** Fail early, with a clear message, on a key that cannot make an RSA-SHA256 signature for this certificate. */
function assertRsaKeyMatchesCertificate(key: KeyObject, cert: X509Certificate): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new RangeError(`the signing key is ${key.asymmetricKeyType ?? 'unknown'}, RSA-SHA256 needs an RSA key`);
  }
  const fromKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const fromCert = cert.publicKey.export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(fromCert)) throw new RangeError('the signing key does not match the certificate');
}
