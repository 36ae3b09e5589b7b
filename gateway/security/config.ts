/**
 * Security configuration (authentication, claim mapping, lookup throttling), read from the
 * environment with the same EnvReader as the rest of the gateway and validated at start-up.
 *
 *   AUTH_ISSUER              `iss` the access tokens must carry (the OpenID Connect provider)
 *   AUTH_JWKS_URL            where the provider publishes its signing keys (https in production)
 *   AUTH_AUDIENCE            `aud` the tokens must carry (this gateway's client id)
 *   AUTH_CLOCK_SKEW_SECONDS  tolerance on exp/nbf/iat (default 30)
 *   AUTH_ALGORITHMS          accepted JWS algorithms, subset of RS256,ES256,PS256 (default all three)
 *   AUTH_CLAIM_NATIONAL_ID, AUTH_CLAIM_REF_PRO, AUTH_CLAIM_ROLE, AUTH_CLAIM_AM: claim names (claims.ts)
 *   AUTH_BIOLOGY_SAVOIR_FAIRE  codeSavoirFaire values that make a doctor or pharmacist a biologist
 *   CONSOLE_CLIENT_ID / CONSOLE_CLIENT_SECRET / CONSOLE_SCOPE: the audit console's OpenID Connect client
 *                            (default: AUTH_AUDIENCE, no secret, "openid")
 *   LOOKUP_LIMIT_POINTS / LOOKUP_LIMIT_WINDOW_SECONDS / LOOKUP_LIMIT_MISS_COST: number lookups
 *                            per professional per window (default 30 per 60 s, a miss costs 2)
 */
import { ConfigError, EnvReader } from '../../platform/config';

/** Asymmetric algorithms only: never `none`, never a shared-secret HS* algorithm. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'PS256'] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export interface ClaimNames {
  /** idNatPs of the user ("8" + RPPS for RPPS-registered professionals). PSC: `SubjectNameID`. */
  nationalId: string;
  /** PSC's professional record: `{ exercices: [{ codeProfession, codeSavoirFaire, activities: [...] }] }`. */
  refPro: string;
  /** The gateway role granted to the user (prescriber, dispenser, auditor, operator); not a PSC claim. */
  role: string;
  /** Numéro Assurance Maladie of the practice; not a PSC claim. */
  am: string;
}

export interface AuthConfig {
  issuer: string;
  jwksUrl: string;
  audience: string;
  clockSkewSeconds: number;
  algorithms: AllowedAlgorithm[];
  claims: ClaimNames;
  biologySavoirFaire: string[];
}

export interface LookupLimitConfig {
  /** Points per professional per window; a lookup costs 1, a lookup that finds nothing costs `missCost`. */
  points: number;
  windowSeconds: number;
  missCost: number;
}

/** The audit console's OpenID Connect client (gateway/console): a confidential client when it has a secret. */
export interface ConsoleClientConfig {
  clientId: string;
  clientSecret?: string;
  scope: string;
}

export interface SecurityConfig {
  auth: AuthConfig;
  lookupLimit: LookupLimitConfig;
  /** Default: client id = the audience, scope "openid", no secret (consoleClientConfigOf). */
  console?: ConsoleClientConfig;
}

/** The console's client settings, the defaults filled in. */
export const consoleClientConfigOf = (security: Pick<SecurityConfig, 'auth' | 'console'>): ConsoleClientConfig =>
  security.console ?? { clientId: security.auth.audience, scope: 'openid' };

export const DEFAULT_CLAIMS: ClaimNames = {
  nationalId: 'SubjectNameID',
  refPro: 'SubjectRefPro',
  role: 'ordo_role',
  am: 'ordo_am',
};

/**
 * TRE_R38 "Biologie médicale" (doctors); check against the NOS in force and override with
 * AUTH_BIOLOGY_SAVOIR_FAIRE.
 */
export const DEFAULT_BIOLOGY_SAVOIR_FAIRE = ['SM03'];

type Env = Record<string, string | undefined>;

function list(read: EnvReader, env: Env, name: string, fallback: string[]): string[] {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length === 0) read.problems.push(`${name} must list at least one value`);
  return values;
}

export function readSecurityConfig(read: EnvReader, env: Env): SecurityConfig {
  const production = (env.NODE_ENV ?? '').trim() === 'production';
  const jwksUrl = read.url('AUTH_JWKS_URL', production ? ['https:'] : ['http:', 'https:']);
  const algorithms = list(read, env, 'AUTH_ALGORITHMS', [...ALLOWED_ALGORITHMS]);
  for (const alg of algorithms) {
    if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
      read.problems.push(`AUTH_ALGORITHMS may only contain ${ALLOWED_ALGORITHMS.join(', ')}, got "${alg}"`);
    }
  }
  const audience = read.string('AUTH_AUDIENCE');
  const clientSecret = env.CONSOLE_CLIENT_SECRET?.trim();
  return {
    auth: {
      issuer: read.string('AUTH_ISSUER'),
      jwksUrl,
      audience,
      clockSkewSeconds: read.integer('AUTH_CLOCK_SKEW_SECONDS', 30, 0, 300),
      algorithms: algorithms.filter((a): a is AllowedAlgorithm =>
        (ALLOWED_ALGORITHMS as readonly string[]).includes(a),
      ),
      claims: {
        nationalId: read.string('AUTH_CLAIM_NATIONAL_ID', DEFAULT_CLAIMS.nationalId),
        refPro: read.string('AUTH_CLAIM_REF_PRO', DEFAULT_CLAIMS.refPro),
        role: read.string('AUTH_CLAIM_ROLE', DEFAULT_CLAIMS.role),
        am: read.string('AUTH_CLAIM_AM', DEFAULT_CLAIMS.am),
      },
      biologySavoirFaire: list(read, env, 'AUTH_BIOLOGY_SAVOIR_FAIRE', DEFAULT_BIOLOGY_SAVOIR_FAIRE),
    },
    lookupLimit: {
      points: read.integer('LOOKUP_LIMIT_POINTS', 30, 1, 100_000),
      windowSeconds: read.integer('LOOKUP_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      missCost: read.integer('LOOKUP_LIMIT_MISS_COST', 2, 1, 100),
    },
    console: {
      clientId: read.string('CONSOLE_CLIENT_ID', audience),
      ...(clientSecret ? { clientSecret } : {}),
      scope: read.string('CONSOLE_SCOPE', 'openid'),
    },
  };
}

export function loadSecurityConfig(env: Env = process.env): SecurityConfig {
  const read = new EnvReader(env);
  const config = readSecurityConfig(read, env);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
