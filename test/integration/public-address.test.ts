/**
 * What a client cannot steer: every absolute URL the gateway answers starts with its configured
 * public base URL (PUBLIC_BASE_URL), whatever Host or X-Forwarded-* headers a client sends;
 * forwarded addresses are believed only from configured proxies; and when the FHIR store is
 * down, the 503 says when to come back (Retry-After).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { AuditEvent, Bundle, FhirResource } from 'fhir/r4';
import { createApp } from '../../gateway/app';
import { createFhirClient } from '../../store/fhir-client';
import { bearerFor } from '../support/auth';
import { startAuditWorker } from '../support/audit-worker';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postUniqueExample } from '../support/post-prescription';
import { startTcpProxy } from '../support/tcp-proxy';
import { example } from '../support/vendor-fixtures';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

const pharmacist = () => bearerFor({ role: 'dispenser', profession: 'pharmacist' });

test('Host and X-Forwarded-* never reach a fullUrl or an endpoint: the configured base does', async () => {
  const { number } = await postUniqueExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
  const res = await request(gw.app)
    .get(`/prescriptions/${number}`)
    .set('authorization', await pharmacist())
    .set('host', 'evil.example')
    .set('x-forwarded-host', 'evil.example')
    .set('x-forwarded-proto', 'gopher')
    .expect(200);
  assert.ok(!res.text.includes('evil.example'), 'the Host header is not reflected');
  const bundle = res.body as Bundle<FhirResource>;
  const absolute = (bundle.entry ?? []).map((e) => e.fullUrl!).filter((u) => !u.startsWith('urn:uuid:'));
  assert.ok(absolute.length > 0);
  for (const url of absolute) assert.ok(url.startsWith(`${gw.deps.config.publicBaseUrl}/audit/fhir/`), url);

  const capability = await request(gw.app)
    .get('/fhir/metadata')
    .set('authorization', await pharmacist())
    .set('host', 'evil.example');
  assert.ok(!capability.text.includes('evil.example'), 'nor in the CapabilityStatement');
});

test('X-Forwarded-For is not believed from a client that is not a configured proxy', async () => {
  const audit = startAuditWorker(gw);
  /** The client addresses the AuditEvents of the reads of prescription `number` record. */
  const readAddresses = async (number: string): Promise<string[]> => {
    await audit.drain();
    const found = await gw.deps.fhir.search<AuditEvent>('AuditEvent', {
      'entity-identifier': `urn:oid:1.2.250.1.215.500.1.1|${number}`,
      subtype: 'urn:ordo-gateway:audit-event|prescription.read',
    });
    return (found.entry ?? []).flatMap((e) =>
      (e.resource as AuditEvent).agent.flatMap((a) => (a.network?.address ? [a.network.address] : [])),
    );
  };
  try {
    const { number } = await postUniqueExample(gw.app, example('epu-json', 'valid-drugs-only.json'));
    const requestId = `forwarded-${number}`;
    await request(gw.app)
      .get(`/prescriptions/${number}`)
      .set('authorization', await pharmacist())
      .set('x-forwarded-for', '203.0.113.66')
      .set('x-request-id', requestId)
      .expect(200);
    const addresses = await readAddresses(number);
    assert.ok(addresses.length > 0);
    for (const address of addresses) assert.notEqual(address, '203.0.113.66', 'the forged address is not recorded');

    // Behind a configured proxy (here: loopback), the client's address is the forwarded one.
    const proxied = createApp({ ...gw.deps, config: { ...gw.deps.config, trustedProxies: ['loopback'] } });
    await request(proxied)
      .get(`/prescriptions/${number}`)
      .set('authorization', await pharmacist())
      .set('x-forwarded-for', '203.0.113.67')
      .expect(200);
    const all = await readAddresses(number);
    assert.ok(all.includes('203.0.113.67'), JSON.stringify(all));
  } finally {
    await audit.close();
  }
});

test('the FHIR store down: 503, transient, with Retry-After', async () => {
  const target = new URL(gw.deps.config.fhirBaseUrl);
  const proxy = await startTcpProxy(target.hostname, Number(target.port));
  const fhir = await createFhirClient({
    baseUrl: `http://127.0.0.1:${proxy.port}${target.pathname}`,
    timeoutMs: 2000,
    retries: 0,
  });
  const app = createApp({ ...gw.deps, fhir });
  await proxy.close();
  const res = await request(app)
    .get('/prescriptions/0SV0A7K2M9QX4TB8ZC')
    .set('authorization', await pharmacist())
    .expect(503);
  assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${res.headers['retry-after']}`);
  assert.equal(res.body.issue[0].code, 'transient');
});
