/**
 * Correcting records entered by mistake (README "Counter outcomes"): the stored records sent back
 * with status entered-in-error, on POST /prescriptions/{number}/dispenses or in a dispense-record
 * message. Read, decide (rules/dispensing/correction-rules.ts: who, the 24-hour window), write ONE
 * transaction guarded by If-Match on the records, the lines and the header
 * (fhir/dispensing/build-correction.ts), and on a version conflict decide again on a fresh read —
 * the same loop as a dispense (fresh-reads.ts), so a correction freeing a box and a dispense taking
 * it at the same moment are serialised by the store: nothing is ever dispensed twice.
 */
import type { FhirResource, Parameters, RequestGroup } from 'fhir/r4';
import { parisDateOf } from '../../domain/paris-time';
import { ProblemError } from '../../domain/problem';
import { answerContext } from '../../fhir/dispensing/answer-context';
import { buildCorrectionTransaction } from '../../fhir/dispensing/build-correction';
import { correctionTargets } from '../../fhir/dispensing/correction-targets';
import type { ExecutionRecord, StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { Submission } from '../../fhir/dispensing/read-submission';
import { dispensingSummary } from '../../fhir/dispensing/summary';
import { versionOfLocation } from '../../fhir/transaction-response';
import { checkCorrection } from '../../rules/dispensing/correction-rules';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import type { Caller } from '../caller';
import { appendOutbox, outboxJobs } from '../outbox/outbox-task';
import type { UseCaseDeps } from '../ports';
import { withFreshReads } from './fresh-reads';
import { changing, loadForDispensing } from './lookup';

/** What a correction answers: the shape of a dispense's answer (record.ts RecordResult). */
export interface CorrectionResult {
  /** false when every record named had already been corrected (a resent correction). */
  created: boolean;
  summary: Parameters;
  /** The records named, as they now stand. */
  records: ExecutionRecord[];
  context: FhirResource[];
}

/** The state the transaction leaves, from what was decided (no second read). */
function stateAfter(
  stored: StoredExecutionState,
  executed: ReadonlyMap<string, number>,
  headerStatus: RequestGroup['status'],
): StoredExecutionState {
  const lines = stored.state.lines.map((line) => {
    const total = executed.get(line.reference);
    if (total === undefined) return line;
    const reopened = line.requestStatus === 'completed' && total < line.prescribed;
    return { ...line, executed: total, requestStatus: reopened ? 'active' : line.requestStatus };
  });
  return { ...stored, state: { ...stored.state, headerStatus, lines } };
}

export function correctRecords(
  deps: Pick<UseCaseDeps, 'fhir' | 'now'>,
  caller: Caller,
  number: string,
  submission: Submission,
): Promise<CorrectionResult> {
  const requests = submission.corrections ?? [];
  const principal = caller.principal;
  const corrector = {
    rpps: principal.rpps,
    ...(principal.organization.finess ? { finess: principal.organization.finess } : {}),
    ...(principal.organization.am ? { am: principal.organization.am } : {}),
  };
  return withFreshReads(async ({ index, write }) => {
    const { found, stored } = await loadForDispensing(deps, number, index === 0 ? caller.lookups : undefined);
    const storedBefore = (found.bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    let read = correctionTargets(stored, found.bundle, requests);
    if (read.missing.length > 0) throw new ProblemError('not-found', read.missing);
    if (read.unresolved.length > 0) {
      // A structure the search did not include (Procedure.performer.onBehalfOf is not a search path): read it.
      const extra = await Promise.all(
        [...new Set(read.unresolved)].map(async (reference) => {
          const [type, id] = reference.split('/') as [FhirResource['resourceType'], string];
          return (await deps.fhir.read<FhirResource>(type, id)).resource;
        }),
      );
      read = correctionTargets(stored, found.bundle, requests, extra);
    }
    caller.noteAccess({ number, event: 'dispense.correct' });
    // Who corrects a record could have recorded it: a profession that does not execute the line kind may not (A8).
    if (index === 0) {
      const kinds = new Map(stored.state.lines.map((l) => [l.reference, l.kind]));
      for (const kind of new Set(read.targets.map((t) => kinds.get(t.lineReference))))
        if (kind !== undefined) caller.authorize.recordExecution(kind);
    }

    const decision = checkCorrection(stored.state, read.targets, corrector, deps.now());
    if (!decision.ok) throw new ProblemError(decision.kind, decision.problems);
    const byReference = new Map(stored.records.map((r) => [`${r.resourceType}/${r.id}`, r]));
    if (decision.toCorrect.length === 0) {
      // Everything named was already corrected: the answer of a resent correction.
      return {
        created: false,
        records: read.targets.map((t) => byReference.get(t.reference)!),
        context: answerContext([], storedBefore),
        summary: dispensingSummary(stored, prescriptionStatusOf(stored.state, parisDateOf(deps.now())), {
          now: deps.now(),
        }),
      };
    }

    const tx = buildCorrectionTransaction(stored, decision.toCorrect, decision.executed);
    appendOutbox(tx.bundle, outboxJobs(caller.auditRecord()), {
      kind: 'execution',
      focus: `RequestGroup/${stored.header.id}`,
      now: deps.now(),
    });
    const response = await write(() => changing(deps, number, () => deps.fhir.transaction(tx.bundle)));
    const corrected = new Map<string, ExecutionRecord>(
      tx.records.map((record, i) => {
        const version = versionOfLocation(response.entry?.[tx.recordEntries[i]!]?.response?.location);
        const withVersion = version ? { ...record, meta: { ...record.meta, versionId: version } } : record;
        return [`${record.resourceType}/${record.id}`, withVersion as ExecutionRecord];
      }),
    );
    const headerStatus = (tx.bundle.entry![tx.headerEntry]!.resource as RequestGroup).status;
    const after = stateAfter(stored, decision.executed, headerStatus);
    const records = stored.records.map((r) => corrected.get(`${r.resourceType}/${r.id}`) ?? r);
    const answered = { ...after, records };
    return {
      created: true,
      records: read.targets.map((t) => corrected.get(t.reference) ?? byReference.get(t.reference)!),
      context: answerContext([], storedBefore),
      summary: dispensingSummary(answered, prescriptionStatusOf(after.state, parisDateOf(deps.now())), {
        now: deps.now(),
      }),
    };
  }, `prescription ${number} kept changing while this correction was being recorded (dispenses at the same moment); nothing was corrected: look it up again and retry`);
}
