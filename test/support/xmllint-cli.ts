/**
 * The independent judge of lgc-xml structure in the tests: Debian's xmllint (libxml2-utils, a native
 * libxml2, not the gateway's WebAssembly one) run on the shipped schema, `xmllint --schema … --noout`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const LGC_XML_XSD = path.join(__dirname, '..', '..', 'profiles', 'vendor-schemas', 'lgc-xml.xsd');

export interface CliVerdict {
  valid: boolean;
  /** What xmllint wrote (stderr). */
  output: string;
}

/** xmllint's verdict on `body` (read from stdin): valid when it exits 0. */
export function xmllintCli(body: Uint8Array, schema = LGC_XML_XSD): CliVerdict {
  const run = spawnSync('xmllint', ['--noout', '--schema', schema, '-'], { input: body, timeout: 120_000 });
  assert.ok(!run.error, `xmllint could not run (Debian package libxml2-utils): ${run.error?.message}`);
  return { valid: run.status === 0, output: run.stderr.toString('utf8') };
}
