/**
 * The replacement of a prescription as ONE FHIR transaction (README "Replacing a prescription"):
 * the intake transaction of the new prescription, whose RequestGroup gets `replaces` → the old
 * RequestGroup, followed by the old prescription's deactivation — its open requests revoked and
 * its RequestGroup revoked with extension ordo-ext-replaced-by → the new one — each with If-Match
 * on the version read. A dispense or another replacement of the old prescription committing in
 * between makes the whole transaction fail: nothing of the new prescription is stored either.
 * Pure.
 */
import type { Bundle, BundleEntry, FhirResource, Reference, RequestGroup } from 'fhir/r4';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../domain/prescription-number';
import type { LineState } from '../rules/dispensing/model';
import { buildCancellationTransaction } from './dispensing/build-execution';
import type { StoredExecutionState } from './dispensing/read-state';
import { REPLACEMENT_EXTENSIONS } from './systems';

export interface ReplacementTransaction {
  bundle: Bundle<FhirResource>;
  /** How many entries, from the first, are the new prescription's (its intake transaction). */
  intakeEntries: number;
  /** The fullUrl of the new RequestGroup in the transaction. */
  headerFullUrl: string;
}

const byNumber = (reference: string, number: string): Reference => ({
  reference,
  identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number },
});

const isHeaderEntry = (entry: BundleEntry<FhirResource>): entry is BundleEntry<RequestGroup> =>
  entry.resource?.resourceType === 'RequestGroup';

export function buildReplacementTransaction(
  intake: Bundle<FhirResource>,
  replacement: { number: string },
  old: StoredExecutionState,
  revoke: readonly LineState[],
): ReplacementTransaction {
  const entries = [...(intake.entry ?? [])];
  const newHeader = entries.find(isHeaderEntry);
  if (!newHeader?.resource || !newHeader.fullUrl) throw new Error('the intake transaction has no RequestGroup entry');
  newHeader.resource.replaces = [byNumber(`RequestGroup/${old.header.id}`, old.state.number)];

  const deactivation = buildCancellationTransaction(old, {
    cancel: [...revoke],
    revokePrescription: true,
    alreadyCancelled: false,
    report: [],
  });
  const oldHeader = deactivation.bundle.entry?.[deactivation.headerEntry]?.resource as RequestGroup;
  oldHeader.extension = [
    ...(oldHeader.extension ?? []).filter((e) => e.url !== REPLACEMENT_EXTENSIONS.replacedBy),
    { url: REPLACEMENT_EXTENSIONS.replacedBy, valueReference: byNumber(newHeader.fullUrl, replacement.number) },
  ];
  return {
    bundle: { ...intake, entry: [...entries, ...(deactivation.bundle.entry ?? [])] },
    intakeEntries: entries.length,
    headerFullUrl: newHeader.fullUrl,
  };
}

/** The number a stored RequestGroup says it replaces (`replaces[].identifier`), if any. */
export function replacedNumberOf(header: RequestGroup): string | undefined {
  return header.replaces?.find((r) => r.identifier?.system === PRESCRIPTION_NUMBER_SYSTEM)?.identifier?.value;
}
