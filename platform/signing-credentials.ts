/** Signing credentials read from files: a PKCS#12 bundle, or PEM key + certificate (+ chain). */
import { readFile } from 'node:fs/promises';
import { credentialsFromPkcs12, type SigningCredentials } from '../documents/signature';

export type CredentialSource =
  { p12Path: string; p12Password: string } | { keyPath: string; certPath: string; chainPath?: string };

export async function loadSigningCredentials(source: CredentialSource): Promise<SigningCredentials> {
  if ('p12Path' in source) return credentialsFromPkcs12(await readFile(source.p12Path), source.p12Password);
  const [keyPem, certPem, chainPem] = await Promise.all([
    readFile(source.keyPath, 'utf8'),
    readFile(source.certPath, 'utf8'),
    source.chainPath === undefined ? undefined : readFile(source.chainPath, 'utf8'),
  ]);
  return chainPem === undefined ? { keyPem, certPem } : { keyPem, certPem, chainPem };
}
