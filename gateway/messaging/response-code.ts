/**
 * The one mapping from a failed $process-message event to its response code (FHIR R4
 * MessageHeader.response.code), the messaging counterpart of gateway/http/problem-status.ts:
 *   transient-error  the FHIR store or Redis is unavailable, or the sender's lookups are throttled:
 *                    send the same message again later
 *   fatal-error      the message was refused (any ProblemError of the use cases, or the store refusing a
 *                    value it carries — the same message would fail the same way): the problems say why
 *   undefined        not the message's fault (a fault of the gateway or of the store's answers):
 *                    left to the HTTP error handler
 */
import { ProblemError, type Problem } from '../../domain/problem';
import { FhirServerError } from '../../store/fhir-client';
import { HTTP_STATUS } from '../http/problem-status';
import type { ResponseCode } from '../../usecases/messaging/response-message';

export interface FailedMessage {
  code: Exclude<ResponseCode, 'ok'>;
  problems: Problem[];
  /** The HTTP status the failure would have on a REST route (what the audit trail records). */
  status: number;
}

/** Kinds that pass with time: the sender resends the same message later. */
const TRANSIENT_KINDS = new Set(['unavailable', 'throttled']);

export function failedMessageOf(err: unknown): FailedMessage | undefined {
  if (err instanceof FhirServerError && err.transient) {
    return {
      code: 'transient-error',
      status: 503,
      problems: [{ code: 'transient', message: 'the FHIR store is unavailable; send the same message again later' }],
    };
  }
  if (err instanceof ProblemError && (!(err instanceof FhirServerError) || err.fault === 'payload')) {
    const code = TRANSIENT_KINDS.has(err.kind) ? 'transient-error' : 'fatal-error';
    return { code, status: HTTP_STATUS[err.kind], problems: err.problems };
  }
  return undefined;
}
