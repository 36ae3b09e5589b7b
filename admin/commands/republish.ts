/**
 * `republish <number>`: queue the DMP publication of a prescription again, e.g. after the document
 * sharing server lost it or refused it. What is safe, by the state of the publication job
 * (id `publish-<number>-v1`, queue/dmp-jobs.ts):
 *
 *   no job (removed a week after it completed)   the job is added again
 *   failed (a dead letter)                       it is retried (as `dead-letters retry`)
 *   completed                                    BullMQ never re-adds a job id it holds: the finished job
 *                                                itself is retried (moved back to waiting, same id, same
 *                                                creation time, so the same document bytes; its attempt
 *                                                count goes on, so the new run's audit record is its own)
 *   waiting, delayed, active                     nothing: it is on its way (exit 0, "unchanged")
 *
 * Publishing again never duplicates anything: every entry is a conditional create on ids derived
 * from the number and version, so a document the store still holds is matched, not added
 * (`created: false` in the job result); one it lost is stored again. Refused (nothing queued, exit 1)
 * when the DMP feed does not apply: the patient objected (at intake or later: the documents are
 * withdrawn for good) or the prescription was cancelled before anything was published — the worker
 * would publish nothing anyway, and the refusal says why.
 */
import { enqueueDmpPublication } from '../../queue/dmp-jobs';
import { QUEUE_NAMES } from '../../queue/queues';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import { prescriptionStatus } from '../../usecases/operations/prescription-status';
import { numberAsked, requiredNumber, type AdminCommand } from '../command';
import { table } from '../table';

/** Intake publishes version 1 (usecases/intake/accept.ts); later header versions deprecate or withdraw. */
const PUBLICATION_VERSION = 1;

type Done = 'queued' | 'retried' | 'requeued' | 'unchanged';

export const republish: AdminCommand = {
  name: 'republish',
  usage: 'republish <number>',
  interaction: 'operation',
  action: 'E',
  failedEntity: numberAsked,
  async run(session, input) {
    const asked = requiredNumber(input);
    const status = await prescriptionStatus(session.useCases, asked);
    const { number, dmpPublication } = status;
    const refusal =
      dmpPublication.state === 'not-requested' ||
      dmpPublication.state === 'withdrawing' ||
      dmpPublication.state === 'withdrawn'
        ? `the DMP feed does not apply to ${number}: ${dmpPublication.state} (${dmpPublication.reason ?? 'no reason'})`
        : undefined;
    const jobId = dmpJobId({ action: 'publish', number, version: PUBLICATION_VERSION });
    const entity = { number, ...(status.reference ? { reference: status.reference } : {}) };
    if (refusal) {
      return {
        json: { number, jobId, done: 'refused', reason: refusal },
        text: `refused: ${refusal}; nothing queued`,
        records: [{ status: 409, detail: refusal, ...entity }],
        exitCode: 1,
      };
    }
    const queue = session.queues[QUEUE_NAMES.dmpPublish];
    const job = await queue.getJob(jobId);
    const previous = job ? await job.getState() : 'none';
    let done: Done;
    if (!job || previous === 'unknown') {
      await enqueueDmpPublication(session.queues, number, PUBLICATION_VERSION);
      done = 'queued';
    } else if (previous === 'failed') {
      await job.retry('failed');
      done = 'retried';
    } else if (previous === 'completed') {
      await job.retry('completed');
      done = 'requeued';
    } else {
      done = 'unchanged';
    }
    return {
      json: { number, jobId, previousState: previous, done },
      text: table(['NUMBER', 'JOB', 'WAS', 'DONE'], [[number, jobId, previous, done]]),
      records: [{ status: 200, ...entity }],
    };
  },
};
