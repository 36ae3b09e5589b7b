/**
 * A throw-away PKI for signature tests: a root CA, an organisation certificate it issued
 * (digitalSignature + nonRepudiation, like an ANS "certificat de cachet" for a structure) and
 * the same credentials as PEM files and as a PKCS#12 bundle, in a fresh temporary folder.
 * Keys come from node:crypto (fast native RSA), certificates are made with node-forge.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ThrowawayPki {
  dir: string;
  caCertPath: string;
  keyPath: string;
  certPath: string;
  /** CA certificate, to pass as chain. */
  chainPath: string;
  p12Path: string;
  p12Password: string;
  keyPem: string;
  certPem: string;
  caCertPem: string;
  /** A second, unrelated CA: a signature must not verify against it. */
  otherCaCertPath: string;
  cleanup(): Promise<void>;
}

const DAY_MS = 86_400_000;

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function certificate(options: {
  subject: string;
  serial: string;
  publicKey: forge.pki.rsa.PublicKey;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  selfKey?: forge.pki.rsa.PrivateKey;
  ca: boolean;
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.publicKey;
  cert.serialNumber = options.serial;
  // Certificates are checked against the real clock by xmlsec1: valid from yesterday for a year.
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 365 * DAY_MS);
  const subject = [
    { shortName: 'C', value: 'FR' },
    { shortName: 'O', value: 'Ordo Gateway tests (synthetic)' },
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
  cert.sign(options.issuer?.key ?? options.selfKey!, forge.md.sha256.create());
  return cert;
}

function selfSignedCa(name: string, serial: string): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = rsaKeyPair();
  return { cert: certificate({ subject: name, serial, publicKey: keys.publicKey, selfKey: keys.privateKey, ca: true }), key: keys.privateKey };
}

export async function createThrowawayPki(): Promise<ThrowawayPki> {
  const dir = await mkdtemp(join(tmpdir(), 'ordo-pki-'));
  const ca = selfSignedCa('Ordo test root CA', '01');
  const other = selfSignedCa('Unrelated test CA', '02');
  const orgKeys = rsaKeyPair();
  const orgCert = certificate({
    subject: 'Cabinet médical du Parc (fictif) - signature',
    serial: '10',
    publicKey: orgKeys.publicKey,
    issuer: ca,
    ca: false,
  });

  const keyPem = forge.pki.privateKeyToPem(orgKeys.privateKey);
  const certPem = forge.pki.certificateToPem(orgCert);
  const caCertPem = forge.pki.certificateToPem(ca.cert);
  const p12Password = 'throwaway-test-password';
  const p12 = forge.pkcs12.toPkcs12Asn1(orgKeys.privateKey, [orgCert, ca.cert], p12Password, { algorithm: '3des' });

  const paths = {
    caCertPath: join(dir, 'ca.pem'),
    keyPath: join(dir, 'org.key.pem'),
    certPath: join(dir, 'org.cert.pem'),
    chainPath: join(dir, 'chain.pem'),
    p12Path: join(dir, 'org.p12'),
    otherCaCertPath: join(dir, 'other-ca.pem'),
  };
  await Promise.all([
    writeFile(paths.caCertPath, caCertPem),
    writeFile(paths.keyPath, keyPem, { mode: 0o600 }),
    writeFile(paths.certPath, certPem),
    writeFile(paths.chainPath, caCertPem),
    writeFile(paths.p12Path, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), { mode: 0o600 }),
    writeFile(paths.otherCaCertPath, forge.pki.certificateToPem(other.cert)),
  ]);
  return {
    dir,
    ...paths,
    p12Password,
    keyPem,
    certPem,
    caCertPem,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
