/**
 * The console's side of the OpenID Connect authorization code flow with PKCE (RFC 7636, S256):
 * the provider's endpoints from its discovery document, the authorization URL to send the
 * browser to, and the code exchange, done server-side (the access token never reaches the page).
 */
import { createHash } from 'node:crypto';
import type { AuthConfig, ConsoleClientConfig } from '../security/config';

export interface ProviderEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

export interface TokenAnswer {
  accessToken: string;
  /** Seconds, as the provider said (the token's own exp is what counts). */
  expiresIn?: number;
}

export class SignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

export const codeChallengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export interface OidcClient {
  authorizationUrl(params: { state: string; codeVerifier: string; redirectUri: string }): Promise<string>;
  exchange(params: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenAnswer>;
}

export function consoleClientOf(auth: AuthConfig, client: ConsoleClientConfig): OidcClient {
  let endpoints: Promise<ProviderEndpoints> | undefined;
  const discover = (): Promise<ProviderEndpoints> => {
    endpoints ??= (async () => {
      const url = `${auth.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new SignInError(`the identity provider's discovery document answered ${res.status}`);
      const doc = (await res.json()) as { authorization_endpoint?: unknown; token_endpoint?: unknown };
      if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string')
        throw new SignInError('the identity provider publishes no authorization or token endpoint');
      return { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint };
    })().catch((err: unknown) => {
      endpoints = undefined; // asked again next time
      throw err instanceof SignInError ? err : new SignInError('the identity provider cannot be reached');
    });
    return endpoints;
  };
  return {
    async authorizationUrl({ state, codeVerifier, redirectUri }) {
      const url = new URL((await discover()).authorizationEndpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', client.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('scope', client.scope);
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallengeOf(codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      return url.toString();
    },
    async exchange({ code, codeVerifier, redirectUri }) {
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: client.clientId,
        code_verifier: codeVerifier,
        ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      });
      const res = await fetch((await discover()).tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(10_000),
      }).catch(() => {
        throw new SignInError('the identity provider cannot be reached');
      });
      const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown };
      if (!res.ok || typeof body.access_token !== 'string')
        throw new SignInError(`the identity provider refused the sign-in code (${res.status})`);
      return {
        accessToken: body.access_token,
        ...(typeof body.expires_in === 'number' ? { expiresIn: body.expires_in } : {}),
      };
    },
  };
}
