/**
 * DMP publication jobs on BullMQ (usecases/dmp/publish-job.ts says what a job is). The job id is
 * the publication's own id, so the same publication enqueued twice is one job.
 */
import type { JobsOptions } from 'bullmq';
import { dmpJobId, type DmpPublishJob } from '../usecases/dmp/publish-job';
import type { DmpPublicationQueue } from '../usecases/ports';
import { whileRedisAnswers } from '../platform/redis';
import { QUEUE_NAMES, type GatewayQueues } from './queues';

export const DMP_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  // Failed jobs stay (the dead letters) until an operator looks at them.
  removeOnFail: false,
};

export async function enqueueDmpPublication(
  queues: GatewayQueues,
  number: string,
  version: number,
  action: DmpPublishJob['action'] = 'publish',
): Promise<void> {
  const job: DmpPublishJob = { number, version, action };
  await queues[QUEUE_NAMES.dmpPublish].add(action, job, { ...DMP_JOB_OPTIONS, jobId: dmpJobId(job) });
}

/** The publication queue port over the gateway's queues. */
export const dmpPublicationQueueOf = (queues: GatewayQueues): DmpPublicationQueue => ({
  enqueue: (job) =>
    whileRedisAnswers('the DMP publication queue', () =>
      enqueueDmpPublication(queues, job.number, job.version, job.action),
    ),
});
