/**
 * Which failures of a DMP job are worth retrying. The rule: retry what may succeed later (the
 * network, a 5xx, a timeout, a conflict with a concurrent writer, Redis), dead-letter at once what
 * cannot (a 4xx answer, a prescription that does not exist or cannot be read, a document that
 * cannot be built or signed — the same input gives the same failure every time).
 */
import { UnrecoverableError } from 'bullmq';
import { FhirServerError } from '../../store/fhir-client';
import { PoisonJobError } from '../../usecases/dmp/errors';

export type FailureVerdict = { retry: true } | { retry: false; reason: string };

export function classifyFailure(err: unknown): FailureVerdict {
  if (err instanceof PoisonJobError || err instanceof UnrecoverableError) return { retry: false, reason: err.message };
  if (err instanceof FhirServerError) {
    // 409/412: a concurrent conditional create of the same publication, or a version that moved:
    // the next attempt reads again and finds what the other writer stored.
    if (err.transient || err.isConflict) return { retry: true };
    return { retry: false, reason: err.message };
  }
  return { retry: true };
}
