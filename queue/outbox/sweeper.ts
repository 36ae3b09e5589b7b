/**
 * The outbox sweeper (usecases/outbox/outbox-task.ts says what the outbox is): every
 * `intervalMs`, the outbox Tasks older than the grace period — writes whose request is long over —
 * have their jobs enqueued again and are deleted. The gateway enqueued most of them already; a
 * job id says what the job does, so enqueuing again adds nothing then. What it recovers are the
 * jobs of a write whose enqueue was lost: Redis down after the commit, a gateway killed between
 * the commit and the enqueue. Several workers may sweep at once: the same job twice is one job,
 * and deleting a deleted Task is a no-op.
 */
import type { Bundle, FhirResource, Task } from 'fhir/r4';
import { OUTBOX_SYSTEM, OUTBOX_TASK_CODE } from '../../fhir/systems';
import { jobsOfOutboxTask } from '../../usecases/outbox/outbox-task';
import type { FhirStore, Log } from '../../usecases/ports';
import { enqueueAudit } from '../audit/jobs';
import { enqueueDmpPublication } from '../dmp-jobs';
import { QUEUE_NAMES, type GatewayQueues } from '../queues';

export interface OutboxSweepOptions {
  fhir: FhirStore;
  queues: GatewayQueues;
  /** Tasks younger than this belong to requests that may still enqueue their jobs themselves. */
  graceSeconds: number;
  /** Tasks handled per sweep (the next sweep takes the rest). */
  batchSize?: number;
  now?: () => Date;
}

async function enqueueJobsOf(task: Task, queues: GatewayQueues): Promise<void> {
  for (const outboxJob of jobsOfOutboxTask(task)) {
    if (outboxJob.queue === 'audit') await enqueueAudit(queues[QUEUE_NAMES.audit], outboxJob.job);
    else await enqueueDmpPublication(queues, outboxJob.job.number, outboxJob.job.version, outboxJob.job.action);
  }
}

/** One sweep; resolves with how many outbox Tasks it drained. */
export async function sweepOutbox({
  fhir,
  queues,
  graceSeconds,
  batchSize = 100,
  now = () => new Date(),
}: OutboxSweepOptions): Promise<number> {
  const before = new Date(now().getTime() - graceSeconds * 1000).toISOString();
  const found = await fhir.search<Task>('Task', {
    code: `${OUTBOX_SYSTEM}|${OUTBOX_TASK_CODE}`,
    _lastUpdated: `lt${before}`,
    _sort: '_lastUpdated',
    _count: String(batchSize),
  });
  const tasks = (found.entry ?? []).flatMap((e) => (e.resource?.id ? [e.resource as Task & { id: string }] : []));
  if (tasks.length === 0) return 0;
  // Enqueued first, deleted after: a sweep that stops in between leaves Tasks for the next one.
  for (const task of tasks) await enqueueJobsOf(task, queues);
  const deletion: Bundle<FhirResource> = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: tasks.map((t) => ({ request: { method: 'DELETE', url: `Task/${t.id}` } })),
  };
  await fhir.transaction(deletion, { idempotent: true });
  return tasks.length;
}

export interface OutboxSweeper {
  stop(): Promise<void>;
}

/** Sweeps every `intervalMs` until stopped; a failed sweep is logged and the next one tries again. */
export function startOutboxSweeper(options: OutboxSweepOptions & { intervalMs: number; logger: Log }): OutboxSweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = async (): Promise<void> => {
    try {
      // A full batch means more are waiting: sweep again at once.
      let drained: number;
      do {
        drained = await sweepOutbox(options);
        if (drained > 0) options.logger.info({ drained }, 'outbox swept');
      } while (!stopped && drained === (options.batchSize ?? 100));
    } catch (err) {
      options.logger.warn({ err: { message: (err as Error).message } }, 'outbox sweep failed; retrying later');
    }
    if (!stopped) timer = setTimeout(() => (running = sweep()), options.intervalMs);
  };
  timer = setTimeout(() => (running = sweep()), options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
