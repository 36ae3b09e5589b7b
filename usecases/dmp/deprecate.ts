/**
 * A cancelled prescription in the DMP: every current document entry of the prescription is set
 * to `superseded` — XDS availabilityStatus "Deprecated" — with the PDSm metadata update (flux 03,
 * FHIRPath Patch). Why this and not a replacement or `entered-in-error`: README.md.
 *
 * Ordering with the publication: a publication of the prescription that is still queued or
 * running is waited for (the job is put back as delayed), so a document published a moment after
 * the cancellation is deprecated too; a publication that runs after the cancellation finds the
 * prescription revoked and publishes nothing (publish.ts).
 */
import type { DocumentReference } from 'fhir/r4';
import type { FhirStore } from '../ports';
import { findPrescriptionDocuments, supersede } from './dmp-store';
import type { StageRunner } from './stage';
import { readStoredPrescription } from './publish';

export interface DeprecateDeps {
  fhir: FhirStore;
  dmp: FhirStore;
  /** Whether a publication of this prescription (a version before `version`) is still queued or running. */
  publicationPending(number: string, beforeVersion: number): Promise<boolean>;
  stage: StageRunner;
}

export type DeprecateResult =
  | { outcome: 'deprecated'; documentReferenceIds: string[] }
  | { outcome: 'nothing-published' }
  | { outcome: 'wait-for-publication' };

export async function deprecatePublication(
  deps: DeprecateDeps,
  request: { number: string; version: number },
): Promise<DeprecateResult> {
  const { number, version } = request;
  if (await deps.publicationPending(number, version)) return { outcome: 'wait-for-publication' };
  const { stored } = await deps.stage('read', () => readStoredPrescription(deps.fhir, number));
  const documents = await deps.stage('find', () =>
    findPrescriptionDocuments(deps.dmp, stored.prescription.patient.ins, number),
  );
  const current = documents.filter(
    (d): d is DocumentReference & { id: string } => d.status === 'current' && d.id !== undefined,
  );
  if (documents.length === 0) return { outcome: 'nothing-published' };
  // Already superseded entries (a re-run after a crash) need nothing more.
  for (const doc of current) await deps.stage('supersede', () => supersede(deps.dmp, doc));
  return { outcome: 'deprecated', documentReferenceIds: documents.map((d) => d.id!).filter(Boolean) };
}
