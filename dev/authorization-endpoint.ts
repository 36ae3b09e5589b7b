/**
 * The development issuer's authorization code flow (with PKCE, S256 only), so that a browser can
 * sign in to the audit console (/console) as it would with Pro Santé Connect:
 *
 *   GET  /authorize   a sign-in page: pick a role, a profession, an RPPS (and a FINESS)
 *   POST /authorize   issues a one-time code (60 s) and redirects to redirect_uri?code=…&state=…
 *   POST /token       code + code_verifier → an access token signed like every development token
 *                     (aud = client_id)
 *
 * Development only, like the rest of dev/: nothing here is used by the gateway in production.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidRpps } from '../domain/identifiers';
import { isRole, ROLES, type Role } from '../domain/principal';
import { isProfession, PROFESSIONS, type Profession } from '../domain/professions';

export const AUTHORIZE_PATH = '/authorize';
export const TOKEN_PATH = '/token';

const CODE_TTL_MS = 60_000;
const MAX_FORM_BYTES = 16_384;

/** What the sign-in page asks for, turned into a signed token by the issuer. */
export interface SignInIdentity {
  role: Role;
  profession?: Profession;
  rpps?: string;
  organization?: { finess?: string };
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  identity: SignInIdentity;
  expiresAt: number;
}

export interface AuthorizationEndpoints {
  /** Answers the request when it is for /authorize or /token; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const S256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** The parameters of an authorization request, or what is wrong with them. */
function authorizationRequest(
  params: URLSearchParams,
): { ok: true; hidden: Record<string, string> } | { ok: false; error: string } {
  const get = (name: string) => params.get(name) ?? '';
  if (get('response_type') !== 'code') return { ok: false, error: 'response_type must be "code"' };
  if (!get('client_id')) return { ok: false, error: 'client_id is required' };
  let redirect: URL;
  try {
    redirect = new URL(get('redirect_uri'));
  } catch {
    return { ok: false, error: 'redirect_uri must be an absolute URL' };
  }
  if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:')
    return { ok: false, error: 'redirect_uri must be http(s)' };
  if (get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(get('code_challenge')))
    return { ok: false, error: 'PKCE is required: code_challenge (S256) and code_challenge_method=S256' };
  if (!get('state')) return { ok: false, error: 'state is required' };
  const hidden: Record<string, string> = {};
  for (const name of [
    'response_type',
    'client_id',
    'redirect_uri',
    'state',
    'code_challenge',
    'code_challenge_method',
    'scope',
    'nonce',
  ])
    hidden[name] = get(name);
  return { ok: true, hidden };
}

function signInPage(hidden: Record<string, string>, error?: string): string {
  const inputs = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
  const roles = ROLES.map((r) => `<option value="${r}"${r === 'auditor' ? ' selected' : ''}>${r}</option>`).join('');
  const professions = ['', ...PROFESSIONS].map((p) => `<option value="${p}">${p || '(aucune)'}</option>`).join('');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Émetteur de développement — connexion</title></head>
<body><main>
<h1>Émetteur de développement (ne pas utiliser en production)</h1>
<p>Choisissez l’identité sous laquelle vous connecter. Ce formulaire remplace Pro Santé Connect sur un poste de développement.</p>
${error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${AUTHORIZE_PATH}">
${inputs}
<p><label for="role">Rôle</label> <select id="role" name="role">${roles}</select></p>
<p><label for="profession">Profession</label> <select id="profession" name="profession">${professions}</select></p>
<p><label for="rpps">RPPS (11 chiffres)</label> <input id="rpps" name="rpps" inputmode="numeric" autocomplete="off"></p>
<p><label for="finess">FINESS de la structure (9 caractères, facultatif)</label> <input id="finess" name="finess" autocomplete="off"></p>
<p><button type="submit" id="sign-in">Se connecter</button></p>
</form>
</main></body></html>`;
}

function identityOf(form: URLSearchParams): { ok: true; identity: SignInIdentity } | { ok: false; error: string } {
  const role = form.get('role') ?? '';
  const profession = form.get('profession') ?? '';
  const rpps = (form.get('rpps') ?? '').trim();
  const finess = (form.get('finess') ?? '').trim();
  if (!isRole(role)) return { ok: false, error: `rôle inconnu : ${role}` };
  if (profession && !isProfession(profession)) return { ok: false, error: `profession inconnue : ${profession}` };
  if (rpps && !isValidRpps(rpps)) return { ok: false, error: 'le RPPS doit avoir 11 chiffres et une clé valide' };
  if (finess && !/^[0-9A-Z]{9}$/.test(finess)) return { ok: false, error: 'le FINESS doit avoir 9 caractères' };
  if ((role === 'prescriber' || role === 'dispenser') && (!profession || !rpps))
    return { ok: false, error: 'un prescripteur ou un dispensateur a une profession et un RPPS' };
  return {
    ok: true,
    identity: {
      role,
      ...(profession ? { profession: profession as Profession } : {}),
      ...(rpps ? { rpps } : {}),
      ...(finess ? { organization: { finess } } : {}),
    },
  };
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'close' });
  res.end(JSON.stringify(body));
};

/** `redirectTo`: where the form's answer redirects (form-action also governs the redirect). */
const sendHtml = (res: ServerResponse, status: number, html: string, redirectTo?: string): void => {
  const formAction = redirectTo ? `'self' ${new URL(redirectTo).origin}` : "'self'";
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; form-action ${formAction}; frame-ancestors 'none'`,
    connection: 'close',
  });
  res.end(html);
};

/**
 * The endpoints, over a function that signs an access token for an identity and an audience
 * (the issuer's own signDevToken with its key).
 */
export function authorizationEndpoints(
  sign: (identity: SignInIdentity, audience: string) => Promise<{ token: string; expiresIn: number }>,
): AuthorizationEndpoints {
  const codes = new Map<string, PendingCode>();
  const sweep = () => {
    const now = Date.now();
    for (const [code, pending] of codes) if (pending.expiresAt < now) codes.delete(code);
  };

  async function authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const params = req.method === 'POST' ? await readForm(req) : query;
    const request = authorizationRequest(params);
    if (!request.ok) {
      sendHtml(
        res,
        400,
        `<!doctype html><html lang="fr"><title>Requête refusée</title><p>${escapeHtml(request.error)}</p></html>`,
      );
      return;
    }
    if (req.method !== 'POST') {
      sendHtml(res, 200, signInPage(request.hidden), request.hidden.redirect_uri);
      return;
    }
    const identity = identityOf(params);
    if (!identity.ok) {
      sendHtml(res, 400, signInPage(request.hidden, identity.error), request.hidden.redirect_uri);
      return;
    }
    sweep();
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId: request.hidden.client_id!,
      redirectUri: request.hidden.redirect_uri!,
      codeChallenge: request.hidden.code_challenge!,
      identity: identity.identity,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(request.hidden.redirect_uri!);
    target.searchParams.set('code', code);
    target.searchParams.set('state', request.hidden.state!);
    res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store', connection: 'close' });
    res.end();
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code); // one use, whatever happens next
    if (form.get('grant_type') !== 'authorization_code' || !pending || pending.expiresAt < Date.now()) {
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown, used or expired code' });
      return;
    }
    if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri) {
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'client_id or redirect_uri does not match' });
      return;
    }
    if (S256(form.get('code_verifier') ?? '') !== pending.codeChallenge) {
      sendJson(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      return;
    }
    const signed = await sign(pending.identity, pending.clientId);
    sendJson(res, 200, { access_token: signed.token, token_type: 'Bearer', expires_in: signed.expiresIn });
  }

  return {
    async handle(req, res, path) {
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      try {
        if (path === AUTHORIZE_PATH && (req.method === 'GET' || req.method === 'POST')) {
          await authorize(req, res, query);
          return true;
        }
        if (path === TOKEN_PATH && req.method === 'POST') {
          await token(req, res);
          return true;
        }
      } catch (err) {
        sendJson(res, 400, { error: 'invalid_request', error_description: (err as Error).message });
        return true;
      }
      return false;
    },
  };
}
