/**
 * Prints an access token signed by the development issuer (dev/token-issuer.ts),
 * for trying the API with curl:
 *
 *   npm run --silent token -- --role prescriber --profession doctor --rpps 99900000110 [--finess 750000001] [--am 751234567] [--ttl 3600]
 *   curl -H "Authorization: Bearer $(npm run --silent token -- --role dispenser --profession pharmacist --rpps 99900000136)" …
 *
 * The key is the one `npm start`'s dev issuer serves (.run/dev-issuer/). Refused when NODE_ENV=production.
 */
import { parseArgs } from 'node:util';
import { isValidAmNumber, isValidRpps } from '../domain/identifiers';
import {
  devIssuerSettings,
  loadOrCreateDevKey,
  ProductionRefusal,
  refuseInProduction,
  signDevToken,
  type DevIdentity,
} from './token-issuer';
import { isRole, ROLES } from '../domain/principal';
import { isProfession, PROFESSIONS } from '../domain/professions';
import { isSpecialtyCode } from '../domain/specialties';

const USAGE = `usage: npm run --silent token -- --role <${ROLES.join('|')}> [--profession <${PROFESSIONS.join('|')}>] [--rpps <11 digits>] [--finess <9>] [--am <9>] [--specialty <TRE_R38 code, e.g. SM54>] [--ttl <seconds>]`;

class UsageError extends Error {}

function identityFrom(values: {
  role?: string;
  profession?: string;
  rpps?: string;
  finess?: string;
  am?: string;
  specialty?: string;
}): DevIdentity {
  const { role, profession, rpps, finess, am, specialty } = values;
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (profession !== undefined && !isProfession(profession))
    throw new UsageError(`--profession must be one of ${PROFESSIONS.join(', ')}`);
  if ((role === 'prescriber' || role === 'dispenser') && (!profession || !rpps))
    throw new UsageError(`a ${role} needs --profession and --rpps`);
  if (rpps !== undefined && !isValidRpps(rpps))
    throw new UsageError('--rpps must be 11 digits with a valid Luhn key (test range: 999…)');
  if (finess !== undefined && !/^[0-9AB]{9}$/.test(finess)) throw new UsageError('--finess must be 9 characters');
  if (am !== undefined && !isValidAmNumber(am)) throw new UsageError('--am must be 9 digits');
  if (specialty !== undefined && !isSpecialtyCode(specialty))
    throw new UsageError('--specialty must be a TRE_R38 code such as SM54 or SCD01');
  return {
    role,
    ...(profession ? { profession } : {}),
    ...(rpps ? { rpps } : {}),
    ...(specialty ? { specialty } : {}),
    ...(finess || am ? { organization: { ...(finess ? { finess } : {}), ...(am ? { am } : {}) } } : {}),
  };
}

async function main(): Promise<void> {
  refuseInProduction('npm run token');
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      profession: { type: 'string' },
      rpps: { type: 'string' },
      finess: { type: 'string' },
      am: { type: 'string' },
      specialty: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    throw new UsageError('--ttl must be a number of seconds from 1 to 86400');
  const identity = identityFrom(values);
  const { issuer, audience } = devIssuerSettings();
  const token = await signDevToken(await loadOrCreateDevKey(), identity, { issuer, audience, ttlSeconds: ttl });
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ProductionRefusal) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(64);
  }
  process.stderr.write(`token: ${(err as Error).message}\n`);
  process.exit(1);
});
