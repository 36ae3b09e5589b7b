/**
 * Optimistic concurrency, the one loop: read, decide, write guarded by If-Match on every version
 * read; when the store answers that a version moved on (someone else committed in between, in
 * this process or another), everything is read and decided again. No lock is held anywhere:
 * the store's versioning is the only arbiter, so it holds across gateway processes.
 */
import { isConflict, ProblemError } from '../../domain/problem';

/** Fresh reads after a version conflict before giving up (each conflict means someone else committed). */
export const MAX_ATTEMPTS = 4;

/** Thrown by `write` when the guarded write lost the race: the attempt is started again. */
class StaleRead extends Error {
  constructor() {
    super('a version read by this attempt moved on');
    this.name = 'StaleRead';
  }
}

export interface Attempt {
  /** 0 for the first attempt. */
  index: number;
  /** A previous attempt lost a race (its decision was taken on a state that moved on). */
  afterConflict: boolean;
  /** Runs the attempt's guarded write; a version conflict there starts a new attempt. */
  write<T>(guarded: () => Promise<T>): Promise<T>;
}

async function write<T>(guarded: () => Promise<T>): Promise<T> {
  try {
    return await guarded();
  } catch (err) {
    if (isConflict(err)) throw new StaleRead();
    throw err;
  }
}

/** Runs `attempt` until it returns, at most MAX_ATTEMPTS times; then a conflict saying `exhausted`. */
export async function withFreshReads<T>(attempt: (a: Attempt) => Promise<T>, exhausted: string): Promise<T> {
  let afterConflict = false;
  for (let index = 0; index < MAX_ATTEMPTS; index++) {
    try {
      return await attempt({ index, afterConflict, write });
    } catch (err) {
      if (!(err instanceof StaleRead)) throw err;
      afterConflict = true;
    }
  }
  throw ProblemError.of('conflict', 'conflict', exhausted);
}
