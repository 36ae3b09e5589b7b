/**
 * The dead letters: the failed set of a queue (default the DMP feed's `dmp-publish`; `--queue audit`
 * for audit records that could not be written). Failed jobs are kept (`removeOnFail: false`) until
 * an operator retries them here or in /admin/queues.
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
import { ProblemError } from '../../domain/problem';
import { QUEUE_NAMES, type QueueName } from '../../queue/queues';
import type { AdminCommand, CommandInput, RecordedOutcome } from '../command';
import type { AdminSession } from '../session';
import { cell, table } from '../table';

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

const QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES);

function queueOf(session: AdminSession, input: CommandInput): Queue {
  const name = input.queue ?? QUEUE_NAMES.dmpPublish;
  if (!QUEUES.includes(name as QueueName))
    throw ProblemError.of('malformed', 'value', `unknown queue "${name}"; one of ${QUEUES.join(', ')}`, '--queue');
  return session.queues[name as QueueName];
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

export async function listDeadLetters(queue: Queue): Promise<DeadLetter[]> {
  const jobs = await queue.getFailed(0, -1);
  return jobs
    .filter((job): job is Job => job !== undefined && job !== null)
    .map((job) => deadLetterOf(queue, job))
    .sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''));
}

export const deadLettersList: AdminCommand = {
  name: 'dead-letters.list',
  usage: 'dead-letters list [--queue dmp-publish|audit]',
  interaction: 'search-type',
  action: 'R',
  failedEntity: (input) => ({ query: `dead-letters ${input.queue ?? QUEUE_NAMES.dmpPublish}` }),
  async run(session, input) {
    const queue = queueOf(session, input);
    const letters = await listDeadLetters(queue);
    const text =
      letters.length === 0
        ? `no dead letters in ${queue.name}`
        : table(
            ['JOB', 'NUMBER', 'ACTION', 'ATTEMPTS', 'FAILED AT', 'REASON'],
            letters.map((l) => [
              l.id,
              l.number ?? '-',
              l.action,
              String(l.attempts),
              l.failedAt ?? '-',
              cell(l.reason),
            ]),
          );
    return { json: letters, text, records: [{ status: 200, query: `dead-letters ${queue.name}` }] };
  },
};

async function retryOne(queue: Queue, job: Job): Promise<DeadLetter> {
  const letter = deadLetterOf(queue, job);
  await job.retry('failed');
  return letter;
}

export const deadLettersRetry: AdminCommand = {
  name: 'dead-letters.retry',
  usage: 'dead-letters retry <jobId>|--all [--queue dmp-publish|audit]',
  interaction: 'update',
  action: 'U',
  failedEntity: (input) => ({ query: `dead-letters retry ${input.all ? '--all' : (input.args[0] ?? '')}` }),
  async run(session, input) {
    const queue = queueOf(session, input);
    const jobId = input.args[0];
    if (input.all === (jobId !== undefined))
      throw ProblemError.of('malformed', 'required', 'name one job id, or --all (not both)');
    let jobs: Job[];
    if (input.all) {
      jobs = (await queue.getFailed(0, -1)).filter((job): job is Job => Boolean(job));
    } else {
      const job = await queue.getJob(jobId!);
      if (!job) throw ProblemError.of('not-found', 'not-found', `no job ${jobId} in ${queue.name}`);
      const state = await job.getState();
      if (state !== 'failed')
        throw ProblemError.of('conflict', 'business-rule', `job ${jobId} is ${state}, not a dead letter`);
      jobs = [job];
    }
    const retried: DeadLetter[] = [];
    for (const job of jobs) retried.push(await retryOne(queue, job));
    const records: RecordedOutcome[] =
      retried.length === 0
        ? [{ status: 200, query: `dead-letters retry ${queue.name} --all` }]
        : retried.map((l) => ({
            status: 200,
            ...(l.number ? { number: l.number } : {}),
            query: `dead-letters retry ${queue.name} ${l.id}`,
          }));
    const text =
      retried.length === 0
        ? `no dead letters in ${queue.name}`
        : `queued again:\n${table(
            ['JOB', 'NUMBER', 'ACTION'],
            retried.map((l) => [l.id, l.number ?? '-', l.action]),
          )}`;
    return { json: { queue: queue.name, retried }, text, records };
  },
};
