/**
 * What a DMP consumer runs on what it retrieved: the IHE DSG detached signature of a submission
 * set and the documents it names (documents/signature/README.md, "What a consumer checks").
 *
 *   node --import tsx scripts/verify-dmp-signature.ts --trusted ca.pem signature.xml \
 *     urn:oid:2.25.…=cda.xml [urn:oid:…=other.xml …]
 *
 * Prints the verdict as JSON; exit 0 when both halves pass (the XML signature, chained to the
 * trusted certificates; every document's SHA-256 equal to its manifest digest), 1 otherwise,
 * 2 on a usage error.
 */
import { readFileSync } from 'node:fs';
import { verifyDetachedSignature } from '../documents/signature';

function main(args: string[]): number {
  const trustedAt = args.indexOf('--trusted');
  const trustedPem = trustedAt >= 0 ? readFileSync(args[trustedAt + 1] ?? '', 'utf8') : undefined;
  const rest = trustedAt >= 0 ? args.filter((_, i) => i !== trustedAt && i !== trustedAt + 1) : args;
  const [signatureFile, ...documentArgs] = rest;
  const documents = documentArgs.map((arg) => {
    const at = arg.indexOf('=');
    return { uniqueId: arg.slice(0, at), content: readFileSync(arg.slice(at + 1)) };
  });
  if (!signatureFile || documents.length === 0 || documents.some((d) => !d.uniqueId.startsWith('urn:oid:'))) {
    process.stderr.write('usage: verify-dmp-signature [--trusted ca.pem] signature.xml urn:oid:<uniqueId>=<file>…\n');
    return 2;
  }
  const verdict = verifyDetachedSignature(
    readFileSync(signatureFile, 'utf8'),
    documents,
    trustedPem !== undefined ? { trustedPem } : {},
  );
  process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  return verdict.valid ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
