/**
 * What the publication of a replacing prescription replaces in the DMP (README "Replacing a
 * prescription"): the documents of the prescription its header `replaces`.
 *
 * Ordering with the old prescription's own publication: while that one is still queued or
 * running, the replacement waits (the job is put back as delayed, as a deprecation waits): once
 * the old job has run — publishing, if it had started before the replacement committed, or
 * skipping, since the old prescription is replaced — the replacement finds what it must supersede.
 * When the old prescription was never published (the patient objected, or its publication failed
 * for good), the replacement is published plainly.
 */
import type { RequestGroup } from 'fhir/r4';
import { replaceableDocuments, type StoredDocumentReference } from '../../documents/dmp/replacement';
import type { Patient } from '../../domain/prescription';
import { replacedNumberOf } from '../../fhir/replacement';
import type { FhirStore } from '../ports';
import { findPrescriptionDocuments } from './dmp-store';
import type { StageRunner } from './stage';

export interface ReplacementDeps {
  dmp: FhirStore;
  stage: StageRunner;
  /** Whether a publication of this prescription (a version before `beforeVersion`) is still queued or running. */
  publicationPending?(number: string, beforeVersion: number): Promise<boolean>;
}

/** The DMP entries the publication of `header` replaces (none for a plain prescription), or 'wait'. */
export async function documentsReplacedBy(
  deps: ReplacementDeps,
  header: RequestGroup,
  patient: Pick<Patient, 'ins'>,
): Promise<StoredDocumentReference[] | 'wait'> {
  const replaced = replacedNumberOf(header);
  if (replaced === undefined) return [];
  // The old prescription is only ever published as version 1 (a cancellation deprecates, it does not republish).
  if (await deps.publicationPending?.(replaced, 2)) return 'wait';
  const documents = await deps.stage('find', () => findPrescriptionDocuments(deps.dmp, patient.ins, replaced));
  return replaceableDocuments(documents);
}
