/**
 * What a route of the HTTP API is: one declaration carries its method and path, who may call it
 * (rules/access/policy.ts grants), what the audit trail records, and its handler. The table of all of them is gateway/routes/table.ts: adding a route
 * is adding one entry there.
 */
import type { ConformanceCatalog } from '../conformance/catalog';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { AuditAction } from '../../usecases/audit/audit-job';
import type { Grants } from '../../rules/access/policy';
import type { UseCaseDeps } from '../../usecases/ports';
import type { AppDeps } from '../app-deps';
import type { JsonObject } from '../openapi/types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a route records in the audit trail; `null`: nothing on success (no patient data is
 * touched); refused accesses (401/403/429) are recorded on every route anyway.
 *
 * `entity` says where the accessed thing is found:
 *   number    the :number path parameter (a prescription number)
 *   location  the Location header of the answer (a created prescription), else what the
 *             use case noted (e.g. the number a scanned QR code named)
 *   fhir      the auditor API: `Type/id` for a read, the query for a search
 *   request   the operations routes: the request's path and query as the query (`/admin/dead-letters/
 *             dmp-publish/<job>/retry`), plus what the handler noted (the job's prescription number)
 */
export interface RouteAuditSpec {
  interaction: string;
  action: AuditAction;
  entity: 'number' | 'location' | 'fhir' | 'request' | 'none';
}

export interface RouteDefinition {
  /** Stable name, used by the audit trail and the tests. */
  id: string;
  /** '*' matches every method (used to give a read-only API its 405s). */
  method: HttpMethod | '*';
  /** `:name` matches one segment, a final `/*` any rest (or nothing). */
  path: string;
  /** No authentication at all: liveness, readiness, the API documentation, the CapabilityStatements and conformance resources (nothing about patients). */
  public?: true;
  /** Who may call it; a role not named is refused. */
  allow: Grants;
  audit: RouteAuditSpec | null;
  /** The body is read as raw bytes, whatever its type: each handler decodes its own format. */
  rawBody?: true;
  /** Served by a sub-application mounted at the path's prefix (the queue dashboard). */
  mount?: true;
  handler: (ctx: RouteContext) => RequestHandler;
}

/** What handlers are built from, once per application: its connections and the use cases' ports over them. */
export interface RouteContext {
  deps: AppDeps;
  useCases: UseCaseDeps;
  /** The OpenAPI document of the application (gateway/openapi), served at /openapi.json. */
  apiDocument: JsonObject;
  /** The conformance resources served at /fhir/<Type> (one catalog per application: its snapshots are asked once). */
  conformance: () => Promise<ConformanceCatalog>;
  /** The application's HTTP request series (gateway/http/request-metrics.ts), served at /metrics. */
  requestMetrics: Registry;
}

export interface MatchedRoute<R extends RouteDefinition = RouteDefinition> {
  rule: R;
  params: Record<string, string>;
}

interface CompiledRoute<R extends RouteDefinition> {
  rule: R;
  pattern: RegExp;
  names: string[];
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function compile<R extends RouteDefinition>(rule: R): CompiledRoute<R> {
  const names: string[] = [];
  let source = '';
  const segments = rule.path.split('/').slice(1);
  segments.forEach((segment, i) => {
    if (segment === '*' && i === segments.length - 1) {
      source += '(?:/.*)?';
      return;
    }
    if (segment.startsWith(':')) {
      names.push(segment.slice(1));
      source += '/([^/]+)';
      return;
    }
    source += `/${escape(segment)}`;
  });
  return { rule, names, pattern: new RegExp(`^${source}/?$`) };
}

/**
 * A matcher over routes: the first route matching a request (HEAD is matched as GET), or undefined: then
 * nobody may call it.
 */
export function routeMatcher<R extends RouteDefinition>(
  routes: readonly R[],
): (method: string, path: string) => MatchedRoute<R> | undefined {
  const compiled = routes.map(compile);
  return (method, path) => {
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    for (const { rule, pattern, names } of compiled) {
      if (rule.method !== '*' && rule.method !== m) continue;
      const found = pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = found[i + 1] ?? '';
      });
      return { rule, params };
    }
    return undefined;
  };
}

/** The route's path in Express 5 syntax (a final `/*` becomes an optional wildcard). */
export function expressPathsOf(route: RouteDefinition): string[] {
  if (!route.path.endsWith('/*')) return [route.path];
  const prefix = route.path.slice(0, -2);
  return [prefix, `${prefix}/*rest`];
}
