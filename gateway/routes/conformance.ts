/**
 * The gateway's conformance resources, readable and searchable without a token, as any FHIR
 * server serves its definitions (they say nothing about patients):
 *   GET /fhir/{type}        a searchset of them, filtered by url (with an optional |version),
 *                           _id, name or version
 *   GET /fhir/{type}/{id}   one of them
 * {type}: StructureDefinition, SearchParameter, MessageDefinition, OperationDefinition,
 * CodeSystem, ValueSet (gateway/conformance/catalog.ts). Any other type is a 404.
 */
import type { RequestHandler } from 'express';
import type { Bundle, FhirResource } from 'fhir/r4';
import { ProblemError } from '../../domain/problem';
import { isConformanceType, type ConformanceType } from '../conformance/catalog';
import { gatewayBaseOf } from '../http/body';
import { sendFhir } from '../http/fhir-response';
import type { RouteContext } from './route';

/** Search parameters understood; others are refused (a silently ignored filter would answer too much). */
const FILTERS: Readonly<Record<string, (r: FhirResource, value: string) => boolean>> = {
  url: (r, value) => {
    const [url, version] = value.split('|');
    const resource = r as { url?: string; version?: string };
    return resource.url === url && (version === undefined || resource.version === version);
  },
  _id: (r, value) => value.split(',').includes(r.id ?? ''),
  name: (r, value) => ((r as { name?: string }).name ?? '').toLowerCase().startsWith(value.toLowerCase()),
  version: (r, value) => (r as { version?: string }).version === value,
};
/** Parameters that change nothing here: the answer is always JSON, never paged (the catalog is small). */
const IGNORED = new Set(['_format', '_pretty', '_count', '_summary', '_total']);

function typeOf(raw: string): ConformanceType {
  if (raw && isConformanceType(raw)) return raw;
  throw ProblemError.of('not-found', 'not-found', `the gateway serves no ${raw} resources`);
}

function filtersOf(query: Record<string, unknown>): Array<(r: FhirResource) => boolean> {
  return Object.entries(query).flatMap(([name, raw]) => {
    if (IGNORED.has(name)) return [];
    const filter = Object.hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
    if (!filter || typeof raw !== 'string')
      throw ProblemError.of(
        'malformed',
        'not-supported',
        `search parameter ${name} is not supported here (once each: ${Object.keys(FILTERS).join(', ')})`,
      );
    return [(r: FhirResource) => filter(r, raw)];
  });
}

export function conformanceSearch({ conformance }: RouteContext): RequestHandler {
  return async (req, res) => {
    const catalog = await conformance();
    const type = typeOf(String(req.params.type));
    const filters = filtersOf(req.query as Record<string, unknown>);
    const base = `${gatewayBaseOf(req)}/fhir`;
    const found = catalog[type].filter((r) => filters.every((keep) => keep(r)));
    const self = `${base}${req.originalUrl.slice(req.originalUrl.indexOf(`/${type}`))}`;
    const bundle: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: found.length,
      link: [{ relation: 'self', url: self }],
      entry: found.map((resource) => ({
        fullUrl: `${base}/${type}/${resource.id}`,
        resource,
        search: { mode: 'match' },
      })),
    };
    sendFhir(res, 200, bundle, { cacheable: true });
  };
}

export function conformanceRead({ conformance }: RouteContext): RequestHandler {
  return async (req, res) => {
    const catalog = await conformance();
    const type = typeOf(String(req.params.type));
    const resource = catalog[type].find((r) => r.id === req.params.id);
    if (!resource) throw ProblemError.of('not-found', 'not-found', `${type}/${req.params.id} is not known`);
    sendFhir(res, 200, resource, { cacheable: true });
  };
}
