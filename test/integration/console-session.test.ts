/**
 * The audit console's backend-for-frontend session, over HTTP: the sign-in (authorization code +
 * PKCE through the development issuer), the cookie's attributes, the cookie accepted in place of
 * the bearer token (and audited under the user's identity), a state-changing request from another
 * origin (or none) refused — a console sign-out, an operator's dead-letter retry —, sign-out ending the session, and the console's Content-Security-Policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsoleGateway, type ConsoleGateway } from '../support/console';

const SESSION = /^ordo_console=([A-Za-z0-9_-]{43});(.*)$/;

/** Signs in through the development issuer as `role`, as a browser would; the session cookie's header. */
async function signIn(baseUrl: string, form: Record<string, string>): Promise<{ status: number; setCookie: string }> {
  const login = await fetch(`${baseUrl}/console/auth/login`, { redirect: 'manual' });
  assert.equal(login.status, 303);
  const authorize = new URL(login.headers.get('location')!);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  const loginCookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const submitted = await fetch(authorize.origin + authorize.pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), ...form }),
  });
  assert.equal(submitted.status, 303);
  const callback = await fetch(submitted.headers.get('location')!, {
    redirect: 'manual',
    headers: { cookie: loginCookie },
  });
  const session = callback.headers.getSetCookie().find((c) => c.startsWith('ordo_console='));
  return { status: callback.status, setCookie: session ?? '' };
}

describe('audit console session (BFF)', { timeout: 120_000 }, () => {
  let cg: ConsoleGateway;
  before(async () => {
    cg = await startConsoleGateway();
  });
  after(async () => {
    await cg?.close();
  });

  test('the console is served with a strict CSP and no inline script', async () => {
    const res = await fetch(`${cg.baseUrl}/console/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is a file');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
  });

  test('a callback without a sign-in in progress in this browser is refused', async () => {
    const res = await fetch(`${cg.baseUrl}/console/auth/callback?code=x&state=y`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(
      res.headers.getSetCookie().some((c) => c.startsWith('ordo_console=')),
      false,
    );
  });

  test('an auditor gets an HttpOnly SameSite=Strict session that stands for the token, until sign-out', async () => {
    const { status, setCookie } = await signIn(cg.baseUrl, { role: 'auditor' });
    assert.equal(status, 303);
    const match = SESSION.exec(setCookie);
    assert.ok(match, setCookie);
    assert.match(match[2]!, /HttpOnly/i);
    assert.match(match[2]!, /SameSite=Strict/i);
    assert.match(match[2]!, /Path=\//);
    const cookie = `ordo_console=${match[1]}`;

    const me = await fetch(`${cg.baseUrl}/console/api/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { role: string }).role, 'auditor');
    const search = await fetch(`${cg.baseUrl}/audit/fhir/AuditEvent?_count=1`, { headers: { cookie } });
    assert.equal(search.status, 200);
    // The session gives what the role gives, nothing more: a prescriber's route stays refused.
    const write = await fetch(`${cg.baseUrl}/prescriptions/2F0Z8P5M0QH96XK524/cancel`, {
      method: 'POST',
      headers: { cookie, origin: cg.baseUrl },
    });
    assert.equal(write.status, 403);

    // A state-changing request carrying the cookie from another origin is not authenticated.
    const forged = await fetch(`${cg.baseUrl}/prescriptions/2F0Z8P5M0QH96XK524/cancel`, {
      method: 'POST',
      headers: { cookie, origin: 'https://attacker.example' },
    });
    assert.equal(forged.status, 401);
    const forgedLogout = await fetch(`${cg.baseUrl}/console/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: 'https://attacker.example' },
    });
    assert.equal(forgedLogout.status, 403);

    const logout = await fetch(`${cg.baseUrl}/console/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: cg.baseUrl },
    });
    assert.equal(logout.status, 204);
    const after = await fetch(`${cg.baseUrl}/console/api/me`, { headers: { cookie } });
    assert.equal(after.status, 401, 'the session is gone');
    await cg.audit.drain();
  });

  test('an operator’s session lists dead letters; a retry with the cookie must come from the console’s origin', async () => {
    const { status, setCookie } = await signIn(cg.baseUrl, { role: 'operator' });
    assert.equal(status, 303);
    const cookie = `ordo_console=${SESSION.exec(setCookie)![1]}`;
    const list = await fetch(`${cg.baseUrl}/admin/dead-letters`, { headers: { cookie } });
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(((await list.json()) as { deadLetters: unknown }).deadLetters));

    const retry = `${cg.baseUrl}/admin/dead-letters/dmp-publish/publish-2F0Z8P5M0QH96XK524-v1/retry`;
    for (const origin of ['https://attacker.example', undefined]) {
      const forged = await fetch(retry, { method: 'POST', headers: { cookie, ...(origin ? { origin } : {}) } });
      assert.equal(forged.status, 401, `Origin ${origin ?? '(none)'}`);
    }
    // From the console itself: through to the handler (no such job here).
    const own = await fetch(retry, { method: 'POST', headers: { cookie, origin: cg.baseUrl } });
    assert.equal(own.status, 404);
    await cg.audit.drain();
  });

  test('a pharmacist gets no session', async () => {
    const { status, setCookie } = await signIn(cg.baseUrl, {
      role: 'dispenser',
      profession: 'pharmacist',
      rpps: '99900000136',
    });
    assert.equal(status, 403);
    assert.equal(SESSION.exec(setCookie), null);
    await cg.audit.drain();
  });
});
