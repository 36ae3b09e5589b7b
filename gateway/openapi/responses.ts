/**
 * The error answers of the API documentation: every refusal or failure is a FHIR OperationOutcome
 * (gateway/http/error-handler.ts) with the status of its problem kind (gateway/http/problem-status.ts),
 * and the headers that status always carries.
 */
import { PAYLOAD_LIMITS } from '../../domain/limits';
import { ref } from './schemas';
import type { JsonObject } from './types';

export const ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 502, 503] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

const MIB = 1_048_576;

export const HEADERS: Record<string, JsonObject> = {
  RetryAfter: {
    description: 'Seconds to wait before sending the same request again (it may be sent again as it is).',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
  WwwAuthenticate: {
    description:
      'Why the token was refused: `Bearer realm="ordo-gateway", error="invalid_token", error_description="…"`.',
    required: true,
    schema: { type: 'string' },
  },
  Allow: { description: 'The methods the path allows.', required: true, schema: { type: 'string', example: 'GET' } },
  Location: { description: 'Where the created thing is read.', required: true, schema: { type: 'string' } },
};

const header = (name: keyof typeof HEADERS & string): JsonObject => ({ $ref: `#/components/headers/${name}` });

interface ErrorAnswer {
  name: string;
  description: string;
  headers?: Record<string, JsonObject>;
}

/** What each error status means on any route; a route's documentation may say more (operations.ts). */
const ERRORS: Readonly<Record<ErrorStatus, ErrorAnswer>> = {
  400: {
    name: 'BadRequest',
    description: 'Malformed request: an unreadable body, a path segment or query that is not what is expected.',
  },
  401: {
    name: 'Unauthorized',
    description:
      'No valid access token: missing, expired, not yet valid, forged, of another issuer or audience, or of an algorithm not accepted (issue code `login`). Nothing reached the FHIR store.',
    headers: { 'WWW-Authenticate': header('WwwAuthenticate') },
  },
  403: {
    name: 'Forbidden',
    description: 'The token’s role or profession may not call this route (issue code `forbidden`).',
  },
  404: { name: 'NotFound', description: 'Nothing of that name.' },
  405: {
    name: 'MethodNotAllowed',
    description: 'The method is not allowed here.',
    headers: { Allow: header('Allow') },
  },
  409: { name: 'Conflict', description: 'The current state of what is named does not allow the request.' },
  410: { name: 'Gone', description: 'The resource was deleted.' },
  413: {
    name: 'ContentTooLarge',
    description: `The request body is larger than ${PAYLOAD_LIMITS.maxBytes / MIB} MiB (${PAYLOAD_LIMITS.maxBytes.toLocaleString('en-US')} bytes).`,
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body’s media type (or encoding) is not one this route reads.',
  },
  422: {
    name: 'UnprocessableContent',
    description: 'The body is readable but breaks a rule; each issue’s `expression` is the path of the faulty field.',
  },
  429: {
    name: 'TooManyRequests',
    description:
      'Too many prescription number lookups by this professional (issue code `throttled`): one budget for every route that resolves a number.',
    headers: { 'Retry-After': header('RetryAfter') },
  },
  500: {
    name: 'InternalError',
    description:
      'An unexpected failure of the gateway; the issue quotes the request id (X-Request-Id) for the operators.',
  },
  502: {
    name: 'BadGateway',
    description: 'The FHIR store refused what the gateway sent it; the issue quotes the request id.',
  },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A dependency is down — the FHIR store, Redis (the audit trail: no answer leaves without its audit record), or the token issuer’s keys: send the same request again after Retry-After seconds.',
    headers: { 'Retry-After': header('RetryAfter') },
  },
};

const errorAnswer = ({ description, headers }: ErrorAnswer): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/fhir+json': { schema: ref('OperationOutcome') } },
});

/** components.responses: one per error status. */
export function componentResponses(): Record<string, JsonObject> {
  return Object.fromEntries(ERROR_STATUSES.map((status) => [ERRORS[status].name, errorAnswer(ERRORS[status])]));
}

/**
 * An operation's answer for an error status: the shared one, or the same with the route's own
 * description when it has one (what the status means on that route).
 */
export function errorResponse(status: ErrorStatus, description?: string): JsonObject {
  const shared = ERRORS[status];
  if (description === undefined) return { $ref: `#/components/responses/${shared.name}` };
  return errorAnswer({ ...shared, description });
}
