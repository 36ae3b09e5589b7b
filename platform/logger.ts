/**
 * Structured JSON logs. The gateway never logs request or response bodies; the redaction list
 * is a second line of defence so that no INS, name or birth date reaches the logs even if a
 * payload object is logged by mistake.
 */
import pino, { type Logger } from 'pino';
import { activeTraceIds } from './trace-context';
import { tracingStarted } from './tracing';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  'payload',
  'prescription',
  'patient',
  '*.patient',
  '*.body',
  '*.payload',
  '*.prescription',
  '*.ins',
  '*.birthDate',
  '*.family',
  '*.given',
  '*.name',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ordo-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // With tracing on, a line written under a span names it, so that logs and traces join.
      ...(tracingStarted() ? { mixin: activeTraceIds } : {}),
    },
    destination,
  );
}

export type { Logger };
