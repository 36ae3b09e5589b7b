/**
 * Access tokens for tests. One development issuer per test process (an in-memory ES256 key,
 * its JWKS on a loopback ephemeral port), the same code as `npm run token` and the dev issuer
 * of `npm start`: tests exercise the real verification path, keys fetched over HTTP included.
 *
 *   const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps });
 *   await request(app).get(`/prescriptions/${n}`).set('authorization', auth);
 */
import {
  DEFAULT_BIOLOGY_SAVOIR_FAIRE,
  DEFAULT_CLAIMS,
  ALLOWED_ALGORITHMS,
  type SecurityConfig,
} from '../../gateway/security/config';
import {
  generateDevKey,
  signDevToken,
  startDevIssuer,
  type DevIdentity,
  type RunningDevIssuer,
  type SignOptions,
} from '../../dev/token-issuer';
import { syntheticRpps } from './synthetic';

/**
 * Who a token names; a prescriber or dispenser without `rpps` or `profession` gets them filled in
 * (completeIdentity).
 */
export type TestIdentity = DevIdentity;

export const TEST_AUDIENCE = 'ordo-gateway-test';

let issuer: Promise<RunningDevIssuer> | undefined;

/** The process-wide test issuer (started on first use; it does not keep the process alive). */
export function testIssuer(): Promise<RunningDevIssuer> {
  issuer ??= (async () => {
    const running = await startDevIssuer(await generateDevKey());
    running.unref();
    return running;
  })();
  return issuer;
}

/** The security configuration of a test gateway: trusts the test issuer only. */
export async function testSecurityConfig(
  overrides: Partial<SecurityConfig['lookupLimit']> = {},
): Promise<SecurityConfig> {
  const running = await testIssuer();
  return {
    auth: {
      issuer: running.issuer,
      jwksUrl: running.jwksUrl,
      audience: TEST_AUDIENCE,
      clockSkewSeconds: 5,
      algorithms: [...ALLOWED_ALGORITHMS],
      claims: { ...DEFAULT_CLAIMS },
      biologySavoirFaire: [...DEFAULT_BIOLOGY_SAVOIR_FAIRE],
    },
    lookupLimit: { points: 30, windowSeconds: 60, missCost: 2, ...overrides },
  };
}

/** Fills in what a prescriber or dispenser needs: an RPPS, and a profession matching the role. */
export function completeIdentity(identity: TestIdentity): DevIdentity {
  const needsRpps = identity.role === 'prescriber' || identity.role === 'dispenser';
  const profession =
    identity.profession ??
    (identity.role === 'prescriber' ? 'doctor' : identity.role === 'dispenser' ? 'pharmacist' : undefined);
  return {
    role: identity.role,
    ...(profession ? { profession } : {}),
    ...(identity.rpps || needsRpps ? { rpps: identity.rpps ?? syntheticRpps() } : {}),
    ...(identity.specialty ? { specialty: identity.specialty } : {}),
    ...(identity.organization ? { organization: identity.organization } : {}),
  };
}

/** A raw token; options let tests make expired or wrong-audience/issuer tokens. */
export async function tokenFor(identity: TestIdentity, options: Partial<SignOptions> = {}): Promise<string> {
  const running = await testIssuer();
  return signDevToken(running.key, completeIdentity(identity), {
    issuer: running.issuer,
    audience: TEST_AUDIENCE,
    ...options,
  });
}

/** `Bearer <jwt>` for an Authorization header, signed by the test issuer. */
export async function bearerFor(identity: TestIdentity, options: Partial<SignOptions> = {}): Promise<string> {
  return `Bearer ${await tokenFor(identity, options)}`;
}

/** `Bearer <jwt>` for the doctor with this RPPS; without one, a synthetic doctor who signed nothing. */
export function prescriberBearer(rpps?: string): Promise<string> {
  return bearerFor({ role: 'prescriber', profession: 'doctor', rpps: rpps ?? syntheticRpps() });
}
