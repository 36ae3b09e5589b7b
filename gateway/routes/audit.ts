/**
 * The auditor API: a read-only FHIR search proxy to the store, for the auditor role only
 * (the route table, gateway/routes/table.ts, says so).
 *
 *   GET /audit/fhir/metadata      the CapabilityStatement (public, like any FHIR server's)
 *   GET /audit/fhir/:type         search, parameters whitelisted per type (400 otherwise)
 *   GET /audit/fhir/:type/:id     read
 *   GET /audit/fhir?_getpages=…   next/previous pages (HAPI paging links, rewritten to here)
 *   a type not served             404
 *   any other method              405
 *
 * Every resource answered goes through the auditor view (../audit/auditor-view.ts: no patient
 * demographics). Links and fullUrls of returned Bundles point at the gateway, never at the FHIR
 * store (fhir/public-urls.ts; the prescription Bundles use the same fullUrls).
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
import { auditorBundle, auditorView } from '../audit/auditor-view';
import { auditorCapabilityStatement } from '../audit/capability-statement';
import { AUDITED_TYPES, checkPagingParameters, checkSearchParameters, isAuditedType } from '../audit/search-whitelist';
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

/** A type the API does not serve is, for the auditor, a resource that is not there. */
function notServed(): ProblemError {
  return ProblemError.of(
    'not-found',
    'not-found',
    `this resource type is not served by the auditor API; served types: ${AUDITED_TYPES.join(', ')}`,
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

/**
 * A resource of the store as the auditor sees it: minimised (no patient demographics), Bundles' links and
 * fullUrls pointing at the gateway. A resource of a type not served is not there.
 */
function sendAudited(deps: AppDeps, req: Request, res: Response, resource: FhirResource): void {
  const body =
    resource.resourceType === 'Bundle'
      ? auditorBundle(rewriteBundle(resource as Bundle<FhirResource>, deps.fhir.baseUrl, auditApiBaseOf(req)))
      : auditorView(resource);
  if (!body) throw notServed();
  sendFhir(res, 200, body);
}

/** GET /audit/fhir/metadata: what the API serves (public: routes/table.ts). */
export function auditMetadata({ useCases }: RouteContext): RequestHandler {
  const startedAt = useCases.now().toISOString();
  return (req, res) => {
    sendFhir(res, 200, auditorCapabilityStatement(auditApiBaseOf(req), startedAt), { cacheable: true });
  };
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
    if (!isAuditedType(type)) throw notServed();
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
    if (!isAuditedType(type)) throw notServed();
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
