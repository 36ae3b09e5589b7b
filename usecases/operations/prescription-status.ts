/**
 * A prescription's standing for an operator (`ordo-admin status`): the dispensing summary and the
 * DMP publication status exactly as GET /prescriptions/{number} computes them (the same readers,
 * rules and summary builder), without a professional's resource-level authorization — the
 * operator's command is audited instead. The summary holds figures and codes, no patient data.
 */
import type { Parameters } from 'fhir/r4';
import type { DmpPublicationStatus } from '../../domain/dmp-publication';
import { parisDateOf } from '../../domain/paris-time';
import { dispensingSummary } from '../../fhir/dispensing/summary';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import { loadForDispensing, normalizedNumber } from '../dispensing/lookup';
import { dmpPublicationStatus } from '../dmp/status';
import type { UseCaseDeps } from '../ports';

export interface PrescriptionStatus {
  number: string;
  /** `RequestGroup/<id>` of the prescription header (what the audit record names). */
  reference?: string;
  /** The summary Parameters resource, as the API's Bundle carries it. */
  summary: Parameters;
  dmpPublication: DmpPublicationStatus;
}

export async function prescriptionStatus(
  deps: Pick<UseCaseDeps, 'fhir' | 'now' | 'publicationJobs' | 'dmpStore'>,
  asked: string,
): Promise<PrescriptionStatus> {
  // As typed or scanned (case, spaces, dashes), like the API's path segment.
  const { found, stored } = await loadForDispensing(deps, normalizedNumber(asked));
  const dmpPublication = await dmpPublicationStatus(
    { jobs: deps.publicationJobs, dmpStore: deps.dmpStore },
    stored.state.number,
    found,
  );
  const now = deps.now();
  const verdict = prescriptionStatusOf(stored.state, parisDateOf(now));
  return {
    number: stored.state.number,
    ...(found.header.id ? { reference: `RequestGroup/${found.header.id}` } : {}),
    summary: dispensingSummary(stored, verdict, { now, dmpPublication }),
    dmpPublication,
  };
}
