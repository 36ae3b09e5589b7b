/**
 * Where a prescription stands in the DMP feed, from the BullMQ job (queued, running, retrying,
 * dead-lettered) and the document sharing server (what is actually published). For
 * GET /prescriptions/{number}.
 *
 *   not-requested  the patient objected to the DMP feed (or the prescription was cancelled
 *                  before anything was published: reason "prescription-cancelled")
 *   queued         waiting for a worker, or waiting for its next attempt after a transient
 *                  failure (attempts > 0, reason = the last failure)
 *   publishing     a worker is on it
 *   published      in the DMP store (documentStatus "superseded" once the prescription was cancelled)
 *   failed         dead-lettered (reason), or never queued (no job and nothing in the DMP store)
 */
import type { DocumentReference } from 'fhir/r4';
import type { Job } from 'bullmq';
import type { FhirClient } from '../../fhir/client';
import { findPrescriptionByNumber } from '../../gateway/prescriptions/repository';
import { storedPrescriptionOf } from '../../gateway/prescriptions/documents';
import { dmpJobId } from '../dmp-jobs';
import { QUEUE_NAMES, type GatewayQueues } from '../queues';
import { findPrescriptionDocuments } from './dmp-store';
import type { PublishResult } from './publish';

export type DmpPublicationState = 'queued' | 'publishing' | 'published' | 'failed' | 'not-requested';

export interface DmpPublicationStatus {
  state: DmpPublicationState;
  documentReferenceId?: string;
  /** Status of the document entry in the DMP store: current, or superseded after a cancellation. */
  documentStatus?: DocumentReference['status'];
  reason?: string;
  /** Attempts made by the publication job so far. */
  attempts?: number;
}

export interface DmpStatusSources {
  queues: GatewayQueues;
  /** The gateway's FHIR store. */
  fhir: FhirClient;
  /** The document sharing server; defaults to `fhir` (DMP_FHIR_BASE_URL defaults to FHIR_BASE_URL). */
  dmpFhir?: FhirClient;
}

/** The latest publication job of the prescription (versions are tried from the header's down). */
async function latestPublicationJob(queues: GatewayQueues, number: string, headerVersion: number): Promise<Job | undefined> {
  const queue = queues[QUEUE_NAMES.dmpPublish];
  for (let version = headerVersion; version >= 1; version--) {
    const job = await queue.getJob(dmpJobId({ action: 'publish', number, version }));
    if (job) return job;
  }
  return undefined;
}

/** The entry to show: the current one, else the most recently updated. */
function mainDocument(documents: DocumentReference[]): DocumentReference | undefined {
  const current = documents.find((d) => d.status === 'current');
  if (current) return current;
  return [...documents].sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
}

/** Undefined when no prescription has this number. */
export async function dmpPublicationStatus(sources: DmpStatusSources, number: string): Promise<DmpPublicationStatus | undefined> {
  const found = await findPrescriptionByNumber(sources.fhir, number);
  if (!found) return undefined;
  const stored = storedPrescriptionOf(found);
  if (stored.prescription.consent.dmpOptOut) return { state: 'not-requested', reason: 'patient-opted-out' };

  const headerVersion = Math.max(1, Number(found.header.meta?.versionId ?? 1) || 1);
  const [job, documents] = await Promise.all([
    latestPublicationJob(sources.queues, number, headerVersion),
    // The DMP store may be down: the job state still answers.
    findPrescriptionDocuments(sources.dmpFhir ?? sources.fhir, stored.prescription.patient.ins, number).catch(() => undefined),
  ]);
  const document = documents ? mainDocument(documents) : undefined;
  const documentFields = document?.id ? { documentReferenceId: document.id, ...(document.status ? { documentStatus: document.status } : {}) } : {};

  if (job) {
    const state = await job.getState();
    const attempts = job.attemptsMade;
    const lastFailure = job.failedReason ? { reason: job.failedReason } : {};
    switch (state) {
      case 'active':
        return { state: 'publishing', attempts, ...lastFailure, ...documentFields };
      case 'failed':
        return { state: 'failed', attempts, ...lastFailure, ...documentFields };
      case 'completed': {
        const result = job.returnvalue as PublishResult | undefined;
        if (result?.outcome === 'skipped') return { state: 'not-requested', reason: result.reason, attempts };
        const fromJob = result?.outcome === 'published' ? { documentReferenceId: result.documentReferenceId } : {};
        return { state: 'published', attempts, ...fromJob, ...documentFields };
      }
      default:
        return { state: 'queued', attempts, ...lastFailure, ...documentFields };
    }
  }
  // No job: finished jobs are removed after a week, so the DMP store tells.
  if (document) return { state: 'published', ...documentFields };
  if (found.header.status === 'revoked' || found.header.status === 'entered-in-error') return { state: 'not-requested', reason: 'prescription-cancelled' };
  return { state: 'failed', reason: 'no publication job and no document in the DMP store: the publication was never queued' };
}
