/**
 * The dosage checks of a dispense (rules/dispensing/dosage-rules.ts, rule D14), with what they need
 * from the stored prescription: each drug line's prescribed dosageInstruction and its prescriber.
 */
import type { Dosage } from 'fhir/r4';
import type { Problem } from '../../domain/problem';
import type { StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { Submission } from '../../fhir/dispensing/read-submission';
import { ownershipOf } from '../../fhir/ownership';
import type { StoredPrescriptionBundle } from '../../fhir/prescription-search';
import { checkDosage } from '../../rules/dispensing/dosage-rules';
import { referenceKey, type ExecutionDecision } from '../../rules/dispensing/execution-rules';

export function dosageProblems(
  found: StoredPrescriptionBundle,
  stored: StoredExecutionState,
  submission: Submission,
  now: Date,
): Problem[] {
  const withDosage = submission.items.filter((i) => i.dosage !== undefined && i.lineReference !== undefined);
  if (withDosage.length === 0) return [];
  const prescribed = new Map<string, readonly Dosage[]>();
  for (const [reference, { resource }] of stored.requests)
    if (resource.resourceType === 'MedicationRequest') prescribed.set(reference, resource.dosageInstruction ?? []);
  const prescriber = ownershipOf(found).prescriberRpps;
  const context = {
    prescribed,
    prescribers: prescriber ? [prescriber] : [],
    authoredOn: stored.state.authoredOn,
    now,
  };
  return withDosage.flatMap((item) => {
    const line = referenceKey(item.lineReference!);
    // A line that is not a drug line of this prescription is refused by the execution rules (D3).
    return line !== undefined && prescribed.has(line) ? checkDosage(line, item.dosage!, context) : [];
  });
}

/** The execution decision with the dosage problems added: refused as invalid, unless it already was forbidden. */
export function withDosageChecks(decision: ExecutionDecision, problems: readonly Problem[]): ExecutionDecision {
  if (problems.length === 0 || (!decision.ok && decision.kind === 'forbidden')) return decision;
  return { ok: false, kind: 'invalid', problems: [...problems, ...(decision.ok ? [] : decision.problems)] };
}
