/**
 * The audit console (/console): a single-page application for auditors (and operators), built
 * by Vite from console/ (the production build copies it to dist/console/dist), and its
 * backend-for-frontend sign-in:
 *
 *   GET  /console/…                the application's files (public: no data in them)
 *   GET  /console/auth/login       starts the OpenID Connect authorization code flow with PKCE
 *   GET  /console/auth/callback    the provider's answer: code exchanged server-side, the access
 *                                  token verified like any bearer token and kept in Redis; the
 *                                  browser gets an HttpOnly SameSite=Strict session cookie only
 *   POST /console/auth/logout      ends the session
 *   GET  /console/api/me           who is signed in (auditor or operator)
 *
 * Everything the console shows comes from the auditor API (/audit/fhir/*) and the operations
 * routes (/admin/dead-letters…: routes/dead-letters.ts), called with the session cookie: the security interceptor authenticates it as the
 * bearer token it stands for, authorizes and audits the call as any other (routes/table.ts).
 * A signed-in user who is neither auditor nor operator is refused at the callback (a page that
 * says so), and the refusal is audited.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Principal } from '../../domain/principal';
import { auditQueueOf, auditTrailOf, newAuditId } from '../../queue/audit/jobs';
import { consoleClientOf, SignInError } from '../console/oidc-client';
import {
  consoleSessionsOf,
  cookieOf,
  LOGIN_COOKIE,
  MAX_SESSION_SECONDS,
  randomToken,
  SESSION_COOKIE,
} from '../console/sessions';
import { isSameOrigin } from '../http/same-origin';
import { AuthenticationError, createAuthenticator } from '../security/authenticate';
import { consoleClientConfigOf } from '../security/config';
import { jose } from '../security/jose';
import type { RouteContext } from './route';

export const CONSOLE_PATH = '/console';
/** Vite's output (console/vite.config.mts), next to this module's tree in the source and in dist/. */
export const CONSOLE_ASSETS_DIR = path.join(__dirname, '..', '..', 'console', 'dist');

/** No inline script or style, nothing from elsewhere: the console runs offline. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONSOLE_ROLES = new Set(['auditor', 'operator']);

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A server-written page of the console (sign-in failures and refusals): static markup, the console's stylesheet. */
function sendPage(res: Response, status: number, title: string, paragraphs: string[]): void {
  res
    .status(status)
    .set({ 'content-security-policy': CONSOLE_CSP, 'cache-control': 'no-store' })
    .type('html')
    .send(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,">` +
        `<title>${escapeHtml(title)} — Console d’audit</title><link rel="stylesheet" href="${CONSOLE_PATH}/page.css"></head>` +
        `<body><main class="page"><h1>${escapeHtml(title)}</h1>` +
        paragraphs.map((p) => `<p>${p}</p>`).join('') +
        `<p><a href="${CONSOLE_PATH}/">Retour à la console</a></p></main></body></html>`,
    );
}

const secureCookies = (req: Request): boolean => String(req.app.locals.publicBaseUrl).startsWith('https:');

const redirectUriOf = (req: Request): string => `${String(req.app.locals.publicBaseUrl)}${CONSOLE_PATH}/auth/callback`;

/** GET /console/…: the built application (index.html for the folder itself). */
export function consoleApp(): RequestHandler {
  const files = express.static(CONSOLE_ASSETS_DIR, { index: false, fallthrough: true, immutable: false });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('allow', 'GET').end();
      return;
    }
    res.setHeader('content-security-policy', CONSOLE_CSP);
    if (req.path === '/' || req.path === '') {
      if (req.originalUrl === CONSOLE_PATH) {
        res.redirect(301, `${CONSOLE_PATH}/`);
        return;
      }
      const index = path.join(CONSOLE_ASSETS_DIR, 'index.html');
      if (!existsSync(index)) {
        sendPage(res, 503, 'Console non construite', ['Lancez <code>npm run build:console</code>.']);
        return;
      }
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
      return;
    }
    files(req, res, next);
  };
}

/** GET /console/auth/login: off to the identity provider, with a state and a PKCE challenge. */
export function consoleLogin({ deps }: RouteContext): RequestHandler {
  const sessions = consoleSessionsOf(deps.redis, deps.config.queuePrefix);
  const client = consoleClientOf(deps.security.auth, consoleClientConfigOf(deps.security));
  return async (req, res) => {
    const state = randomToken();
    const codeVerifier = randomToken();
    let target: string;
    try {
      target = await client.authorizationUrl({ state, codeVerifier, redirectUri: redirectUriOf(req) });
    } catch (err) {
      if (!(err instanceof SignInError)) throw err;
      sendPage(res, 503, 'Connexion impossible', [escapeHtml(`${err.message}. Réessayez dans un instant.`)]);
      return;
    }
    const login = await sessions.startLogin({ state, codeVerifier });
    // Lax, not Strict: the provider's redirect back here is a cross-site navigation.
    res.cookie(LOGIN_COOKIE, login, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(req),
      path: `${CONSOLE_PATH}/auth`,
      maxAge: 600_000,
    });
    res.set('cache-control', 'no-store').redirect(303, target);
  };
}

/** GET /console/auth/callback: the code exchanged, the token checked, the session opened (or refused). */
export function consoleCallback({ deps, useCases }: RouteContext): RequestHandler {
  const sessions = consoleSessionsOf(deps.redis, deps.config.queuePrefix);
  const client = consoleClientOf(deps.security.auth, consoleClientConfigOf(deps.security));
  const authenticator = createAuthenticator(deps.security.auth);
  const auditTrail = auditTrailOf(auditQueueOf(deps.queues));
  const failed = (res: Response, why: string) =>
    sendPage(res, 400, 'La connexion a échoué', [
      escapeHtml(why),
      `<a href="${CONSOLE_PATH}/auth/login">Recommencer la connexion</a>`,
    ]);

  /** The sign-in in the audit trail: who, from where, admitted or refused. */
  const audit = (req: Request, principal: Principal, status: number, detail?: string) =>
    auditTrail.record({
      id: newAuditId(),
      recorded: useCases.now().toISOString(),
      event: { type: 'rest', interaction: 'operation', action: 'E', name: 'console.sign-in' },
      outcome: { status, ...(detail ? { detail } : {}) },
      agent: principal,
      ...(req.ip ? { network: req.ip } : {}),
      request: { method: req.method, path: req.path, ...(req.id ? { requestId: String(req.id) } : {}) },
      purposeOfUse: 'HOPERAT',
    });

  return async (req, res) => {
    res.clearCookie(LOGIN_COOKIE, { path: `${CONSOLE_PATH}/auth` });
    const query = req.query as Record<string, unknown>;
    if (typeof query.error === 'string') return failed(res, `Le fournisseur d’identité a répondu : ${query.error}.`);
    const loginId = cookieOf(req.get('cookie'), LOGIN_COOKIE);
    const login = loginId ? await sessions.takeLogin(loginId) : undefined;
    if (!login || typeof query.state !== 'string' || query.state !== login.state)
      return failed(res, 'Cette réponse de connexion ne correspond à aucune connexion en cours dans ce navigateur.');
    if (typeof query.code !== 'string') return failed(res, 'Le fournisseur d’identité n’a pas donné de code.');
    let principal: Principal;
    let accessToken: string;
    try {
      ({ accessToken } = await client.exchange({
        code: query.code,
        codeVerifier: login.codeVerifier,
        redirectUri: redirectUriOf(req),
      }));
      principal = await authenticator.authenticate(`Bearer ${accessToken}`);
    } catch (err) {
      if (err instanceof SignInError || err instanceof AuthenticationError) return failed(res, err.message);
      throw err;
    }
    if (!CONSOLE_ROLES.has(principal.role)) {
      const reason = `the ${principal.role} role may not use the audit console`;
      await audit(req, principal, 403, reason);
      return sendPage(res, 403, 'Accès refusé', [
        `Vous êtes connecté en tant que <strong>${escapeHtml(principal.role)}</strong>` +
          (principal.rpps ? ` (RPPS ${escapeHtml(principal.rpps)})` : '') +
          '. La console d’audit est réservée aux auditeurs (et aux opérateurs pour les pages d’exploitation).',
        'Si vous devez auditer les accès aux ordonnances, demandez le rôle <em>auditor</em> à votre administrateur.',
        'Ce refus est enregistré dans la piste d’audit.',
      ]);
    }
    const exp = jose.decodeJwt(accessToken).exp ?? 0;
    const now = useCases.now();
    const expiresAt = Math.min(exp, Math.floor(now.getTime() / 1000) + MAX_SESSION_SECONDS);
    const id = await sessions.create({ accessToken, expiresAt }, now);
    await audit(req, principal, 200);
    res.cookie(SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookies(req),
      path: '/',
      maxAge: (expiresAt - Math.floor(now.getTime() / 1000)) * 1000,
    });
    res.set('cache-control', 'no-store').redirect(303, `${CONSOLE_PATH}/`);
  };
}

/** POST /console/auth/logout: the session removed from Redis, the cookie cleared. */
export function consoleLogout({ deps }: RouteContext): RequestHandler {
  const sessions = consoleSessionsOf(deps.redis, deps.config.queuePrefix);
  return async (req, res) => {
    if (!isSameOrigin(req)) {
      res.status(403).end();
      return;
    }
    const id = cookieOf(req.get('cookie'), SESSION_COOKIE);
    if (id) await sessions.destroy(id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  };
}

/** GET /console/api/me: the signed-in user, as the console shows them. */
export const consoleMe = (): RequestHandler => (req, res) => {
  const p = req.security?.principal;
  res.set('cache-control', 'no-store').json({
    role: p?.role,
    nationalId: p?.nationalId,
    ...(p?.rpps ? { rpps: p.rpps } : {}),
    ...(p?.profession ? { profession: p.profession } : {}),
    ...(p?.organization.finess ? { finess: p.organization.finess } : {}),
  });
};
