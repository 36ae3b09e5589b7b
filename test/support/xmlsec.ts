/**
 * Checking XAdES signatures with an independent implementation: xmlsec1 (Debian package
 * xmlsec1), so that a test does not trust the gateway's own signing code to judge itself.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface XmlsecResult {
  ok: boolean;
  output: string;
}

export interface XmlsecOptions {
  /**
   * Where xmlsec1 reads the documents a ds:Manifest names (`--url-map:<uri> <file>`): with it,
   * xmlsec1 digests the stored bytes itself and checks them against the manifest. Without it the
   * manifest is not processed (`--ignore-manifests`): a uniqueId is not a URL xmlsec1 can open.
   */
  urlMap?: Record<string, string>;
}

const manifestArgs = (options: XmlsecOptions): string[] =>
  options.urlMap
    ? Object.entries(options.urlMap).flatMap(([uri, file]) => [`--url-map:${uri}`, file])
    : ['--ignore-manifests'];

/**
 * xmlsec1 --verify: exit 0 only when every reference digest and the signature value check out and the
 * certificate chains to the trusted CA.
 */
export function xmlsecVerifyFile(file: string, trustedPem: string, options: XmlsecOptions = {}): Promise<XmlsecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'xmlsec1',
      ['--verify', ...manifestArgs(options), '--trusted-pem', trustedPem, file],
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`cannot run xmlsec1 (Debian package xmlsec1): ${error.message}`));
          return;
        }
        resolve({ ok: !error, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Writes `signed` to `dir/name` (xmlsec1 reads files), then verifies it as xmlsecVerifyFile does. */
export async function xmlsecVerify(
  dir: string,
  name: string,
  signed: Buffer | string,
  trustedPem: string,
  options: XmlsecOptions = {},
): Promise<XmlsecResult> {
  const file = join(dir, name);
  await writeFile(file, signed);
  return xmlsecVerifyFile(file, trustedPem, options);
}
