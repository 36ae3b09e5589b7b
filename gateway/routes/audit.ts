/**
 * The auditor API: a read-only FHIR search proxy to the store, for the auditor role only
 * (the route table, gateway/routes/table.ts, says so).
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
import type { Request, RequestHandler, Response } from 'express';
import type { Bundle, FhirResource } from 'fhir/r4';
import { ProblemError } from '../../domain/problem';
import { rewriteBundle } from '../../fhir/public-urls';
import { diagnosticsOf, FhirServerError } from '../../store/fhir-client';
import type { AppDeps } from '../app-deps';
import type { RouteContext } from './route';
import { checkPagingParameters, checkSearchParameters, AUDIT_SEARCH_PARAMETERS } from '../audit/search-whitelist';
import { gatewayBaseOf } from '../http/body';
import { sendFhir } from '../http/fhir-response';

export const AUDIT_API_PATH = '/audit/fhir';

/** A FHIR resource id as the auditor API accepts it in a read. */
export const FHIR_RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const queryOf = (req: Request): URLSearchParams =>
  new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');

/** Where the auditor API serves stored resources: the fullUrls of every Bundle the gateway answers. */
export const auditApiBaseOf = (req: Request): string => `${gatewayBaseOf(req)}${AUDIT_API_PATH}`;

function badRequest(problems: string[]): ProblemError {
  return new ProblemError(
    'malformed',
    problems.map((message) => ({ code: 'not-supported' as const, message })),
  );
}

async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof FhirServerError && (err.status === 404 || err.status === 410)) {
      throw ProblemError.of(err.status === 404 ? 'not-found' : 'gone', 'not-found', 'no such resource');
    }
    if (err instanceof FhirServerError && err.status === 400) {
      const detail = diagnosticsOf(err.outcome);
      throw ProblemError.of('malformed', 'invalid', `the search was refused${detail ? `: ${detail}` : ''}`);
    }
    throw err;
  }
}

/** A resource of the store as the auditor sees it: Bundles' links and fullUrls point at the gateway. */
function sendAudited(deps: AppDeps, req: Request, res: Response, resource: FhirResource): void {
  const body =
    resource.resourceType === 'Bundle'
      ? rewriteBundle(resource as Bundle<FhirResource>, deps.fhir.baseUrl, auditApiBaseOf(req))
      : resource;
  sendFhir(res, 200, body);
}

/** GET /audit/fhir?_getpages=…: next/previous pages. */
export const auditPage =
  ({ deps }: RouteContext): RequestHandler =>
  async (req, res) => {
    const params = queryOf(req);
    const problems = checkPagingParameters(params);
    if (problems.length > 0) throw badRequest(problems);
    const page = await fromStore(() => deps.fhir.request<Bundle<FhirResource>>('GET', `?${params.toString()}`));
    sendAudited(deps, req, res, page.resource);
  };

/** GET /audit/fhir/:type: a whitelisted search. */
export const auditSearch =
  ({ deps }: RouteContext): RequestHandler =>
  async (req, res) => {
    const type = String(req.params.type);
    const params = queryOf(req);
    const problems = checkSearchParameters(type, params);
    if (problems.length > 0) throw badRequest(problems);
    const bundle = await fromStore(() =>
      deps.fhir.request<Bundle<FhirResource>>('GET', `${type}?${params.toString()}`),
    );
    sendAudited(deps, req, res, bundle.resource);
  };

/** GET /audit/fhir/:type/:id: a read. */
export const auditRead =
  ({ deps }: RouteContext): RequestHandler =>
  async (req, res) => {
    const type = String(req.params.type);
    if (!AUDIT_SEARCH_PARAMETERS[type]) throw badRequest([`${type} cannot be read here`]);
    const id = String(req.params.id);
    if (!FHIR_RESOURCE_ID.test(id)) throw ProblemError.of('malformed', 'value', 'not a FHIR resource id');
    const { resource } = await fromStore(() => deps.fhir.request<FhirResource>('GET', `${type}/${id}`));
    sendAudited(deps, req, res, resource);
  };

/** Read-only: every other method, on any path under the API. */
export const auditWrite = (): RequestHandler => (req) => {
  if (req.method === 'GET' || req.method === 'HEAD')
    throw ProblemError.of('not-found', 'not-found', `no auditor endpoint ${req.path}`);
  throw new ProblemError('not-allowed', [{ code: 'not-supported', message: 'the auditor API is read-only' }], {
    allow: 'GET',
  });
};
