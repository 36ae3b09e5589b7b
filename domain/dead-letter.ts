/**
 * A dead letter: a queued job that failed for good (a DMP publication, an audit record), as the
 * operations API lists it (GET /admin/dead-letters, queue/dead-letters.ts) and the console shows it.
 */
export interface DeadLetter {
  id: string;
  queue: string;
  /** The prescription the job is about (a DMP job's number, an audit record's entity). */
  number?: string;
  /** What the job does: publish / deprecate / withdraw, or the audit event name. */
  action: string;
  reason: string;
  attempts: number;
  /** When it failed for good (ISO instant). */
  failedAt?: string;
}
