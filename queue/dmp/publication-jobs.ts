/** The publication jobs port (usecases/ports.ts) over BullMQ: what the queue knows of a prescription's publication. */
import type { Job } from 'bullmq';
import { dmpJobId } from '../../usecases/dmp/publish-job';
import type { PublicationJobs, PublicationJobView } from '../../usecases/ports';
import { QUEUE_NAMES, type GatewayQueues } from '../queues';

const STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'completed', 'failed']);

async function viewOf(job: Job): Promise<PublicationJobView> {
  const state = await job.getState();
  return {
    state: STATES.has(state) ? (state as PublicationJobView['state']) : 'other',
    attemptsMade: job.attemptsMade,
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    ...(job.returnvalue !== undefined && job.returnvalue !== null ? { result: job.returnvalue as unknown } : {}),
  };
}

/** Intake publishes version 1; later versions are looked up too, all at once (one round trip). */
export const publicationJobsOf = (queues: GatewayQueues): PublicationJobs => ({
  async latest(number, headerVersion) {
    const queue = queues[QUEUE_NAMES.dmpPublish];
    const versions = Array.from({ length: Math.min(headerVersion, 50) }, (_, i) => i + 1);
    const jobs = await Promise.all(
      versions.map((version) => queue.getJob(dmpJobId({ action: 'publish', number, version }))),
    );
    const latest = jobs.reverse().find((job): job is Job => job !== undefined);
    return latest ? viewOf(latest) : undefined;
  },
});
