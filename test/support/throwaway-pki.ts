/**
 * A throw-away PKI for signature tests, in a fresh temporary folder: a root CA, an organisation
 * certificate it issued, the same credentials as PEM files and as a PKCS#12 bundle, and an
 * unrelated CA. The material comes from dev/signing-credentials.ts (the generator
 * `npm start` also uses for its development certificate).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevelopmentPki, writeDevelopmentPki, type DevelopmentPkiFiles } from '../../dev/signing-credentials';

/** The files the generator wrote, and the PEM text tests compare against. */
export interface ThrowawayPki extends DevelopmentPkiFiles {
  p12Password: string;
  keyPem: string;
  certPem: string;
  caCertPem: string;
  cleanup(): Promise<void>;
}

export async function createThrowawayPki(): Promise<ThrowawayPki> {
  const dir = await mkdtemp(join(tmpdir(), 'ordo-pki-'));
  const pki = createDevelopmentPki({ now: new Date(), p12Password: 'throwaway-test-password' });
  const files = await writeDevelopmentPki(dir, pki);
  return {
    ...files,
    p12Password: pki.p12Password,
    keyPem: pki.keyPem,
    certPem: pki.certPem,
    caCertPem: pki.caCertPem,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
