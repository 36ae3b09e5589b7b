/**
 * The API documentation as served: /openapi.json is a valid OpenAPI 3.1 document describing every
 * route of the table and nothing else, with the errors the routes really give; its request examples
 * are the vendor examples and each answers what the document says; /docs is a page that loads only
 * the gateway's own files (no inline script: helmet's CSP stays script-src 'self').
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { ROUTES } from '../../gateway/routes/table';
import type { RouteDefinition } from '../../gateway/routes/route';
import { prescriberBearer, testSecurityConfig } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { uniquify, vendorExamples, wireBody, type VendorExample } from '../support/vendor-fixtures';

const ROUTE_TABLE: readonly RouteDefinition[] = ROUTES;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let gw: TestGateway;
/** The document as served. */
let served: any;
/** The same, every $ref resolved (SwaggerParser.validate dereferences what it is given). */
let resolved: any;

before(async () => {
  // Posting every example spends lookups (vendor-supplied numbers) of a few prescribers: no throttling here.
  gw = await startTestGateway({ security: await testSecurityConfig({ points: 100_000 }) });
  const res = await request(gw.app).get('/openapi.json').expect(200);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  served = res.body;
  resolved = await SwaggerParser.validate(structuredClone(served));
});
after(async () => {
  await gw.close();
});

interface Operation {
  path: string;
  method: string;
  op: any;
}

const operationsOf = (doc: any): Operation[] =>
  Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );

/** A route's path as OpenAPI writes it: `:name` → `{name}`; a final `/*` (a prefix) is the prefix itself. */
const documentedPath = (route: RouteDefinition): string =>
  route.path.replace(/\/\*$/, '').replace(/:([A-Za-z]+)/g, '{$1}');

/** A concrete URL for a documented path: each parameter from its documented enum or example. */
function concretePath({ path, op }: Operation): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const parameter = op.parameters.find((p: any) => p.in === 'path' && p.name === name);
    assert.ok(parameter, `${path}: {${name}} is declared`);
    const value = parameter.schema.enum?.[0] ?? parameter.schema.example;
    assert.ok(value !== undefined, `${path}: {${name}} has an enum or an example`);
    return encodeURIComponent(String(value));
  });
}

describe('/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document, served without a token', () => {
    assert.equal(served.openapi, '3.1.0');
    assert.equal(served.servers[0].url, gw.deps.config.publicBaseUrl);
    assert.ok(resolved.paths['/prescriptions'].post, 'dereferenced by the validator');
  });

  test('describes every route of the table, and nothing else', () => {
    const operations = operationsOf(served);
    const ids = operations.map(({ op }) => op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const route of ROUTE_TABLE) {
      const mine = operations.filter(({ op }) => op['x-route-id'] === route.id);
      assert.ok(mine.length > 0, `${route.method} ${route.path} (${route.id}) is documented`);
      for (const { path, method } of mine) {
        assert.equal(path, documentedPath(route), `${route.id} at its path`);
        if (route.method !== '*') assert.equal(method, route.method.toLowerCase(), `${route.id}: its method`);
      }
      if (route.method !== '*') assert.equal(mine.length, 1, `${route.id}: one operation`);
    }
    for (const { path, method, op } of operations) {
      assert.ok(
        ROUTE_TABLE.some((r) => r.id === op['x-route-id']),
        `${method.toUpperCase()} ${path} is a route of the table (${op['x-route-id']})`,
      );
    }
  });

  test('every path parameter is declared, with its pattern or values', () => {
    for (const { path, method, op } of operationsOf(resolved)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p: any) => p.in === 'path');
      assert.deepEqual(declared.map((p: any) => p.name).sort(), inPath.sort(), `${method} ${path}`);
      for (const p of declared) {
        assert.equal(p.required, true, `${path} {${p.name}}`);
        assert.ok(p.schema.pattern || p.schema.enum, `${path} {${p.name}} says what it takes`);
      }
    }
    const number = resolved.paths['/prescriptions/{number}'].get.parameters.find((p: any) => p.name === 'number');
    assert.ok(new RegExp(number.schema.pattern).test(number.schema.example));
  });

  test('every error answer is an OperationOutcome; 401 says why in WWW-Authenticate, 429 and 503 say when to retry', () => {
    for (const { path, method, op } of operationsOf(resolved)) {
      for (const [status, answer] of Object.entries(op.responses as Record<string, any>)) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        assert.ok(answer.description, where);
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(answer.content), ['application/fhir+json'], where);
        assert.equal(answer.content['application/fhir+json'].schema.properties.resourceType.const, 'OperationOutcome');
        const required = { 401: 'WWW-Authenticate', 405: 'Allow', 429: 'Retry-After', 503: 'Retry-After' }[status];
        if (required) assert.equal(answer.headers?.[required]?.required, true, `${where}: ${required}`);
      }
    }
  });

  test('the guarded routes need the bearer token and answer 401 without it; the public ones answer without it', async () => {
    assert.deepEqual(served.security, [{ bearerAuth: [] }]);
    const scheme = served.components.securitySchemes.bearerAuth;
    assert.deepEqual([scheme.type, scheme.scheme, scheme.bearerFormat], ['http', 'bearer', 'JWT']);
    assert.match(scheme.description, /Pro Santé Connect/);
    assert.match(scheme.description, /RPPS must equal the payload’s prescriber RPPS/);
    for (const operation of operationsOf(resolved)) {
      const { path, method, op } = operation;
      const route = ROUTE_TABLE.find((r) => r.id === op['x-route-id'])!;
      const res = await (request(gw.app) as any)[method](concretePath(operation));
      const where = `${method.toUpperCase()} ${path} without a token: ${res.status}`;
      if (route.public) {
        assert.deepEqual(op.security, [], where);
        assert.ok(op.responses[res.status], `${where} is documented`);
      } else {
        assert.equal(op.security, undefined, `${where}: the document's bearerAuth applies`);
        assert.equal(res.status, 401, where);
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer realm="ordo-gateway"/);
        for (const status of ['401', '403', '503']) assert.ok(op.responses[status], `${where}: ${status} documented`);
      }
    }
  });
});

describe('request examples', () => {
  const files = new Map(vendorExamples().map((e) => [`${e.format}.${e.name.replace(/\.[^.]+$/, '')}`, e]));

  /** The examples an operation offers, by media type, each checked to be the vendor example file it names. */
  function examplesOf(op: any): { media: string; name: string; file: VendorExample }[] {
    return Object.entries(op.requestBody.content as Record<string, any>).flatMap(([media, content]) =>
      Object.entries((content.examples ?? {}) as Record<string, any>).map(([name, example]) => {
        const file = files.get(name);
        assert.ok(file, `${name} is a file of profiles/vendor-examples`);
        if (file.format === 'lgc-xml') assert.equal(example.value, file.body, name);
        else assert.deepEqual(example.value, JSON.parse(file.body), name);
        return { media, name, file };
      }),
    );
  }

  test('POST /prescriptions offers every vendor example, each under the media types of its format', () => {
    const offered = examplesOf(resolved.paths['/prescriptions'].post);
    assert.deepEqual([...new Set(offered.map((o) => o.name))].sort(), [...files.keys()].sort());
    const mediaOf = (format: string) => [
      ...new Set(offered.filter((o) => o.file.format === format).map((o) => o.media)),
    ];
    assert.deepEqual(mediaOf('epu-json'), ['application/json']);
    assert.deepEqual(mediaOf('lgc-xml').sort(), ['application/xml', 'text/xml']);
    assert.deepEqual(mediaOf('fhir-message'), ['application/fhir+json']);
  });

  test('each example posted to POST /prescriptions answers the status the document gives it', async () => {
    const op = resolved.paths['/prescriptions'].post;
    for (const { media, name, file } of examplesOf(op)) {
      const expected = op['x-example-status'][name];
      assert.ok(expected === 201 || expected === 422, `${name}: ${expected}`);
      assert.ok(op.responses[expected], `${name}: ${expected} is a documented answer`);
      const unique = uniquify(file);
      const res = await request(gw.app)
        .post('/prescriptions')
        .set('authorization', await prescriberBearer(unique.prescriberRpps))
        .set('content-type', media)
        .send(wireBody(file.format, unique.body));
      assert.equal(res.status, expected, `${name} as ${media}: ${res.text.slice(0, 300)}`);
    }
  });

  test('each example posted to $process-message answers the status and response code the document gives it', async () => {
    const op = resolved.paths['/fhir/$process-message'].post;
    const offered = examplesOf(op).filter((o) => o.media === 'application/fhir+json');
    assert.deepEqual(
      offered.map((o) => o.name).sort(),
      [...files.values()].filter((f) => f.format === 'fhir-message').map((f) => `fhir-message.${f.name.slice(0, -5)}`),
    );
    assert.ok(offered[0]!.file.valid, 'a valid example is the one shown first');
    for (const { media, name, file } of offered) {
      const unique = uniquify(file);
      const res = await request(gw.app)
        .post('/fhir/$process-message')
        .set('authorization', await prescriberBearer(unique.prescriberRpps))
        .set('content-type', media)
        .send(wireBody(file.format, unique.body));
      assert.equal(res.status, op['x-example-status'][name], name);
      const code = file.valid ? 'ok' : 'fatal-error';
      assert.match(op.requestBody.content[media].examples[name].summary, new RegExp(`response code ${code}$`));
      assert.equal(res.body.entry[0].resource.response.code, code, name);
    }
  });
});

describe('/docs', () => {
  test('is an HTML page that loads only same-origin files the gateway serves, under script-src self', async () => {
    const page = await request(gw.app).get('/docs').expect(200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    const csp = page.headers['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2, 'Swagger UI and its initializer');
    for (const [, attributes, body] of scripts) {
      assert.match(attributes!, /\bsrc="\/docs\/[\w.-]+"/, 'every script is a file of /docs');
      assert.equal(body!.trim(), '', 'no inline script');
    }
    assert.doesNotMatch(page.text, /\son\w+=/i, 'no inline event handler');
    const urls = [...page.text.matchAll(/\b(?:src|href|data-url)="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(urls.includes('/openapi.json'), 'the page renders /openapi.json');
    for (const url of urls) {
      assert.match(url, /^\/(?!\/)/, `${url} is same-origin`);
      const file = await request(gw.app).get(url).buffer(true).expect(200);
      assert.ok(file.headers['content-type'], url);
    }
    const initializer = await request(gw.app).get('/docs/swagger-initializer.js').expect(200);
    assert.match(initializer.headers['content-type'] ?? '', /javascript/);
    assert.match(initializer.text, /SwaggerUIBundle\(/);
    assert.match(initializer.text, /validatorUrl: null/);
  });

  test('serves only the files of its list', async () => {
    for (const name of ['index.html', 'swagger-initializer.js.map', '..%2Fpackage.json', '%2E%2E']) {
      const res = await request(gw.app).get(`/docs/${name}`);
      assert.equal(res.status, 404, name);
      assert.equal(res.body.resourceType, 'OperationOutcome');
    }
    await request(gw.app).get('/docs/..%2F..%2Fpackage.json').expect(404);
  });
});
