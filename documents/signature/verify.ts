/**
 * Verifying an IHE DSG detached signature of a submission set the way a DMP consumer does
 * (README.md beside this file, "What a consumer checks"), in two halves:
 *
 *  1. the XML signature: every SignedInfo reference (the manifest, the signed properties) digests
 *     to its value, SignatureValue is RSA-SHA256 over the canonical SignedInfo with the key of the
 *     certificate in KeyInfo, that certificate is the one SigningCertificateV2 names and, when
 *     trust anchors are given, chains to one of them — what `xmlsec1 --verify` checks;
 *  2. the manifest: each document retrieved from the store has, in the signed manifest, a
 *     reference whose URI is its uniqueId and whose digest is the SHA-256 of the retrieved bytes —
 *     what no generic XML-DSig verifier does (manifest references are not dereferenced).
 *
 * Pure: the caller retrieves the documents (by the uniqueIds of the manifest) and passes them in.
 */
import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { DOMParser, type Element } from '@xmldom/xmldom';
import {
  DSG_SIGNATURE_POLICY,
  EXC_C14N,
  RSA_SHA256,
  SHA256,
  sha256Base64,
  XADES_NS,
  XMLDSIG_NS,
  type ManifestDocument,
} from './xades';

export interface VerifyOptions {
  /** Trust anchors (PEM certificates); without them the chain is not checked, only the signature. */
  trustedPem?: string;
}

export interface DetachedSignatureVerdict {
  /** Both halves passed. */
  valid: boolean;
  /** The XML signature (half 1) passed. */
  signatureValid: boolean;
  /** uniqueId → whether the retrieved bytes match the manifest digest. */
  documents: Record<string, boolean>;
  /** Why not, one line each (empty when valid). */
  problems: string[];
}

const children = (element: Element, namespace: string, localName: string): Element[] =>
  Array.from(element.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === namespace && (n as Element).localName === localName,
  );
const child = (element: Element | undefined, namespace: string, localName: string): Element | undefined =>
  element ? children(element, namespace, localName)[0] : undefined;
const text = (element: Element | undefined): string => (element?.textContent ?? '').replace(/\s+/g, '');

/**
 * The algorithms this profile signs with (RSA-SHA256 over exclusive C14N, SHA-256 digests): anything
 * weaker is refused before the signature is even checked.
 */
function checkAlgorithms(signedInfo: Element, problems: string[]): void {
  const method = child(signedInfo, XMLDSIG_NS, 'SignatureMethod')?.getAttribute('Algorithm');
  const c14n = child(signedInfo, XMLDSIG_NS, 'CanonicalizationMethod')?.getAttribute('Algorithm');
  if (method !== RSA_SHA256 || c14n !== EXC_C14N)
    problems.push(`SignedInfo: expected RSA-SHA256 over exclusive C14N, got ${method} / ${c14n}`);
  const references = children(signedInfo, XMLDSIG_NS, 'Reference');
  if (references.length === 0) problems.push('SignedInfo has no Reference');
  for (const reference of references) {
    const uri = reference.getAttribute('URI') ?? '';
    if (child(reference, XMLDSIG_NS, 'DigestMethod')?.getAttribute('Algorithm') !== SHA256)
      problems.push(`SignedInfo reference ${uri}: digest method is not SHA-256`);
  }
}

/**
 * The XML signature itself, by xml-crypto's verifier: every SignedInfo reference digests to its value
 * (an Id carried by two elements — signature wrapping — is refused), and SignatureValue verifies with
 * the certificate's key.
 */
function checkXmlSignature(signatureXml: string, root: Element, cert: X509Certificate, problems: string[]): void {
  const signed = new SignedXml({ publicCert: cert.toString() });
  signed.loadSignature(root);
  try {
    if (!signed.checkSignature(signatureXml)) problems.push('the XML signature does not verify (a reference digest)');
  } catch (err) {
    problems.push(`the XML signature does not verify: ${(err as Error).message}`);
  }
}

function chainsToTrusted(cert: X509Certificate, intermediates: X509Certificate[], trustedPem: string): boolean {
  const anchors = (trustedPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    if (anchors.some((a) => current.checkIssued(a) && current.verify(a.publicKey))) return true;
    const issuer = intermediates.find((i) => i !== current && current.checkIssued(i) && current.verify(i.publicKey));
    if (!issuer) return false;
    current = issuer;
  }
  return false;
}

function checkSigner(
  signatureXml: string,
  root: Element,
  signedInfo: Element,
  options: VerifyOptions,
  problems: string[],
): void {
  const certificates = Array.from(root.getElementsByTagNameNS(XMLDSIG_NS, 'X509Certificate')).map(
    (e) => new X509Certificate(Buffer.from(text(e), 'base64')),
  );
  const signingCert = certificates[0];
  if (!signingCert) {
    problems.push('KeyInfo has no X509Certificate');
    return;
  }
  checkAlgorithms(signedInfo, problems);
  if (problems.length > 0) return;
  checkXmlSignature(signatureXml, root, signingCert, problems);
  const certDigest = text(
    Array.from(root.getElementsByTagNameNS(XADES_NS, 'CertDigest'))[0]?.getElementsByTagNameNS(
      XMLDSIG_NS,
      'DigestValue',
    )[0],
  );
  if (certDigest !== sha256Base64(signingCert.raw))
    problems.push('SigningCertificateV2 does not name the certificate in KeyInfo');
  const policy = text(
    Array.from(root.getElementsByTagNameNS(XADES_NS, 'SigPolicyId'))[0]?.getElementsByTagNameNS(
      XADES_NS,
      'Identifier',
    )[0],
  );
  if (policy !== DSG_SIGNATURE_POLICY.identifier)
    problems.push(`signature policy ${policy || '(none)'} is not IHE DSG`);
  if (options.trustedPem !== undefined && !chainsToTrusted(signingCert, certificates.slice(1), options.trustedPem))
    problems.push('the signing certificate does not chain to a trusted certificate');
}

/** The manifest of a signature: uniqueId → SHA-256 (base64), in document order. */
export function manifestDigests(signatureXml: string): Map<string, string> {
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(signatureXml, 'text/xml');
  const manifest = Array.from(doc.getElementsByTagNameNS(XMLDSIG_NS, 'Manifest'))[0];
  const digests = new Map<string, string>();
  for (const reference of manifest ? children(manifest, XMLDSIG_NS, 'Reference') : []) {
    if (child(reference, XMLDSIG_NS, 'DigestMethod')?.getAttribute('Algorithm') !== SHA256) continue;
    digests.set(reference.getAttribute('URI') ?? '', text(child(reference, XMLDSIG_NS, 'DigestValue')));
  }
  return digests;
}

/**
 * Both halves of the verification. `documents` are the documents of the submission set as
 * retrieved (uniqueId + bytes): each must be in the manifest with the digest of those bytes, and
 * the manifest must name no document that was not given.
 */
export function verifyDetachedSignature(
  signatureXml: string,
  documents: readonly ManifestDocument[],
  options: VerifyOptions = {},
): DetachedSignatureVerdict {
  const problems: string[] = [];
  let parseError: string | undefined;
  let root: Element | null = null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') parseError ??= message;
      },
    }).parseFromString(signatureXml, 'text/xml').documentElement;
  } catch (err) {
    parseError = (err as Error).message;
  }
  if (parseError || !root || root.namespaceURI !== XMLDSIG_NS || root.localName !== 'Signature') {
    return {
      valid: false,
      signatureValid: false,
      documents: {},
      problems: [parseError ? `not well-formed XML: ${parseError}` : 'the root element is not ds:Signature'],
    };
  }
  const signedInfo = child(root, XMLDSIG_NS, 'SignedInfo');
  if (!signedInfo) problems.push('no SignedInfo');
  else {
    const manifestSigned = children(signedInfo, XMLDSIG_NS, 'Reference').some(
      (r) => r.getAttribute('Type') === 'http://www.w3.org/2000/09/xmldsig#Manifest',
    );
    if (!manifestSigned) problems.push('SignedInfo does not reference a Manifest');
    try {
      checkSigner(signatureXml, root, signedInfo, options, problems);
    } catch (err) {
      problems.push(`the signature cannot be checked: ${(err as Error).message}`);
    }
  }
  const signatureValid = problems.length === 0;

  const digests = manifestDigests(signatureXml);
  const verdicts: Record<string, boolean> = {};
  for (const d of documents) {
    const expected = digests.get(d.uniqueId);
    verdicts[d.uniqueId] = expected !== undefined && expected === sha256Base64(d.content);
    if (expected === undefined) problems.push(`${d.uniqueId} is not in the signed manifest`);
    else if (!verdicts[d.uniqueId]) problems.push(`${d.uniqueId}: the stored bytes do not match the manifest digest`);
  }
  for (const uniqueId of digests.keys())
    if (!documents.some((d) => d.uniqueId === uniqueId))
      problems.push(`${uniqueId} is in the manifest but was not given`);
  if (digests.size === 0) problems.push('the signature has no manifest reference with a SHA-256 digest');
  return { valid: problems.length === 0, signatureValid, documents: verdicts, problems };
}
