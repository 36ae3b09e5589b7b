/**
 * The BullMQ processor of the `dmp-publish` queue: `publish`, `deprecate` (cancelled
 * prescription) and `withdraw` (the patient objected to the DMP feed) jobs.
 *
 * Reliability:
 *  - a transient failure (network, 5xx, timeout, conflict, Redis) throws: BullMQ retries with the
 *    exponential backoff of DMP_JOB_OPTIONS (queue/dmp-jobs.ts);
 *  - a failure that would repeat (4xx, unknown number, unreadable prescription, a document that
 *    cannot be built or signed) throws BullMQ's UnrecoverableError: the job fails at once and
 *    stays in the failed set — the dead letters — with the reason;
 *  - a re-run of a publication (a retry, or a job taken over after its worker died between
 *    publishing and acknowledging) builds the same bytes with the same ids, and the provide
 *    bundle's conditional creates store nothing new.
 */
import { DelayedError, UnrecoverableError, type Job, type Processor, type Queue } from 'bullmq';
import { isWellFormedNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import type { SigningCredentials } from '../../documents/signature';
import type { FhirClient } from '../../store/fhir-client';
import type { Logger } from '../../platform/logger';
import { dmpJobId, type DmpPublishJob } from '../../usecases/dmp/publish-job';
import { auditDmpPublication, type AuditQueue } from '../audit/jobs';
import { deprecatePublication, type DeprecateResult } from '../../usecases/dmp/deprecate';
import { classifyFailure } from './errors';
import type { DmpStage } from '../../usecases/dmp/stage';
import type { DmpMetrics } from './metrics';
import { publishPrescription, type PublishResult } from '../../usecases/dmp/publish';
import { withdrawPublication, type WithdrawResult } from '../../usecases/dmp/withdraw';

export interface DmpRuntime {
  /** The gateway's FHIR store (prescriptions are read back from it). */
  fhir: FhirClient;
  /** The document sharing server (DMP_FHIR_BASE_URL). */
  dmp: FhirClient;
  credentials: SigningCredentials;
  sourceOid: string;
  /** The dmp-publish queue, to see whether a publication is still pending. */
  queue: Queue;
  /** Where the publications are audited (an `export` AuditEvent per publication, deprecation or dead letter). */
  audit: AuditQueue;
  logger: Logger;
  metrics: DmpMetrics;
  /** Injected by tests only (production passes none): runs between publishing and acknowledging a job. */
  afterPublish?: () => Promise<void>;
  /** How long a deprecation waits before looking again at a pending publication (default 5 s). */
  pendingPublicationDelayMs?: number;
}

type Waiting = { outcome: 'wait-for-publication' };
export type DmpJobResult = Exclude<PublishResult | DeprecateResult | WithdrawResult, Waiting>;

const ACTIONS: ReadonlySet<string> = new Set<DmpPublishJob['action']>(['publish', 'deprecate', 'withdraw']);

const PENDING_STATES = new Set(['waiting', 'wait', 'delayed', 'active', 'prioritized', 'waiting-children']);

/** The job's data, checked: a malformed job can never succeed. */
export function parseJobData(data: unknown): DmpPublishJob {
  const d = (data ?? {}) as Partial<DmpPublishJob>;
  const number = typeof d.number === 'string' ? normalizePrescriptionNumber(d.number) : '';
  if (!isWellFormedNumber(number))
    throw new UnrecoverableError(`malformed job: "${String(d.number)}" is not a prescription number`);
  if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 1)
    throw new UnrecoverableError(`malformed job: version ${String(d.version)}`);
  if (typeof d.action !== 'string' || !ACTIONS.has(d.action))
    throw new UnrecoverableError(`malformed job: unknown action ${String(d.action)}`);
  return { number, version: d.version, action: d.action };
}

export function createDmpProcessor(rt: DmpRuntime): Processor<DmpPublishJob, DmpJobResult> {
  const stage = async <T>(name: DmpStage, step: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await step();
    } finally {
      rt.metrics.observeStage(name, (performance.now() - start) / 1000);
    }
  };

  const publicationPending = async (number: string, beforeVersion: number): Promise<boolean> => {
    for (let version = 1; version < beforeVersion; version++) {
      const state = await rt.queue.getJobState(dmpJobId({ action: 'publish', number, version }));
      if (PENDING_STATES.has(state)) return true;
    }
    return false;
  };

  /** Not an attempt: the job goes back as delayed until the publication it waits for is settled. */
  const waitForPublication = async (job: Job<DmpPublishJob, DmpJobResult>, token?: string): Promise<never> => {
    await job.moveToDelayed(Date.now() + (rt.pendingPublicationDelayMs ?? 5_000), token);
    throw new DelayedError();
  };

  return async (job: Job<DmpPublishJob, DmpJobResult>, token?: string): Promise<DmpJobResult> => {
    const started = performance.now();
    const data = parseJobData(job.data);
    const log = rt.logger.child({
      queue: job.queueName,
      jobId: job.id,
      number: data.number,
      attempt: job.attemptsMade + 1,
    });
    const finish = (outcome: string) =>
      rt.metrics.observeJob(
        data.action,
        outcome,
        (performance.now() - started) / 1000,
        job.timestamp ? (Date.now() - job.timestamp) / 1000 : undefined,
      );
    // One record per attempt: a run taken over after a crash (same attempt) writes the same record once.
    const audit = (succeeded: boolean, details: { documentUniqueId?: string; detail?: string }) =>
      auditDmpPublication(rt.audit, {
        id: `dmp-${job.id}-${job.attemptsMade}`,
        number: data.number,
        version: data.version,
        action: data.action,
        succeeded,
        ...details,
      });
    try {
      if (data.action === 'publish') {
        const result = await publishPrescription(
          {
            fhir: rt.fhir,
            dmp: rt.dmp,
            credentials: rt.credentials,
            sourceOid: rt.sourceOid,
            stage,
            publicationPending,
          },
          { number: data.number, version: data.version, submittedAt: new Date(job.timestamp) },
        );
        if (result.outcome === 'wait-for-publication') return await waitForPublication(job, token);
        if (result.outcome === 'published') await rt.afterPublish?.();
        if (result.outcome === 'published') await audit(true, { documentUniqueId: result.uniqueId });
        finish(result.outcome);
        log.info(
          result.outcome === 'published'
            ? { outcome: result.outcome, documentReferenceId: result.documentReferenceId, created: result.created }
            : { outcome: result.outcome, reason: result.reason },
          'dmp publication',
        );
        return result;
      }
      const deps = { fhir: rt.fhir, dmp: rt.dmp, stage, publicationPending };
      const request = { number: data.number, version: data.version };
      const result =
        data.action === 'withdraw'
          ? await withdrawPublication(deps, request)
          : await deprecatePublication(deps, request);
      if (result.outcome === 'wait-for-publication') return await waitForPublication(job, token);
      if (result.outcome === 'deprecated' || result.outcome === 'withdrawn') await audit(true, {});
      finish(result.outcome);
      log.info({ outcome: result.outcome }, data.action === 'withdraw' ? 'dmp withdrawal' : 'dmp deprecation');
      return result;
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const verdict = classifyFailure(err);
      // The last allowed attempt failing makes a dead letter too, whatever the failure.
      const deadLetter = !verdict.retry || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const reason = verdict.retry
        ? `gave up after ${job.attemptsMade + 1} attempts: ${(err as Error)?.message ?? String(err)}`
        : verdict.reason;
      finish(deadLetter ? 'dead-letter' : 'retry');
      log.warn({ retry: !deadLetter, reason: (err as Error)?.message }, 'dmp job attempt failed');
      if (!deadLetter) throw err;
      // A dead letter is audited (the export did not happen, and why); a retried attempt is not.
      await audit(false, { detail: reason }).catch((auditErr: Error) =>
        log.error({ reason: auditErr.message }, 'dmp dead letter not audited'),
      );
      if (verdict.retry) throw err;
      throw err instanceof UnrecoverableError ? err : new UnrecoverableError(verdict.reason);
    }
  };
}
