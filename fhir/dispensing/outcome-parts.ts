/**
 * What the dispensing summary says of a line besides its quantities (README "Dispensing summary"):
 * each time it was not delivered and why (`notDispensed`, the reason as a Coding), and how many of its
 * records were corrected (`corrected`). Pure, from the stored records.
 */
import type { Coding, ParametersParameter } from 'fhir/r4';
import { EXECUTION_EXTENSIONS } from '../systems';
import { reasonDisplay } from './not-done-reasons';
import { CORRECTION_STATUS, isNotDone } from './read-outcomes';
import type { ExecutionRecord } from './read-state';

/** `Type/id` of the line a record is about. */
function lineKeyOf(record: ExecutionRecord): string | undefined {
  const reference =
    record.resourceType === 'MedicationDispense'
      ? record.authorizingPrescription?.[0]?.reference
      : record.resourceType === 'Procedure'
        ? record.basedOn?.[0]?.reference
        : record.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.fulfils)?.valueReference?.reference;
  return reference ? /[A-Z][A-Za-z]+\/[^/]+$/.exec(reference)?.[0] : undefined;
}

function reasonOf(record: ExecutionRecord): Coding | undefined {
  const concept =
    record.resourceType === 'MedicationDispense'
      ? record.statusReasonCodeableConcept
      : record.resourceType === 'Procedure'
        ? record.statusReason
        : undefined;
  for (const c of concept?.coding ?? []) {
    const display = reasonDisplay(record.resourceType, c.system, c.code);
    if (display !== undefined) return { system: c.system!, code: c.code!, display: c.display ?? display };
  }
  return undefined;
}

export function outcomeParts(records: readonly ExecutionRecord[], lineReference: string): ParametersParameter[] {
  const ofLine = records.filter((r) => lineKeyOf(r) === lineReference);
  const parts: ParametersParameter[] = ofLine.filter(isNotDone).flatMap((r) => {
    const reason = reasonOf(r);
    return reason ? [{ name: 'notDispensed', valueCoding: reason }] : [];
  });
  const corrected = ofLine.filter((r) => r.status === CORRECTION_STATUS).length;
  if (corrected > 0) parts.push({ name: 'corrected', valueInteger: corrected });
  return parts;
}
