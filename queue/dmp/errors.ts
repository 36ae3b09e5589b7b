/**
 * Which failures of a DMP job are worth retrying. The rule: retry what may succeed later (the
 * network, a 5xx, a timeout, a conflict with a concurrent writer, Redis), dead-letter at once what
 * cannot (a 4xx answer, a prescription that does not exist or cannot be read, a document that
 * cannot be built or signed — the same input gives the same failure every time).
 */
import { UnrecoverableError } from 'bullmq';
import { FhirServerError } from '../../store/fhir-client';

/** A failure that repeats identically on every attempt: the job goes to the dead letters at once. */
export class PoisonJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonJobError';
  }
}

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

/** Runs a deterministic step (pure builders, signing): whatever it throws is a poison. */
export async function deterministic<T>(what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new PoisonJobError(`${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}
