/**
 * Authentication: only a token signed by the configured issuer's key, for this audience, not
 * expired, with an asymmetric algorithm and usable claims gets through. Everything else is a
 * 401 with WWW-Authenticate and an OperationOutcome — and never reaches the FHIR store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { generateDevKey, signDevToken } from '../../dev/token-issuer';
import { jose } from '../../gateway/security/jose';
import { bearerFor, completeIdentity, testIssuer, tokenFor, TEST_AUDIENCE } from '../support/auth';
import { countingFhirClient, type CountingFhirClient } from '../support/counting-fhir-client';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { freshNumber } from '../support/vendor-fixtures';

let gw: TestGateway;
/** Every call the gateway makes to the FHIR store goes through FhirClient.request: counted here. */
let store: CountingFhirClient;

before(async () => {
  store = await countingFhirClient();
  gw = await startTestGateway({ fhir: store.fhir });
});
after(async () => {
  await gw.close();
});

const dispenser = { role: 'dispenser', profession: 'pharmacist' } as const;

async function unsignedToken(): Promise<string> {
  const issuer = await testIssuer();
  const now = Math.floor(Date.now() / 1000);
  return new jose.UnsecuredJWT({ ...(await decodedClaims()) })
    .setIssuer(issuer.issuer)
    .setAudience(TEST_AUDIENCE)
    .setSubject('f:none')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .encode();
}

/** The claims of a genuine dispenser token, to reuse in forged ones. */
async function decodedClaims(): Promise<Record<string, unknown>> {
  return jose.decodeJwt(await tokenFor(dispenser)) as Record<string, unknown>;
}

/** HS256 signed with the issuer's public key as the secret (the classic algorithm-confusion attack). */
async function hmacWithPublicKey(): Promise<string> {
  const issuer = await testIssuer();
  const secret = new TextEncoder().encode(JSON.stringify(issuer.key.publicJwk));
  return new jose.SignJWT(await decodedClaims()).setProtectedHeader({ alg: 'HS256', kid: issuer.key.kid }).sign(secret);
}

/** Signed by another key that claims the issuer's key id. */
async function forgedWithIssuerKid(): Promise<string> {
  const issuer = await testIssuer();
  const other = await generateDevKey();
  return signDevToken({ ...other, kid: issuer.key.kid }, completeIdentity(dispenser), {
    issuer: issuer.issuer,
    audience: TEST_AUDIENCE,
  });
}

/** Signed by another key with its own key id (unknown to the JWKS). */
async function forgedWithOwnKid(): Promise<string> {
  const issuer = await testIssuer();
  return signDevToken(await generateDevKey(), completeIdentity(dispenser), {
    issuer: issuer.issuer,
    audience: TEST_AUDIENCE,
  });
}

const BAD_AUTHORIZATIONS: Record<string, () => Promise<string | undefined>> = {
  'no Authorization header': async () => undefined,
  'another scheme (Basic)': async () => 'Basic ' + Buffer.from('user:password').toString('base64'),
  'a bearer that is not a JWT': async () => 'Bearer not-a-jwt',
  'an expired token': async () =>
    bearerFor(dispenser, { issuedAt: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 3600 }),
  'a token not valid yet': async () => bearerFor(dispenser, { issuedAt: new Date(Date.now() + 3600_000) }),
  'a token signed by another key (same kid)': async () => `Bearer ${await forgedWithIssuerKid()}`,
  'a token signed by another key (unknown kid)': async () => `Bearer ${await forgedWithOwnKid()}`,
  'a token for another audience': async () => bearerFor(dispenser, { audience: 'another-service' }),
  'a token from another issuer': async () =>
    bearerFor(dispenser, { issuer: 'https://wallet.esante.gouv.fr/auth/realms/esante-wallet' }),
  'an alg:none token': async () => `Bearer ${await unsignedToken()}`,
  'an HS256 token keyed with the public key': async () => `Bearer ${await hmacWithPublicKey()}`,
  'a genuine token with its signature cut off': async () =>
    `Bearer ${(await tokenFor(dispenser)).split('.').slice(0, 2).join('.')}.`,
  'a genuine token with a changed payload': async () => {
    const [header, , signature] = (await tokenFor(dispenser)).split('.');
    const payload = Buffer.from(JSON.stringify({ ...(await decodedClaims()), ordo_role: 'auditor' })).toString(
      'base64url',
    );
    return `Bearer ${header}.${payload}.${signature}`;
  },
  'a genuine token for a dispenser without a profession': async () => {
    // Signed by the right key, but the claims cannot make a principal.
    const issuer = await testIssuer();
    return `Bearer ${await signDevToken(issuer.key, { role: 'dispenser', rpps: completeIdentity(dispenser).rpps! }, { issuer: issuer.issuer, audience: TEST_AUDIENCE })}`;
  },
};

describe('requests without a valid token are refused with 401 and never reach the FHIR store', () => {
  for (const [name, make] of Object.entries(BAD_AUTHORIZATIONS)) {
    test(name, async () => {
      const authorization = await make();
      const before = store.calls();
      const number = freshNumber();
      let call = request(gw.app).get(`/prescriptions/${number}`);
      if (authorization !== undefined) call = call.set('authorization', authorization);
      const res = await call;
      assert.equal(res.status, 401, res.text);
      assert.match(res.headers['www-authenticate'] ?? '', /^Bearer realm="ordo-gateway", error="invalid_token"/);
      assert.match(res.headers['content-type'] ?? '', /application\/fhir\+json/);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].code, 'login');
      assert.equal(store.calls(), before, 'the FHIR store was called for an unauthenticated request');

      // The same on a write: the body is not even read.
      const post = request(gw.app)
        .post('/prescriptions')
        .set('content-type', 'application/json')
        .send('{"idMessage":"x"}');
      const written = await (authorization !== undefined ? post.set('authorization', authorization) : post);
      assert.equal(written.status, 401);
      assert.equal(store.calls(), before, 'the FHIR store was called for an unauthenticated write');
    });
  }

  test('a genuine token gets through (the same request reaches the store and finds nothing)', async () => {
    const before = store.calls();
    const res = await request(gw.app)
      .get(`/prescriptions/${freshNumber()}`)
      .set('authorization', await bearerFor(dispenser));
    assert.equal(res.status, 404, res.text);
    assert.ok(store.calls() > before);
  });

  test('/health and /ready need no token', async () => {
    await request(gw.app).get('/health').expect(200);
    await request(gw.app).get('/ready').expect(200);
  });
});
