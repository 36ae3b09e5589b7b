/**
 * The audit console's server-side sessions (backend-for-frontend): the browser holds an opaque,
 * random session id in an HttpOnly SameSite=Strict cookie; the access token stays in Redis and
 * never reaches the page. A request carrying the cookie is authenticated with that token exactly
 * as if it had come in an Authorization header (security/interceptor.ts), so the console can do
 * nothing the API does not let its user do.
 *
 * Also the sign-in transactions: state → PKCE verifier, kept 10 minutes, taken once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export const SESSION_COOKIE = 'ordo_console';
/** Bound to the browser that started the sign-in (the callback must come back with it). */
export const LOGIN_COOKIE = 'ordo_console_login';

/** A session never outlives its access token, nor this (an auditor's working day). */
export const MAX_SESSION_SECONDS = 8 * 3600;
const LOGIN_SECONDS = 600;

export interface ConsoleSession {
  accessToken: string;
  /** When the access token expires (epoch seconds). */
  expiresAt: number;
}

export interface LoginTransaction {
  state: string;
  codeVerifier: string;
}

export interface ConsoleSessions {
  create(session: ConsoleSession, now: Date): Promise<string>;
  get(id: string): Promise<ConsoleSession | undefined>;
  destroy(id: string): Promise<void>;
  /** A new sign-in transaction; its id goes in LOGIN_COOKIE. */
  startLogin(login: LoginTransaction): Promise<string>;
  /** The transaction, removed (a code exchange happens once). */
  takeLogin(id: string): Promise<LoginTransaction | undefined>;
}

/** 256 random bits, URL-safe: a session id, a state, a PKCE verifier. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

const SAFE_ID = /^[A-Za-z0-9_-]{43}$/;

export function consoleSessionsOf(redis: Redis, prefix: string): ConsoleSessions {
  const sessionKey = (id: string) => `${prefix}:console:session:${id}`;
  const loginKey = (id: string) => `${prefix}:console:login:${id}`;
  return {
    async create(session, now) {
      const id = randomToken();
      const ttl = Math.min(MAX_SESSION_SECONDS, session.expiresAt - Math.floor(now.getTime() / 1000));
      if (ttl <= 0) throw new Error('the access token has already expired');
      await redis.set(sessionKey(id), JSON.stringify(session), 'EX', ttl);
      return id;
    },
    async get(id) {
      if (!SAFE_ID.test(id)) return undefined;
      const raw = await redis.get(sessionKey(id));
      return raw ? (JSON.parse(raw) as ConsoleSession) : undefined;
    },
    async destroy(id) {
      if (SAFE_ID.test(id)) await redis.del(sessionKey(id));
    },
    async startLogin(login) {
      const id = randomToken();
      await redis.set(loginKey(id), JSON.stringify(login), 'EX', LOGIN_SECONDS);
      return id;
    },
    async takeLogin(id) {
      if (!SAFE_ID.test(id)) return undefined;
      const raw = await redis.getdel(loginKey(id));
      return raw ? (JSON.parse(raw) as LoginTransaction) : undefined;
    },
  };
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
