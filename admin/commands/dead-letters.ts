/**
 * The dead letters of a queue (default the DMP feed's `dmp-publish`; `--queue audit` for audit
 * records that could not be written): listed, and retried one by one or all at once. What a dead
 * letter is, and why a retry is safe, is in queue/dead-letters.ts, shared with the console's
 * Operations page (GET/POST /admin/dead-letters…).
 */
import type { Queue } from 'bullmq';
import { ProblemError } from '../../domain/problem';
import { deadLetterQueueOf, listDeadLetters, retryAllDeadLetters, retryDeadLetter } from '../../queue/dead-letters';
import { QUEUE_NAMES } from '../../queue/queues';
import type { AdminCommand, CommandInput, RecordedOutcome } from '../command';
import type { AdminSession } from '../session';
import { cell, table } from '../table';

const queueOf = (session: AdminSession, input: CommandInput): Queue =>
  deadLetterQueueOf(session.queues, input.queue ?? QUEUE_NAMES.dmpPublish, '--queue');

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
    const retried = input.all ? await retryAllDeadLetters(queue) : [await retryDeadLetter(queue, jobId!)];
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
