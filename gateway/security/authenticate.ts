/**
 * Bearer token verification: signature against the issuer's JWKS, issuer, audience, lifetime
 * (with the configured clock skew) and an explicit list of asymmetric algorithms — a token
 * signed with `none` or a shared secret (HS*) is refused before any key is looked up.
 */
import type { AuthConfig } from './config';
import { ClaimsError, principalFromClaims } from './claims';
import { jose } from './jose';
import type { Principal } from '../../domain/principal';

export type AuthFailureKind = 'missing' | 'invalid' | 'unavailable';

export class AuthenticationError extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface Authenticator {
  /** The principal of an `Authorization` header value, or an AuthenticationError. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** What the client is told: precise enough to fix a client, never a verification detail an attacker can use. */
function describe(err: unknown): string {
  if (err instanceof ClaimsError) return err.message;
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the access token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `the access token is not valid here (${(err as { claim?: string }).claim ?? 'claim'} check failed)`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the access token is signed with an algorithm this gateway does not accept';
    default:
      return 'the access token is not valid';
  }
}

export function createAuthenticator(config: AuthConfig): Authenticator {
  const jwks = jose.createRemoteJWKSet(new URL(config.jwksUrl), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
  });
  return {
    async authenticate(authorization) {
      if (!authorization)
        throw new AuthenticationError('missing', 'an access token is required (Authorization: Bearer <token>)');
      const match = BEARER.exec(authorization.trim());
      if (!match?.[1]) throw new AuthenticationError('invalid', 'the Authorization header must be "Bearer <token>"');
      let payload;
      try {
        ({ payload } = await jose.jwtVerify(match[1], jwks, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: config.algorithms,
          clockTolerance: config.clockSkewSeconds,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (err) {
        const code = (err as { code?: string }).code;
        // The issuer's keys could not be fetched: not the client's fault.
        if (code === 'ERR_JWKS_TIMEOUT' || (err instanceof TypeError && /fetch/i.test(err.message))) {
          throw new AuthenticationError(
            'unavailable',
            'the identity provider cannot be reached to check the access token; retry later',
          );
        }
        throw new AuthenticationError('invalid', describe(err));
      }
      try {
        return principalFromClaims(payload, config);
      } catch (err) {
        throw new AuthenticationError('invalid', describe(err));
      }
    },
  };
}
