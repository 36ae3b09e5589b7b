/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table (gateway/routes/table.ts):
 * its paths and methods are the table's, so it cannot describe a route that does not exist or miss
 * one that does. What is said about each route is in operations.ts (by route id); who may call it,
 * the path parameters and the errors every guarded route can give are derived from the table entry.
 */
import { MAPPERS } from '../../mappers';
import type { Grant, Grants } from '../../rules/access/policy';
import { ROUTES, type Route } from '../routes/table';
import {
  API_DESCRIPTION,
  exampleName,
  operationDocs,
  SECURITY_DESCRIPTION,
  TAGS,
  type Method,
  type OperationDoc,
} from './operations';
import { PATH_PARAMETERS } from './parameters';
import { componentResponses, errorResponse, HEADERS, type ErrorStatus } from './responses';
import { componentSchemas } from './schemas';
import type { JsonObject } from './types';
import { readVendorExamples, type VendorExample } from './vendor-examples';
import packageJson from '../../package.json';

const OPENAPI_VERSION = '3.1.0';

/** A table path as an OpenAPI path: `:name` → `{name}`, a final `/*` (a prefix) dropped. */
const openApiPathOf = (path: string): string => path.replace(/\/\*$/, '').replace(/:(\w+)/g, '{$1}');

const parameterNamesOf = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

const grantText = (grant: Grant): string => (grant === 'any' ? 'any profession' : grant.join(', '));

function accessText(route: Route): string {
  if ('public' in route && route.public) return '**Access**: public (no token).';
  const grants = Object.entries(route.allow as Grants) as [string, Grant][];
  return `**Access**: ${grants.map(([role, grant]) => `${role} (${grantText(grant)})`).join('; ')}.`;
}

/** The errors a route can give whatever it does: those of the security interceptor, and of reading a body. */
function inheritedErrors(route: Route): ErrorStatus[] {
  const guarded = !('public' in route && route.public);
  const readsBody = 'rawBody' in route && route.rawBody;
  return [...(guarded ? ([401, 403, 500, 503] as const) : []), ...(readsBody ? ([400, 413] as const) : [])];
}

function responsesOf(route: Route, doc: OperationDoc): JsonObject {
  const own = doc.errors ?? {};
  const statuses = new Set<ErrorStatus>([
    ...inheritedErrors(route),
    ...(Object.keys(own).map(Number) as ErrorStatus[]),
  ]);
  const errors = [...statuses]
    .sort((a, b) => a - b)
    .map((status) => [String(status), errorResponse(status, own[status] ?? undefined)]);
  return { ...doc.responses, ...Object.fromEntries(errors) };
}

function pathParametersOf(route: Route, doc: OperationDoc): JsonObject[] {
  return parameterNamesOf(route.path).map((name) => {
    const own = doc.pathParameters?.[name];
    if (own) return own;
    if (!PATH_PARAMETERS[name])
      throw new Error(`route ${route.id}: path parameter :${name} is not described in gateway/openapi/parameters.ts`);
    return { $ref: `#/components/parameters/${name}` };
  });
}

function methodsOf(route: Route, doc: OperationDoc): readonly Method[] {
  if (route.method !== '*') {
    if (doc.methods) throw new Error(`route ${route.id}: methods are documented only for a route of any method`);
    return [route.method.toLowerCase() as Method];
  }
  if (!doc.methods?.length) throw new Error(`route ${route.id} answers any method: say which are documented`);
  return doc.methods;
}

function operationOf(route: Route, doc: OperationDoc, method: Method, several: boolean): JsonObject {
  const isPublic = 'public' in route && route.public;
  return {
    operationId: several ? `${route.id}.${method}` : route.id,
    tags: [doc.tag],
    summary: doc.summary,
    description: `${doc.description}\n\n${accessText(route)}`,
    ...(isPublic ? { security: [] } : {}),
    parameters: [...pathParametersOf(route, doc), ...(doc.parameters ?? [])],
    ...(doc.requestBody ? { requestBody: doc.requestBody } : {}),
    responses: responsesOf(route, doc),
    ...(doc.exampleStatus ? { 'x-example-status': doc.exampleStatus } : {}),
    'x-route-id': route.id,
  };
}

function exampleComponent(e: VendorExample): JsonObject {
  const latin1 =
    e.encoding === 'latin1' ? ' The file is ISO-8859-1, as its XML declaration says: send its bytes as they are.' : '';
  return {
    summary: e.name,
    description: `profiles/vendor-examples/${e.format}/${e.name} (${e.valid ? 'valid' : 'invalid'}).${latin1}`,
    value: e.format === 'lgc-xml' ? e.body : JSON.parse(e.body),
  };
}

export interface DocumentOptions {
  /** The gateway's public address (PUBLIC_BASE_URL): the document's server. */
  serverUrl: string;
}

export function openApiDocument({ serverUrl }: DocumentOptions): JsonObject {
  const examples = readVendorExamples(MAPPERS.map((m) => m.format));
  const docs = operationDocs(examples);
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTES) {
    const doc: OperationDoc = docs[route.id];
    const methods = methodsOf(route, doc);
    const item = (paths[openApiPathOf(route.path)] ??= {});
    for (const method of methods) {
      if (item[method]) throw new Error(`${method.toUpperCase()} ${route.path} is documented twice`);
      item[method] = operationOf(route, doc, method, methods.length > 1);
    }
  }
  return {
    openapi: OPENAPI_VERSION,
    info: { title: 'ordo-gateway', version: packageJson.version, description: API_DESCRIPTION },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: SECURITY_DESCRIPTION },
      },
      schemas: componentSchemas(),
      parameters: PATH_PARAMETERS,
      headers: HEADERS,
      responses: componentResponses(),
      examples: Object.fromEntries(examples.map((e) => [exampleName(e), exampleComponent(e)])),
    },
  };
}
