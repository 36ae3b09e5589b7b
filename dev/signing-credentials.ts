/**
 * A throw-away PKI for development and tests: a root CA and an organisation certificate it
 * issued (digitalSignature + nonRepudiation, like an ANS "certificat de cachet" for a structure),
 * as PEM and as a PKCS#12 bundle. NEVER for production: the CA is self-made and its key is
 * thrown away with the folder.
 *
 * `createDevelopmentPki` makes the material in memory (keys from node:crypto — fast native RSA —,
 * certificates with node-forge; the validity window starts from the `now` given), and
 * `writeDevelopmentPki` puts it in a folder, so that the worker can load it like real credentials.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

export interface DevelopmentPki {
  keyPem: string;
  certPem: string;
  caCertPem: string;
  /** A second, unrelated CA: a signature must not verify against it. */
  otherCaCertPem: string;
  /** PKCS#12 bundle (DER) with the key, the certificate and the CA certificate. */
  p12Der: Buffer;
  p12Password: string;
}

export interface DevelopmentPkiFiles {
  dir: string;
  caCertPath: string;
  keyPath: string;
  certPath: string;
  /** CA certificate, to pass as chain. */
  chainPath: string;
  p12Path: string;
  otherCaCertPath: string;
}

export interface DevelopmentPkiOptions {
  /** Start of the validity window is one day before this instant; it lasts a year. */
  now: Date;
  /** Subject CN of the organisation certificate. */
  organisation?: string;
  p12Password?: string;
}

const DAY_MS = 86_400_000;

interface KeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

function rsaKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

interface CertificateOptions {
  subject: string;
  serial: string;
  publicKey: forge.pki.rsa.PublicKey;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  selfKey?: forge.pki.rsa.PrivateKey;
  ca: boolean;
  now: Date;
}

function certificate(options: CertificateOptions): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = options.serial;
  // Verifiers (xmlsec1) check certificates against the real clock: valid from yesterday for a year.
  cert.validity.notBefore = new Date(options.now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(options.now.getTime() + 365 * DAY_MS);
  const subject = [
    { shortName: 'C', value: 'FR' },
    { shortName: 'O', value: 'Ordo Gateway development (synthetic)' },
    { shortName: 'CN', value: options.subject },
  ];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject);
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ],
  );
  const signer = options.issuer?.key ?? options.selfKey;
  if (!signer) throw new RangeError('a certificate needs an issuer key or its own key');
  cert.sign(signer, forge.md.sha256.create());
  return cert;
}

function selfSignedCa(
  name: string,
  serial: string,
  now: Date,
): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = rsaKeyPair();
  return {
    cert: certificate({ subject: name, serial, publicKey: keys.publicKey, selfKey: keys.privateKey, ca: true, now }),
    key: keys.privateKey,
  };
}

export function createDevelopmentPki(options: DevelopmentPkiOptions): DevelopmentPki {
  const { now } = options;
  const ca = selfSignedCa('Ordo development root CA', '01', now);
  const other = selfSignedCa('Unrelated development CA', '02', now);
  const orgKeys = rsaKeyPair();
  const orgCert = certificate({
    subject: options.organisation ?? 'Cabinet médical du Parc (fictif) - signature',
    serial: '10',
    publicKey: orgKeys.publicKey,
    issuer: ca,
    ca: false,
    now,
  });
  const p12Password = options.p12Password ?? 'throwaway-development-password';
  const p12 = forge.pkcs12.toPkcs12Asn1(orgKeys.privateKey, [orgCert, ca.cert], p12Password, { algorithm: '3des' });
  return {
    keyPem: forge.pki.privateKeyToPem(orgKeys.privateKey),
    certPem: forge.pki.certificateToPem(orgCert),
    caCertPem: forge.pki.certificateToPem(ca.cert),
    otherCaCertPem: forge.pki.certificateToPem(other.cert),
    p12Der: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'),
    p12Password,
  };
}

/** Writes the material as files in `dir` (created if needed); private keys are readable by the owner only. */
export async function writeDevelopmentPki(dir: string, pki: DevelopmentPki): Promise<DevelopmentPkiFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files: DevelopmentPkiFiles = {
    dir,
    caCertPath: join(dir, 'ca.pem'),
    keyPath: join(dir, 'org.key.pem'),
    certPath: join(dir, 'org.cert.pem'),
    chainPath: join(dir, 'chain.pem'),
    p12Path: join(dir, 'org.p12'),
    otherCaCertPath: join(dir, 'other-ca.pem'),
  };
  await Promise.all([
    writeFile(files.caCertPath, pki.caCertPem),
    writeFile(files.keyPath, pki.keyPem, { mode: 0o600 }),
    writeFile(files.certPath, pki.certPem),
    writeFile(files.chainPath, pki.caCertPem),
    writeFile(files.p12Path, pki.p12Der, { mode: 0o600 }),
    writeFile(files.otherCaCertPath, pki.otherCaCertPem),
  ]);
  return files;
}
