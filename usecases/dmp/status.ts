/**
 * Where a prescription stands in the DMP feed, from the BullMQ job (queued, running, retrying,
 * dead-lettered) and, when the job cannot tell, the document sharing server. Shown in the
 * summary of GET /prescriptions/{number}.
 *
 *   not-requested  the patient objected to the DMP feed (or the prescription was cancelled
 *                  before anything was published: reason "prescription-cancelled")
 *   queued         waiting for a worker, or waiting for its next attempt after a transient
 *                  failure (attempts > 0, reason = the last failure)
 *   publishing     a worker is on it
 *   published      in the DMP store (documentStatus "superseded" once the prescription was cancelled)
 *   failed         dead-lettered (reason), or never queued (no job and nothing in the DMP store)
 *   withdrawing    the patient objected after publication; the documents are being deleted from the DMP
 *   withdrawn      the patient objected after publication; every document of the prescription is
 *                  deleted logically from the DMP (reason "patient-objected"), and none is published again
 *   unknown        the queue could not be reached (the lookup still answers)
 *
 * The usual lookup costs two Redis round trips and no FHIR request: the document sharing server
 * is searched only when the job is gone (finished jobs are removed after a week), the
 * prescription was cancelled (its entry is then superseded by the deprecation job), or the
 * patient objected after intake (were documents published, then withdrawn?).
 */
import type { Consent, DocumentReference } from 'fhir/r4';
import type { DmpPublicationStatus } from '../../domain/dmp-publication';
import { consentTopic } from '../../fhir/read-prescription';
import { CONSENT_TOPICS } from '../../fhir/systems';
import type { StoredPrescriptionBundle } from '../../fhir/prescription-search';
import { storedPrescriptionOf } from '../../documents/prescription-documents';
import type { FhirStore, PublicationJobs, PublicationJobView } from '../ports';
import { findPrescriptionDocuments, isDeleted } from './dmp-store';
import { isCancelledHeader, type PublishResult } from './publish';

export interface DmpStatusSources {
  jobs: PublicationJobs;
  /** The document sharing server. */
  dmpStore: FhirStore;
}

/** The entry to show: the current one, else the most recently updated. */
function mainDocument(documents: DocumentReference[]): DocumentReference | undefined {
  const current = documents.find((d) => d.status === 'current');
  if (current) return current;
  return [...documents].sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
}

/** The alimentation-dmp Consent when the patient objects to the DMP feed. */
const dmpObjection = (found: StoredPrescriptionBundle): Consent | undefined =>
  (found.bundle.entry ?? [])
    .map((e) => e.resource)
    .find(
      (r): r is Consent =>
        r?.resourceType === 'Consent' && consentTopic(r) === CONSENT_TOPICS.dmp && r.provision?.type === 'deny',
    );

/** An objection recorded at intake is the Consent's first version: nothing was ever published. */
const objectedAfterIntake = (consent: Consent): boolean => Number(consent.meta?.versionId ?? 1) > 1;

/** What the DMP store holds for the prescription; undefined when it cannot be reached (the job state still answers). */
async function storedDocumentFields(
  sources: Pick<DmpStatusSources, 'dmpStore'>,
  number: string,
  found: StoredPrescriptionBundle,
): Promise<Pick<DmpPublicationStatus, 'documentReferenceId' | 'documentStatus'> | undefined> {
  const { prescription } = storedPrescriptionOf(found);
  const documents = await findPrescriptionDocuments(sources.dmpStore, prescription.patient.ins, number).catch(
    () => undefined,
  );
  if (!documents) return undefined;
  const document = mainDocument(documents);
  return document?.id
    ? { documentReferenceId: document.id, ...(document.status ? { documentStatus: document.status } : {}) }
    : {};
}

/**
 * The patient objected to the DMP feed after intake: documents may have been published, and are
 * then withdrawn (being, or already); or nothing was published before the objection.
 */
async function objectionStatus(
  sources: Pick<DmpStatusSources, 'dmpStore'>,
  number: string,
  found: StoredPrescriptionBundle,
): Promise<DmpPublicationStatus> {
  const { prescription } = storedPrescriptionOf(found);
  const documents = await findPrescriptionDocuments(sources.dmpStore, prescription.patient.ins, number).catch(
    () => undefined,
  );
  if (!documents)
    return { state: 'unknown', reason: 'the patient objects to the DMP feed; the DMP store cannot be reached' };
  const document = mainDocument(documents);
  if (!document?.id) return { state: 'not-requested', reason: 'patient-opted-out' };
  return {
    state: documents.every(isDeleted) ? 'withdrawn' : 'withdrawing',
    reason: 'patient-objected',
    documentReferenceId: document.id,
    ...(document.status ? { documentStatus: document.status } : {}),
  };
}

/** The status of a prescription read from the store (the lookup's own search result: no second read). */
export async function dmpPublicationStatus(
  sources: DmpStatusSources,
  number: string,
  found: StoredPrescriptionBundle,
): Promise<DmpPublicationStatus> {
  const objection = dmpObjection(found);
  if (objection && !objectedAfterIntake(objection)) return { state: 'not-requested', reason: 'patient-opted-out' };
  if (objection) return objectionStatus(sources, number, found);
  const headerVersion = Math.max(1, Number(found.header.meta?.versionId ?? 1) || 1);
  let job: PublicationJobView | undefined;
  try {
    job = await sources.jobs.latest(number, headerVersion);
  } catch {
    return { state: 'unknown', reason: 'the publication queue cannot be reached' };
  }
  const cancelled = isCancelledHeader(found.header);

  if (job) {
    const attempts = job.attemptsMade;
    const lastFailure = job.failedReason ? { reason: job.failedReason } : {};
    switch (job.state) {
      case 'active':
        return { state: 'publishing', attempts, ...lastFailure };
      case 'failed':
        return { state: 'failed', attempts, ...lastFailure };
      case 'completed': {
        const result = job.result as PublishResult | undefined;
        if (result?.outcome === 'skipped') return { state: 'not-requested', reason: result.reason, attempts };
        if (result?.outcome !== 'published')
          return { state: 'published', attempts, ...((await storedDocumentFields(sources, number, found)) ?? {}) };
        // What this job stored stays current until the prescription is cancelled (the deprecation supersedes it).
        const stored = cancelled ? await storedDocumentFields(sources, number, found) : undefined;
        return {
          state: 'published',
          attempts,
          documentReferenceId: result.documentReferenceId,
          documentStatus: 'current',
          ...(stored ?? {}),
        };
      }
      default:
        return { state: 'queued', attempts, ...lastFailure };
    }
  }
  // No job: finished jobs are removed after a week, so the DMP store tells.
  const stored = await storedDocumentFields(sources, number, found);
  if (stored?.documentReferenceId) return { state: 'published', ...stored };
  if (cancelled) return { state: 'not-requested', reason: 'prescription-cancelled' };
  if (!stored) return { state: 'unknown', reason: 'no publication job, and the DMP store cannot be reached' };
  return {
    state: 'failed',
    reason: 'no publication job and no document in the DMP store: the publication was never queued',
  };
}
