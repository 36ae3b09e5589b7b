/**
 * The patient objected to the DMP feed after publication: every entry of the prescription in the
 * DMP — the ordonnance documents and the signatures of their submission sets — is deleted
 * logically, the PDSm way (flux 03 "Suppression logique d'une fiche": status `superseded` and
 * PDSm_IsDeleted = true; XDS availabilityStatus Deleted, the unpublication "faite à la demande du
 * patient"). Not a deprecation: a deprecated entry stays visible as a no longer valid document,
 * a deleted one is no longer accessible. README.md "Withdrawal" says why.
 *
 * Ordering with the publication, as for a deprecation: a publication of the prescription still
 * queued or running is waited for (the job goes back as delayed), so a document stored a moment
 * after the objection — by a worker that read the consent before it changed, or a job taken over
 * after its worker died between publishing and acknowledging — is withdrawn too; a publication
 * that starts after the objection sees it and publishes nothing (publish.ts).
 */
import type { DocumentReference } from 'fhir/r4';
import type { DeprecateDeps } from './deprecate';
import { deleteLogically, findPrescriptionEntries, isDeleted, isPrescriptionDocument } from './dmp-store';
import { readStoredPrescription } from './publish';

/** What a withdrawal needs: what a deprecation does (both act on the prescription's published entries). */
export type WithdrawDeps = DeprecateDeps;

export type WithdrawResult =
  | { outcome: 'withdrawn'; documentReferenceIds: string[] }
  | { outcome: 'nothing-published' }
  | { outcome: 'wait-for-publication' };

export async function withdrawPublication(
  deps: WithdrawDeps,
  request: { number: string; version: number },
): Promise<WithdrawResult> {
  const { number, version } = request;
  // Every publication up to the header version the objection was recorded on.
  if (await deps.publicationPending(number, version + 1)) return { outcome: 'wait-for-publication' };
  const { stored } = await deps.stage('read', () => readStoredPrescription(deps.fhir, number));
  const entries = await deps.stage('find', () =>
    findPrescriptionEntries(deps.dmp, stored.prescription.patient.ins, number),
  );
  if (entries.length === 0) return { outcome: 'nothing-published' };
  // The documents first, then their signatures; already deleted entries (a re-run) are left alone.
  const pending = entries
    .filter((d): d is DocumentReference & { id: string } => d.id !== undefined && !isDeleted(d))
    .sort((a, b) => Number(isPrescriptionDocument(b)) - Number(isPrescriptionDocument(a)));
  for (const entry of pending) await deps.stage('delete', () => deleteLogically(deps.dmp, entry));
  return { outcome: 'withdrawn', documentReferenceIds: entries.map((d) => d.id!).filter(Boolean) };
}
