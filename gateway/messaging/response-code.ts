/**
 * The one mapping from a failed $process-message event to its response code (FHIR R4
 * MessageHeader.response.code), the messaging counterpart of gateway/http/problem-status.ts:
 *   transient-error  the FHIR store is unavailable: send the same message again later
 *   fatal-error      the message was refused (any ProblemError of the use cases, or the store refusing a
 *                    value it carries — the same message would fail the same way): the problems say why
 *   undefined        not the message's fault (a fault of the gateway or of the store's answers):
 *                    left to the HTTP error handler
 */
import { ProblemError, type Problem } from '../../domain/problem';
import { FhirServerError } from '../../store/fhir-client';
import type { ResponseCode } from '../../usecases/messaging/response-message';

export interface FailedMessage {
  code: Exclude<ResponseCode, 'ok'>;
  problems: Problem[];
}

export function failedMessageOf(err: unknown): FailedMessage | undefined {
  if (err instanceof FhirServerError && err.transient) {
    return {
      code: 'transient-error',
      problems: [{ code: 'transient', message: 'the FHIR store is unavailable; send the same message again later' }],
    };
  }
  if (err instanceof ProblemError && (!(err instanceof FhirServerError) || err.fault === 'payload'))
    return { code: 'fatal-error', problems: err.problems };
  return undefined;
}
