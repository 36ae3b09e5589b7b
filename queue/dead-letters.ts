/**
 * The dead letters: the failed set of a queue (the DMP feed's `dmp-publish`, or `audit` for audit
 * records that could not be written). Failed jobs are kept (`removeOnFail: false`) until an operator
 * retries them: with `ordo-admin dead-letters` (admin/commands/dead-letters.ts), from the console's
 * Operations page (gateway/routes/dead-letters.ts) or in /admin/queues. The first two share this
 * module, so both list the same thing and retry with the same checks.
 *
 * A retry moves the job back to waiting. Its attempt count goes on (not reset): the DMP worker's
 * audit record of an attempt is written once under `dmp-<job id>-<attempt>`, so a reset would make
 * the retried run's record collide with the dead letter's, and the trail would lose it. So a job
 * that gave up after its 8 attempts gets one more (retry it again if it fails again); one dead-
 * lettered at once (a 4xx) has the rest of its attempts. Retrying a publication is safe: every
 * entry is a conditional create on ids derived from the number and version, the same bytes are
 * rebuilt (queue/dmp/README.md "Exactly once"), and the worker reads the prescription again (a
 * cancelled one, or a patient who objected since, publishes nothing).
 */
import type { Job, Queue } from 'bullmq';
import type { DeadLetter } from '../domain/dead-letter';
import { ProblemError } from '../domain/problem';
import { QUEUE_NAMES, type QueueName } from './queues';

export type { DeadLetter };

export const DEAD_LETTER_QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES);

/**
 * What the gateway's job ids look like (`publish-<number>-v1`, an audit record's UUID or
 * `dmp-<job>-<attempt>`, BullMQ's own counters): anything else names no job of ours.
 */
export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The queue a name given by an operator names; `malformed` (naming `field`) for any other name. */
export function deadLetterQueueOf(queues: Record<QueueName, Queue>, name: string, field: string): Queue {
  if (!DEAD_LETTER_QUEUES.includes(name as QueueName))
    throw ProblemError.of(
      'malformed',
      'value',
      `unknown queue "${name}"; one of ${DEAD_LETTER_QUEUES.join(', ')}`,
      field,
    );
  return queues[name as QueueName];
}

/** A job's data, read defensively: a dead letter may be malformed (that may be why it failed). */
function deadLetterOf(queue: Queue, job: Job): DeadLetter {
  const data = (job.data ?? {}) as { number?: unknown; action?: unknown; entity?: { number?: unknown } };
  const number = typeof data.number === 'string' ? data.number : data.entity?.number;
  return {
    id: job.id ?? '',
    queue: queue.name,
    ...(typeof number === 'string' ? { number } : {}),
    action: typeof data.action === 'string' ? data.action : job.name,
    reason: job.failedReason ?? '',
    attempts: job.attemptsMade,
    ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
  };
}

const failedJobs = async (queue: Queue): Promise<Job[]> =>
  (await queue.getFailed(0, -1)).filter((job): job is Job => job !== undefined && job !== null);

/** Every dead letter of the queue (or its `limit` most recent ones), oldest failure first. */
export async function listDeadLetters(queue: Queue, limit?: number): Promise<DeadLetter[]> {
  // BullMQ reads the failed set newest first.
  const jobs = await queue.getFailed(0, limit === undefined ? -1 : limit - 1);
  return jobs
    .filter((job): job is Job => job !== undefined && job !== null)
    .map((job) => deadLetterOf(queue, job))
    .sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
}

async function retryJob(queue: Queue, job: Job): Promise<DeadLetter> {
  const letter = deadLetterOf(queue, job);
  try {
    await job.retry('failed');
  } catch (err) {
    // Retried (or removed) by someone else between the read and now: BullMQ refuses a job no longer failed.
    const state = await job.getState();
    if (state !== 'failed')
      throw ProblemError.of('conflict', 'business-rule', `job ${letter.id} is ${state}, not a dead letter`);
    throw err;
  }
  return letter;
}

/**
 * Queues one dead letter again: `not-found` when the queue has no such job, `conflict` when the job
 * is not failed (waiting, active, completed: retrying it would run it twice). `found` is told the job
 * as soon as it is read, refused or not (the HTTP route's audit record names its prescription).
 */
export async function retryDeadLetter(
  queue: Queue,
  jobId: string,
  found?: (letter: DeadLetter) => void,
): Promise<DeadLetter> {
  if (!JOB_ID_PATTERN.test(jobId)) throw ProblemError.of('malformed', 'value', `"${jobId}" is not a job id`, 'jobId');
  const job = await queue.getJob(jobId);
  if (!job) throw ProblemError.of('not-found', 'not-found', `no job ${jobId} in ${queue.name}`);
  found?.(deadLetterOf(queue, job));
  const state = await job.getState();
  if (state !== 'failed')
    throw ProblemError.of('conflict', 'business-rule', `job ${jobId} is ${state}, not a dead letter`);
  return retryJob(queue, job);
}

/** Queues every dead letter of the queue again; what was retried. */
export async function retryAllDeadLetters(queue: Queue): Promise<DeadLetter[]> {
  const retried: DeadLetter[] = [];
  for (const job of await failedJobs(queue)) retried.push(await retryJob(queue, job));
  return retried;
}
