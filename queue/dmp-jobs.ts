/**
 * DMP publication jobs. The job id derives from the prescription number and version, so
 * enqueuing the same publication twice (a replayed request, two gateway processes) adds one job.
 */
import type { JobsOptions } from 'bullmq';
import { QUEUE_NAMES, type GatewayQueues } from './queues';

export interface DmpPublishJob {
  number: string;
  /** Version of the prescription header that is published (a cancellation publishes a new one). */
  version: number;
  /** publish: a new document; deprecate: the prescription was cancelled. */
  action: 'publish' | 'deprecate';
}

export const dmpJobId = (job: DmpPublishJob): string => `${job.action}-${job.number}-v${job.version}`;

export const DMP_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  // Failed jobs stay (the dead letters) until an operator looks at them.
  removeOnFail: false,
};

export async function enqueueDmpPublication(queues: GatewayQueues, number: string, version: number, action: DmpPublishJob['action'] = 'publish'): Promise<void> {
  const job: DmpPublishJob = { number, version, action };
  await queues[QUEUE_NAMES.dmpPublish].add(action, job, { ...DMP_JOB_OPTIONS, jobId: dmpJobId(job) });
}
