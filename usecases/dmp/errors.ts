/**
 * A publication failure that no retry can fix: a prescription that does not exist or cannot be
 * read, a document that cannot be built or signed — the same input gives the same failure every
 * time. The queue dead-letters it at once (queue/dmp/errors.ts).
 */
export class PoisonJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonJobError';
  }
}

/** Runs a deterministic step (pure builders, signing): whatever it throws is a poison. */
export async function deterministic<T>(what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new PoisonJobError(`${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}
