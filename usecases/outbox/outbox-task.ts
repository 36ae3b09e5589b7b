/**
 * The transactional outbox. A write that owes jobs to the queues (the DMP publication of a new
 * prescription, the audit record of the write itself) carries them, in the same FHIR transaction,
 * as a `Task` holding the jobs: the jobs exist if and only if the write committed. The gateway
 * still enqueues them at once (the fast path); the worker's sweeper (queue/outbox/sweeper.ts)
 * enqueues again the jobs of every outbox Task older than a grace period, then deletes it, so a
 * write whose enqueue was lost (Redis down, process killed between the commit and the enqueue)
 * still gets its jobs. Enqueuing twice is harmless: a job id is derived from what the job does
 * (BullMQ keeps one job per id) and both processors are idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, FhirResource, Task } from 'fhir/r4';
import { OUTBOX_SYSTEM, OUTBOX_TASK_CODE } from '../../fhir/systems';
import type { AuditJob } from '../audit/audit-job';
import type { DmpPublishJob } from '../dmp/publish-job';

export type OutboxJob = { queue: 'dmp-publish'; job: DmpPublishJob } | { queue: 'audit'; job: AuditJob };

/** The jobs a write owes: its DMP publication (if any) and its own audit record (if audited). */
export function outboxJobs(audit: AuditJob | undefined, dmp: DmpPublishJob[] = []): OutboxJob[] {
  return [
    ...dmp.map((job): OutboxJob => ({ queue: 'dmp-publish', job })),
    ...(audit ? [{ queue: 'audit', job: audit } as OutboxJob] : []),
  ];
}

export interface OutboxEntryOptions {
  /** The identifier of the outbox entry; with `conditional`, a write replayed with the same key matches it. */
  key: string;
  /** The resource the jobs are about (a reference or a urn:uuid fullUrl of the same transaction). */
  focus: string;
  now: Date;
  fullUrl: string;
  /** A conditional create (for a transaction whose entries all are, so that it stays idempotent). */
  conditional?: boolean;
}

/** The transaction entry that creates the outbox Task; undefined when there is nothing to owe. */
export function outboxEntry(jobs: OutboxJob[], options: OutboxEntryOptions): BundleEntry<FhirResource> | undefined {
  if (jobs.length === 0) return undefined;
  const task: Task = {
    resourceType: 'Task',
    identifier: [{ system: OUTBOX_SYSTEM, value: options.key }],
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: OUTBOX_SYSTEM, code: OUTBOX_TASK_CODE }] },
    focus: { reference: options.focus },
    authoredOn: options.now.toISOString(),
    input: jobs.map((j) => ({ type: { text: j.queue }, valueString: JSON.stringify(j.job) })),
  };
  return {
    fullUrl: options.fullUrl,
    resource: task,
    request: {
      method: 'POST',
      url: 'Task',
      ...(options.conditional ? { ifNoneExist: `identifier=${OUTBOX_SYSTEM}|${encodeURIComponent(options.key)}` } : {}),
    },
  };
}

/**
 * Adds the outbox entry of a write to its transaction (last, so the other entries keep their
 * indexes). The entry is a plain create, its key new: for writes that are not replayed as such.
 */
export function appendOutbox(
  tx: Bundle<FhirResource>,
  jobs: OutboxJob[],
  { kind, focus, now }: { kind: string; focus: string; now: Date },
): void {
  const entry = outboxEntry(jobs, { key: `${kind}:${randomUUID()}`, focus, now, fullUrl: `urn:uuid:${randomUUID()}` });
  if (entry) (tx.entry ??= []).push(entry);
}

/** The jobs an outbox Task holds; inputs that are not jobs of a known queue are left out. */
export function jobsOfOutboxTask(task: Task): OutboxJob[] {
  const jobs: OutboxJob[] = [];
  for (const input of task.input ?? []) {
    const queue = input.type?.text;
    if ((queue !== 'dmp-publish' && queue !== 'audit') || !input.valueString) continue;
    jobs.push({ queue, job: JSON.parse(input.valueString) } as OutboxJob);
  }
  return jobs;
}
