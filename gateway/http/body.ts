/** Reading the request: its body (raw bytes, each route decodes its own format) and the base URL it was sent to. */
import express, { type Request } from 'express';
import { PAYLOAD_LIMITS } from '../../domain/limits';
import { ProblemError, unwrap } from '../../domain/problem';
import { readJson } from '../../mappers/shared/json-reader';

/** The whole body as bytes, whatever its type. */
export const rawBody = express.raw({ type: () => true, limit: PAYLOAD_LIMITS.maxBytes });

export function bodyBytes(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new ProblemError('malformed', [{ code: 'structure', rule: 'V1', message: 'the request body is empty' }]);
  return body;
}

const FHIR_MEDIA_TYPES = ['application/fhir+json', 'application/json'];

/** Unsupported unless the body is FHIR JSON; `demand` starts the message ("send", "$process-message takes"). */
export function requireFhirJson(req: Request, demand = 'send'): void {
  const media = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FHIR_MEDIA_TYPES.includes(media))
    throw new ProblemError('unsupported', [
      { code: 'not-supported', rule: 'F1', message: `${demand} application/fhir+json, got "${media || '(none)'}"` },
    ]);
}

/** The body as JSON (strict UTF-8, nesting limits: mappers/shared/json-reader.ts). */
export const jsonBody = (req: Request): unknown => unwrap(readJson(bodyBytes(req)));

/** The gateway's public base URL (configured, never the request's Host header: createApp sets it). */
export const gatewayBaseOf = (req: Request): string => String(req.app.locals.publicBaseUrl);
