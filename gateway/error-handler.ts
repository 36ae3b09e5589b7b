/**
 * Renders every failure as a FHIR OperationOutcome, once, at the edge. Clients never see a
 * stack trace; operators find the detail in the log line carrying the same request id.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { toOperationOutcome, type Problem } from '../domain/problem';
import { FhirServerError } from '../store/fhir-client';
import { HttpProblem } from './http-problem';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export function sendOutcome(res: Parameters<RequestHandler>[1], status: number, problems: Problem[]): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(toOperationOutcome(problems)));
}

/** Errors raised by express's body parsers carry a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

function classify(err: unknown, requestId: string): { status: number; problems: Problem[]; log: boolean } {
  if (err instanceof HttpProblem) return { status: err.status, problems: err.problems, log: err.status >= 500 };
  if (err instanceof FhirServerError) {
    if (err.status === 0 || err.transient) {
      return {
        status: err.status === 504 || err.status === 0 ? 503 : 502,
        problems: [{ code: 'transient', message: `The FHIR store is unavailable; retry later (request ${requestId})` }],
        log: true,
      };
    }
    if (err.isConflict) {
      return { status: 409, problems: [{ code: 'conflict', message: 'The resource was changed by someone else; read it again and retry' }], log: true };
    }
    return { status: 502, problems: [{ code: 'exception', message: `The FHIR store refused the request (request ${requestId})` }], log: true };
  }
  const bodyError = err as BodyParserError;
  if (bodyError?.type === 'entity.too.large') {
    return { status: 413, problems: [{ code: 'too-long', message: 'The request body is larger than 1 MiB (1,048,576 bytes)' }], log: false };
  }
  if (bodyError?.type === 'entity.parse.failed') {
    return { status: 400, problems: [{ code: 'structure', message: 'The request body is not well-formed' }], log: false };
  }
  if (bodyError?.type === 'encoding.unsupported' || bodyError?.type === 'charset.unsupported') {
    return { status: 415, problems: [{ code: 'not-supported', message: 'Unsupported content encoding or charset' }], log: false };
  }
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return { status: bodyError.status, problems: [{ code: 'invalid', message: 'The request could not be read' }], log: false };
  }
  return { status: 500, problems: [{ code: 'exception', message: `Internal error (request ${requestId})` }], log: true };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  const { status, problems, log } = classify(err, requestId);
  if (log) req.log?.error({ err, status }, 'request failed');
  if (err instanceof HttpProblem) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  if (res.headersSent) return;
  sendOutcome(res, status, problems);
};

export const notFoundHandler: RequestHandler = (req, res) => {
  sendOutcome(res, 404, [{ code: 'not-found', message: `No route for ${req.method} ${req.path}` }]);
};
