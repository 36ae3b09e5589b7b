/**
 * Renders every failure as a FHIR OperationOutcome, once, at the edge. Clients never see a
 * stack trace; operators find the detail in the log line carrying the same request id.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { sendOutcome } from './fhir-response';
import { classify } from './problem-status';

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = String(req.id ?? '');
  const { status, problems, headers, log } = classify(err, requestId);
  if (log) req.log?.error({ err, status }, 'request failed');
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendOutcome(res, status, problems);
};

export const notFoundHandler: RequestHandler = (req, res) => {
  sendOutcome(res, 404, [{ code: 'not-found', message: `No route for ${req.method} ${req.path}` }]);
};
