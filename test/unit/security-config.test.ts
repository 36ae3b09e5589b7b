/**
 * Security configuration is validated at start-up (every problem reported at once), and the
 * auditor API's link rewriting and parameter whitelist behave as documented.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../platform/config';
import { loadSecurityConfig } from '../../gateway/security/config';
import { checkPagingParameters, checkSearchParameters } from '../../gateway/audit/search-whitelist';
import { rewriterFor } from '../../fhir/public-urls';

const VALID = {
  AUTH_ISSUER: 'https://auth.esante.gouv.fr/auth/realms/esante-wallet',
  AUTH_JWKS_URL: 'https://auth.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/certs',
  AUTH_AUDIENCE: 'ordo-gateway',
};

describe('security configuration', () => {
  it('reads a complete configuration with the documented defaults', () => {
    const config = loadSecurityConfig({ ...VALID, NODE_ENV: 'production' });
    assert.equal(config.auth.issuer, VALID.AUTH_ISSUER);
    assert.equal(config.auth.clockSkewSeconds, 30);
    assert.deepEqual(config.auth.algorithms, ['RS256', 'ES256', 'PS256']);
    assert.deepEqual(config.auth.claims, {
      nationalId: 'SubjectNameID',
      refPro: 'SubjectRefPro',
      role: 'ordo_role',
      am: 'ordo_am',
    });
    assert.deepEqual(config.lookupLimit, { points: 30, windowSeconds: 60, missCost: 2 });
  });

  it('reports every problem at once, naming the variables', () => {
    assert.throws(
      () =>
        loadSecurityConfig({
          NODE_ENV: 'production',
          AUTH_JWKS_URL: 'http://idp/certs',
          AUTH_ALGORITHMS: 'RS256,HS256,none',
          AUTH_CLOCK_SKEW_SECONDS: '3600',
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        for (const expected of [
          'AUTH_ISSUER is required',
          'AUTH_AUDIENCE is required',
          'AUTH_JWKS_URL must be a https: URL',
          '"HS256"',
          '"none"',
          'AUTH_CLOCK_SKEW_SECONDS',
        ]) {
          assert.ok(text.includes(expected), `${expected} in:\n${text}`);
        }
        return true;
      },
    );
  });

  it('accepts an http JWKS URL outside production (the development issuer) and a subset of algorithms', () => {
    const config = loadSecurityConfig({
      ...VALID,
      AUTH_JWKS_URL: 'http://127.0.0.1:3002/.well-known/jwks.json',
      AUTH_ALGORITHMS: 'ES256',
    });
    assert.deepEqual(config.auth.algorithms, ['ES256']);
  });
});

describe('auditor API', () => {
  const rewrite = rewriterFor('http://127.0.0.1:8090/fhir', 'https://gateway.example/audit/fhir');

  it('rewrites the store’s paging links and fullUrls to the gateway, whatever host the store names itself with', () => {
    assert.equal(
      rewrite('http://127.0.0.1:8090/fhir?_getpages=abc&_getpagesoffset=20&_count=20'),
      'https://gateway.example/audit/fhir?_getpages=abc&_getpagesoffset=20&_count=20',
    );
    assert.equal(rewrite('http://hapi:8080/fhir/AuditEvent/12'), 'https://gateway.example/audit/fhir/AuditEvent/12');
    assert.equal(
      rewrite('http://127.0.0.1:8090/fhir/AuditEvent?entity=RequestGroup%2F1'),
      'https://gateway.example/audit/fhir/AuditEvent?entity=RequestGroup%2F1',
    );
    assert.equal(rewrite('urn:uuid:1234'), 'urn:uuid:1234');
    assert.equal(rewrite('http://elsewhere/other/AuditEvent/1'), 'http://elsewhere/other/AuditEvent/1');
  });

  it('whitelists search parameters per type', () => {
    assert.deepEqual(
      checkSearchParameters(
        'AuditEvent',
        new URLSearchParams('entity-identifier=a|b&subtype=read&_count=10&_sort=-date'),
      ),
      [],
    );
    assert.equal(checkSearchParameters('Binary', new URLSearchParams('')).length, 1);
    assert.equal(checkSearchParameters('AuditEvent', new URLSearchParams('_include=AuditEvent:patient')).length, 1);
    assert.equal(checkSearchParameters('MedicationRequest', new URLSearchParams('subject.name=X')).length, 1);
    assert.equal(checkSearchParameters('MedicationRequest', new URLSearchParams('subject:Patient.name=X')).length, 1);
    assert.equal(checkSearchParameters('MedicationRequest', new URLSearchParams('status:not=active')).length, 0);
    assert.equal(checkSearchParameters('MedicationRequest', new URLSearchParams('patient:missing=true')).length, 1);
    assert.equal(checkSearchParameters('AuditEvent', new URLSearchParams('_count=201')).length, 1);
    assert.deepEqual(
      checkPagingParameters(new URLSearchParams('_getpages=x&_getpagesoffset=1&_count=1&_bundletype=searchset')),
      [],
    );
    assert.equal(checkPagingParameters(new URLSearchParams('_type=Patient')).length, 2);
  });
});
