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
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { DOMParser } from '@xmldom/xmldom';
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
  /** KeyInfo: the signing certificate first, then the chain for path building. */
  publicCert: string;
}

const prepared = new WeakMap<SigningCredentials, PreparedCredentials>();

function prepare(credentials: SigningCredentials): PreparedCredentials {
  let ready = prepared.get(credentials);
  if (!ready) {
    const signingCert = new X509Certificate(credentials.certPem);
    const key = createPrivateKey(credentials.keyPem);
    assertRsaKeyMatchesCertificate(key, signingCert);
    ready = { key, signingCert, publicCert: [credentials.certPem.trim(), credentials.chainPem?.trim()].filter(Boolean).join('\n') };
    prepared.set(credentials, ready);
  }
  return ready;
}

export async function signXades(xml: string, credentials: SigningCredentials, options: SignOptions = {}): Promise<string> {
  const { key, signingCert, publicCert } = prepare(credentials);
  const signer = new SignedXml({
    privateKey: key,
    publicCert,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    objects: [
      { content: withoutXmlDeclaration(xml), attributes: { Id: SIGNATURE_IDS.document, MimeType: 'text/xml' } },
      { content: qualifyingProperties(signingCert, options.signingTime ?? new Date()) },
    ],
  });
  // Anchored paths (carrier/Signature/Object[/QualifyingProperties/SignedProperties]): a `//*`
  // search would walk every node of the CDA, twice per signature.
  signer.addReference({
    xpath: `/*/*/*[@Id='${SIGNATURE_IDS.document}']`,
    id: SIGNATURE_IDS.documentReference,
    type: OBJECT_TYPE,
    transforms: [EXC_C14N],
    digestAlgorithm: SHA256,
  });
  signer.addReference({
    xpath: `/*/*/*/*/*[@Id='${SIGNATURE_IDS.signedProperties}']`,
    type: SIGNED_PROPERTIES_TYPE,
    transforms: [EXC_C14N],
    digestAlgorithm: SHA256,
  });
  // xml-crypto inserts a signature into a document; for an enveloping one, give it an empty
  // carrier and keep only the ds:Signature it builds (its objects hold the content).
  signer.computeSignature('<carrier/>', { prefix: 'ds', attrs: { Id: SIGNATURE_IDS.signature } });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${signer.getSignatureXml()}\n`;
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
