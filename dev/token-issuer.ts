/**
 * Development token issuer: a stand-in for Pro Santé Connect on a developer's machine and in
 * tests. It owns one ES256 key pair (persisted under .run/dev-issuer/, gitignored), publishes
 * the public key as a JWKS on loopback, and signs access tokens carrying the same claims as
 * PSC (see claims.ts). It refuses to run when NODE_ENV=production.
 *
 *   node --import tsx dev/token-issuer.ts   serves http://127.0.0.1:$DEV_ISSUER_PORT (3002)
 *   npm run token -- --role prescriber --profession doctor --rpps 99900000110   (dev/token.ts)
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { idNatPsFromRpps } from '../domain/identifiers';
import { jose, type CryptoKey, type JWK, type JWTPayload } from '../gateway/security/jose';
import { g15CodeFor, PHARMACIST_BIOLOGY_SECTION } from '../gateway/security/claims';
import { DEFAULT_CLAIMS, type ClaimNames } from '../gateway/security/config';
import type { Role } from '../domain/principal';
import type { Profession } from '../domain/professions';
import { ConfigError, EnvReader } from '../platform/config';
import { AUTHORIZE_PATH, authorizationEndpoints, TOKEN_PATH } from './authorization-endpoint';

export const DEV_ISSUER_ALG = 'ES256';
export const DEV_ISSUER_DEFAULT_PORT = 3002;
export const DEV_AUDIENCE = 'ordo-gateway';
export const DEV_KEY_DIR = path.join(__dirname, '..', '.run', 'dev-issuer');
export const JWKS_PATH = '/.well-known/jwks.json';

export interface DevIdentity {
  role: Role;
  profession?: Profession;
  /** A TRE_R38 specialty code (SM54…), emitted as the exercice's spécialité ordinale savoir-faire. */
  specialty?: string;
  /** 11 digits; the token's SubjectNameID is "8" + rpps. */
  rpps?: string;
  organization?: { finess?: string; am?: string };
}

export interface DevKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
}

export class ProductionRefusal extends Error {
  constructor(what: string) {
    super(`${what} is a development tool and refuses to run with NODE_ENV=production`);
    this.name = 'ProductionRefusal';
  }
}

export function refuseInProduction(what: string, env: Record<string, string | undefined> = process.env): void {
  if ((env.NODE_ENV ?? '').trim() === 'production') throw new ProductionRefusal(what);
}

/** A fresh key pair, in memory (tests use one per process). */
export async function generateDevKey(): Promise<DevKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(DEV_ISSUER_ALG, { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(publicJwk);
  return { privateKey, publicJwk: { ...publicJwk, kid, alg: DEV_ISSUER_ALG, use: 'sig' }, kid };
}

/** The persisted key pair of this checkout, created on first use (file mode 0600). */
export async function loadOrCreateDevKey(dir = DEV_KEY_DIR): Promise<DevKey> {
  const file = path.join(dir, 'private-key.jwk.json');
  try {
    const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    const privateKey = (await jose.importJWK(jwk, DEV_ISSUER_ALG, { extractable: true })) as CryptoKey;
    const { d: _d, ...publicPart } = jwk;
    const kid = await jose.calculateJwkThumbprint(publicPart);
    return { privateKey, publicJwk: { ...publicPart, kid, alg: DEV_ISSUER_ALG, use: 'sig' }, kid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = await generateDevKey();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(await jose.exportJWK(key.privateKey)), { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    },
  );
  // Another process may have won the race to create the file: always use what is on disk.
  return loadOrCreateDevKey(dir);
}

/** The PSC-shaped claims of an identity (SubjectNameID, SubjectRefPro, plus the gateway's role and AM claims). */
export function pscClaims(identity: DevIdentity, claims: ClaimNames = DEFAULT_CLAIMS): JWTPayload {
  const payload: JWTPayload = { [claims.role]: identity.role };
  // Staff without an RPPS (auditors, operators) get a structure-based idNatPs: "3" + FINESS + "/" + local id.
  const nationalId = identity.rpps
    ? idNatPsFromRpps(identity.rpps)
    : `3${identity.organization?.finess ?? '999999999'}/${identity.role.toUpperCase()}`;
  payload[claims.nationalId] = nationalId;
  payload.preferred_username = nationalId;
  if (identity.profession) {
    const biologist = identity.profession === 'biologist';
    payload[claims.refPro] = {
      codeCivilite: '',
      exercices: [
        {
          codeProfession: g15CodeFor(identity.profession),
          codeCategorieProfessionnelle: 'C',
          codeSavoirFaire: identity.specialty ?? '',
          codeTypeSavoirFaire: identity.specialty ? 'S' : '',
          activities: [
            {
              codeModeExercice: 'L',
              codeSectionPharmacien: biologist ? PHARMACIST_BIOLOGY_SECTION : '',
              numeroFinessSite: identity.organization?.finess ?? '',
              raisonSocialeSite: 'Structure de test (synthetic)',
            },
          ],
        },
      ],
    };
  }
  if (identity.organization?.am) payload[claims.am] = identity.organization.am;
  return payload;
}

export interface SignOptions {
  issuer: string;
  audience: string;
  /** Lifetime in seconds (default 3600). */
  ttlSeconds?: number;
  /** Issue time (default now); tests pass a past time to make an expired token. */
  issuedAt?: Date;
  subject?: string;
  claimNames?: ClaimNames;
}

export async function signDevToken(key: DevKey, identity: DevIdentity, options: SignOptions): Promise<string> {
  const iat = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  const subject =
    options.subject ?? `f:${randomUUID()}:${identity.rpps ? idNatPsFromRpps(identity.rpps) : identity.role}`;
  return new jose.SignJWT(pscClaims(identity, options.claimNames))
    .setProtectedHeader({ alg: DEV_ISSUER_ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(subject)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export interface RunningDevIssuer {
  /** The issuer identifier (`iss`): http(s)://127.0.0.1:<port>. */
  issuer: string;
  jwksUrl: string;
  port: number;
  key: DevKey;
  /** How many times the JWKS was served (tests use it to see key fetches). */
  jwksRequests(): number;
  /** Lets the process exit while the issuer still listens (tests share one issuer per process). */
  unref(): void;
  close(): Promise<void>;
}

/** A certificate and its key (PEM) for an issuer served over https. */
export interface IssuerTls {
  key: string;
  cert: string;
}

/**
 * Serves the JWKS and a minimal discovery document on loopback (port 0: an ephemeral one), over
 * https when `tls` is given (a gateway with NODE_ENV=production fetches keys over https only).
 */
export async function startDevIssuer(
  key: DevKey,
  port = 0,
  host = '127.0.0.1',
  tls?: IssuerTls,
): Promise<RunningDevIssuer> {
  let jwksRequests = 0;
  let issuer = '';
  const ttlSeconds = 3600;
  // The authorization code flow of the audit console's sign-in (dev/authorization-endpoint.ts).
  const codeFlow = authorizationEndpoints(async (identity, audience) => ({
    token: await signDevToken(key, identity, { issuer, audience, ttlSeconds }),
    expiresIn: ttlSeconds,
  }));
  const listener: RequestListener = (req, res) => {
    const url = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && url === JWKS_PATH) {
      jwksRequests++;
      // connection: close, so that an idle keep-alive socket never holds a test process open.
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300', connection: 'close' });
      res.end(JSON.stringify({ keys: [key.publicJwk] }));
      return;
    }
    if (req.method === 'GET' && url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}${JWKS_PATH}`,
          authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
          token_endpoint: `${issuer}${TOKEN_PATH}`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
          id_token_signing_alg_values_supported: [DEV_ISSUER_ALG],
        }),
      );
      return;
    }
    void codeFlow.handle(req, res, url).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  };
  const server: Server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  issuer = `${tls ? 'https' : 'http'}://${host}:${actual}`;
  return {
    issuer,
    jwksUrl: `${issuer}${JWKS_PATH}`,
    port: actual,
    key,
    jwksRequests: () => jwksRequests,
    unref: () => void server.unref(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface DevIssuerSettings {
  port: number;
  /** AUTH_ISSUER when set (the gateway's issuer), else the development issuer on loopback. */
  issuer: string;
  audience: string;
}

/** The development issuer's settings, read with the platform's validated reader. */
export function devIssuerSettings(env: Record<string, string | undefined> = process.env): DevIssuerSettings {
  const read = new EnvReader(env);
  const port = read.integer('DEV_ISSUER_PORT', DEV_ISSUER_DEFAULT_PORT, 1, 65535);
  const settings = {
    port,
    issuer: read.url('AUTH_ISSUER', ['http:', 'https:'], `http://127.0.0.1:${port}`),
    audience: read.string('AUTH_AUDIENCE', DEV_AUDIENCE),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return settings;
}

async function main(): Promise<void> {
  refuseInProduction('The development token issuer');
  const { port } = devIssuerSettings();
  const key = await loadOrCreateDevKey();
  const running = await startDevIssuer(key, port);
  process.stdout.write(`dev issuer ${running.issuer} (JWKS ${running.jwksUrl}, key ${key.kid})\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`dev issuer cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
