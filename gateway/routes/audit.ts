/**
 * The auditor API: a read-only FHIR search proxy to the store, for the auditor role only
 * (the route table in rules/access/policy.ts says so).
 *
 *   GET /audit/fhir/:type         search, parameters whitelisted per type (400 otherwise)
 *   GET /audit/fhir/:type/:id     read
 *   GET /audit/fhir?_getpages=…   next/previous pages (HAPI paging links, rewritten to here)
 *   any other method              405
 *
 * Links and fullUrls of returned Bundles point at the gateway, never at the FHIR store
 * (fhir/public-urls.ts; the prescription Bundles use the same fullUrls).
 * "Who read prescription N, when, from where":
 *   GET /audit/fhir/AuditEvent?entity-identifier=urn:oid:1.2.250.1.215.500.1.1|N&subtype=read
 */
import { Router, type Request, type Response } from 'express';
import type { Bundle, FhirResource } from 'fhir/r4';
import { diagnosticsOf, FhirServerError, type FhirClient } from '../../store/fhir-client';
import { rewriteBundle } from '../../fhir/public-urls';
import { checkPagingParameters, checkSearchParameters, AUDIT_SEARCH_PARAMETERS } from '../audit/search-whitelist';
import { FHIR_JSON } from '../error-handler';
import { HttpProblem } from '../http-problem';

export const AUDIT_API_PATH = '/audit/fhir';

export interface AuditApiDeps {
  fhir: FhirClient;
}

const queryOf = (req: Request): URLSearchParams => new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');

/** The gateway's address as the client reached it. */
export const gatewayBaseOf = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/** Where the gateway serves stored resources, as the client reached it: the base of every stored resource's fullUrl in an answer. */
export const auditApiBaseOf = (req: Request): string => `${gatewayBaseOf(req)}${AUDIT_API_PATH}`;

function badRequest(problems: string[]): HttpProblem {
  return new HttpProblem(400, problems.map((message) => ({ code: 'not-supported' as const, message })));
}

/** The store's own 4xx answers (unknown id, bad parameter value) reach the auditor as such. */
async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof FhirServerError && (err.status === 404 || err.status === 410)) throw HttpProblem.of(err.status, 'not-found', 'no such resource');
    if (err instanceof FhirServerError && err.status === 400) {
      const detail = diagnosticsOf(err.outcome);
      throw HttpProblem.of(400, 'invalid', `the search was refused${detail ? `: ${detail}` : ''}`);
    }
    throw err;
  }
}

export function auditRouter(deps: AuditApiDeps): Router {
  const router = Router();
  const send = (req: Request, res: Response, resource: FhirResource) => {
    const body = resource.resourceType === 'Bundle' ? rewriteBundle(resource as Bundle<FhirResource>, deps.fhir.baseUrl, auditApiBaseOf(req)) : resource;
    res.type(FHIR_JSON).setHeader('cache-control', 'private, no-store');
    res.send(JSON.stringify(body));
  };

  router.get(AUDIT_API_PATH, async (req, res) => {
    const params = queryOf(req);
    const problems = checkPagingParameters(params);
    if (problems.length > 0) throw badRequest(problems);
    const page = await fromStore(() => deps.fhir.request<Bundle<FhirResource>>('GET', `?${params.toString()}`));
    send(req, res, page.resource);
  });

  router.get(`${AUDIT_API_PATH}/:type`, async (req, res) => {
    const type = String(req.params.type);
    const params = queryOf(req);
    const problems = checkSearchParameters(type, params);
    if (problems.length > 0) throw badRequest(problems);
    const bundle = await fromStore(() => deps.fhir.request<Bundle<FhirResource>>('GET', `${type}?${params.toString()}`));
    send(req, res, bundle.resource);
  });

  router.get(`${AUDIT_API_PATH}/:type/:id`, async (req, res) => {
    const type = String(req.params.type);
    if (!AUDIT_SEARCH_PARAMETERS[type]) throw badRequest([`${type} cannot be read here`]);
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw HttpProblem.of(400, 'value', 'not a FHIR resource id');
    const { resource } = await fromStore(() => deps.fhir.request<FhirResource>('GET', `${type}/${id}`));
    send(req, res, resource);
  });

  // Read-only: every other method, on any path under the API.
  router.all([AUDIT_API_PATH, `${AUDIT_API_PATH}/*rest`], (req) => {
    if (req.method === 'GET' || req.method === 'HEAD') throw HttpProblem.of(404, 'not-found', `no auditor endpoint ${req.path}`);
    throw new HttpProblem(405, [{ code: 'not-supported', message: 'the auditor API is read-only' }], { allow: 'GET' });
  });

  return router;
}
