/**
 * The dead letters, for operators (the console's Operations page, or any client with an operator's
 * bearer token): the same listing and retry as `ordo-admin dead-letters` (queue/dead-letters.ts).
 *
 *   GET  /admin/dead-letters[?queue=dmp-publish|audit]   the failed jobs (both queues by default; the
 *                                                        200 most recent of each, and how many there are)
 *   POST /admin/dead-letters/{queue}/{jobId}/retry       one of them queued again
 *
 * Both are audited by the security interceptor like every route (routes/table.ts), refused or not:
 * the record names the operator (agent), the request's path and query as its query entity (the
 * queue, the job) and, for a retry, the prescription the job is about, so that the retry is also in
 * that prescription's timeline. A retry with
 * the console's cookie must come from the console's origin (security/interceptor.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import { ProblemError } from '../../domain/problem';
import {
  DEAD_LETTER_QUEUES,
  deadLetterQueueOf,
  listDeadLetters,
  retryDeadLetter,
  type DeadLetter,
} from '../../queue/dead-letters';
import { callerOf } from '../security/request-context';
import type { RouteContext } from './route';

/** At most this many dead letters per queue in one answer (the most recent): an outage can leave thousands. */
export const DEAD_LETTERS_SHOWN = 200;

/** What GET /admin/dead-letters answers. */
export interface DeadLetterList {
  queues: string[];
  /** The most recent DEAD_LETTERS_SHOWN of each queue, oldest failure first. */
  deadLetters: DeadLetter[];
  /** How many dead letters each queue holds (more than listed when over DEAD_LETTERS_SHOWN). */
  counts: Record<string, number>;
}

/** What POST …/retry answers: the job as it was, and its state now (waiting, or already taken by a worker). */
export interface DeadLetterRetried {
  retried: DeadLetter;
  state: string;
}

/** The `queue` query parameter: at most one, a known queue; none means every queue. */
function queuesAsked(req: Request): string[] {
  const asked = req.query.queue;
  if (asked === undefined) return [...DEAD_LETTER_QUEUES];
  if (typeof asked !== 'string')
    throw ProblemError.of('malformed', 'value', 'give the queue parameter once, as one name', 'queue');
  return [asked];
}

export function deadLettersList({ deps }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const names = queuesAsked(req);
    const queues = names.map((name) => deadLetterQueueOf(deps.queues, name, 'queue'));
    const [lists, counts] = await Promise.all([
      Promise.all(queues.map((queue) => listDeadLetters(queue, DEAD_LETTERS_SHOWN))),
      Promise.all(queues.map((queue) => queue.getFailedCount())),
    ]);
    const deadLetters = lists.flat().sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
    const body: DeadLetterList = {
      queues: names,
      deadLetters,
      counts: Object.fromEntries(names.map((name, i) => [name, counts[i] ?? 0])),
    };
    res.set('cache-control', 'no-store').json(body);
  };
}

export function deadLetterRetry({ deps }: RouteContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const name = String(req.params.queue);
    const jobId = String(req.params.jobId);
    const queue = deadLetterQueueOf(deps.queues, name, 'queue');
    // The job's prescription too, refused or not: the retry is then in its timeline.
    const retried = await retryDeadLetter(queue, jobId, ({ number }) => {
      if (number) callerOf(req).noteAccess({ number });
    });
    const state = (await queue.getJobState(jobId)) as string;
    const body: DeadLetterRetried = { retried, state };
    res.set('cache-control', 'no-store').json(body);
  };
}
