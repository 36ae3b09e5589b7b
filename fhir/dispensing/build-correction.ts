/**
 * The transaction of a correction (rules/dispensing/correction-rules.ts): each corrected record
 * updated to `entered-in-error`, each line touched given back its quantity (and `active` again when
 * the record had completed it), the header bumped (and `active` again when it had been completed),
 * every entry with If-Match on the version read — the same guarantee as a dispense
 * (build-execution.ts): a correction and a dispense of one prescription cannot both commit on the
 * same state, the loser decides again on a fresh read.
 */
import type { Bundle, BundleEntry, FhirResource, RequestGroup } from 'fhir/r4';
import type { CorrectionTarget } from '../../rules/dispensing/correction-model';
import { executedTotalUpdate, forUpdate, headerUpdate, ifMatch } from './build-execution';
import type { ExecutionRecord, StoredExecutionState } from './read-state';
import { CORRECTION_STATUS } from './read-outcomes';

export interface CorrectionTransaction {
  bundle: Bundle<FhirResource>;
  /** Index in `bundle.entry` of each corrected record, same order as the targets given. */
  recordEntries: number[];
  headerEntry: number;
  /** The corrected records as written (before the store gives them their new version). */
  records: ExecutionRecord[];
}

export function buildCorrectionTransaction(
  stored: StoredExecutionState,
  targets: readonly CorrectionTarget[],
  executed: ReadonlyMap<string, number>,
): CorrectionTransaction {
  const entries: BundleEntry<FhirResource>[] = [];
  const recordEntries: number[] = [];
  const records: ExecutionRecord[] = [];
  for (const target of targets) {
    const found = stored.records.find((r) => `${r.resourceType}/${r.id}` === target.reference);
    if (!found?.meta?.versionId)
      throw new Error(`${target.reference} is not a stored record of ${stored.state.number}`);
    const record = { ...forUpdate(found), status: CORRECTION_STATUS } as ExecutionRecord;
    recordEntries.push(entries.length);
    records.push({ ...record, id: found.id! });
    entries.push({
      resource: record,
      request: { method: 'PUT', url: target.reference, ifMatch: ifMatch(found.meta.versionId) },
    });
  }
  const reactivated: string[] = [];
  for (const [reference, total] of executed) {
    entries.push(
      executedTotalUpdate(stored, reference, total, (request, line) => {
        // Completed by what is now given back: dispensable again (a cancelled or expired line stays so).
        if (request.status === 'completed' && total < line.prescribed) {
          request.status = 'active';
          reactivated.push(reference);
        }
      }),
    );
  }
  const headerStatus: RequestGroup['status'] =
    stored.header.status === 'completed' && reactivated.length > 0 ? 'active' : stored.header.status;
  const headerEntry = entries.length;
  entries.push(headerUpdate(stored, headerStatus));
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    recordEntries,
    headerEntry,
    records,
  };
}
