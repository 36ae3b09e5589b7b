/** The one way the gateway sends FHIR JSON: media type, no caching of patient data, exact length. */
import type { Response } from 'express';
import { toOperationOutcome, type Problem } from '../../domain/problem';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface SendOptions {
  /** Whether the answer may be cached (the CapabilityStatement); patient data never is. */
  cacheable?: boolean;
}

export function sendFhir(
  res: Response,
  status: number,
  resource: unknown,
  { cacheable = false }: SendOptions = {},
): void {
  const body = Buffer.from(JSON.stringify(resource), 'utf8');
  res.status(status).setHeader('content-type', FHIR_JSON);
  if (!cacheable) res.setHeader('cache-control', 'private, no-store');
  res.setHeader('content-length', body.length);
  res.end(body);
}

export const sendOutcome = (res: Response, status: number, problems: readonly Problem[]): void =>
  sendFhir(res, status, toOperationOutcome(problems));
