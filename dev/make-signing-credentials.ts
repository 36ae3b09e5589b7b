/**
 * `npm start` without signing credentials: makes (or keeps, while it has a week of validity left)
 * a throw-away development certificate for the DMP worker in the folder given (default
 * .run/dev-signing). Refused when NODE_ENV is production: there, real credentials are required
 * (DMP_SIGNING_P12 or DMP_SIGNING_KEY + DMP_SIGNING_CERT, queue/dmp/config.ts).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createDevelopmentPki, writeDevelopmentPki } from './signing-credentials';

const WEEK_MS = 7 * 86_400_000;

async function stillValid(certPath: string, now: Date): Promise<boolean> {
  try {
    const cert = new X509Certificate(await readFile(certPath));
    return new Date(cert.validTo).getTime() - now.getTime() > WEEK_MS;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production')
    throw new Error(
      'development signing credentials are refused in production; set DMP_SIGNING_P12 or DMP_SIGNING_KEY + DMP_SIGNING_CERT',
    );
  const dir = resolve(process.argv[2] ?? '.run/dev-signing');
  const now = new Date();
  if (await stillValid(join(dir, 'org.cert.pem'), now)) {
    process.stdout.write(`development signing certificate kept: ${dir}\n`);
    return;
  }
  await writeDevelopmentPki(
    dir,
    createDevelopmentPki({ now, organisation: 'Ordo Gateway development signature (NOT FOR PRODUCTION)' }),
  );
  process.stdout.write(`development signing certificate made: ${dir} (throw-away CA, never for production)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`dev-signing-credentials: ${(err as Error).message}\n`);
  process.exit(1);
});
