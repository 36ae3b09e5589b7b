/**
 * Recording dispenses and executions (POST /prescriptions/{number}/dispenses and the
 * dispense-record message): read the prescription, check the rules on what was read, write the
 * records and the new state in ONE transaction guarded by If-Match on every version read
 * (fhir/dispensing/build-execution.ts). When the store refuses because a version moved on (another
 * dispense of the same prescription committed in between, in this process or another), the whole
 * decision is taken again on a fresh read: the request then either still fits and is recorded, or
 * no longer does and is answered 409 — the loser of a race for the last box. No lock is held
 * anywhere: HAPI's versioning is the only arbiter, so it holds across gateway processes.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, FhirResource, Parameters, RequestGroup } from 'fhir/r4';
import { parisDateOf } from '../../domain/paris-time';
import type { Principal } from '../../domain/principal';
import { ProblemError, type Problem } from '../../domain/problem';
import type { Delivery } from '../../domain/drug-validity';
import type { LineKind } from '../../domain/professions';
import { parseLocation, versionOfLocation } from '../../fhir/transaction-response';
import { buildExecutionTransaction, type PerformerToStore } from '../../fhir/dispensing/build-execution';
import type { ExecutionRecord, StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { Submission } from '../../fhir/dispensing/read-submission';
import { dispensingSummary } from '../../fhir/dispensing/summary';
import { checkExecution, referenceKey, type ExecutionPerformer } from '../../rules/dispensing/execution-rules';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import type { Caller } from '../caller';
import type { UseCaseDeps } from '../ports';
import { appendOutbox, outboxJobs } from '../outbox/outbox-task';
import { answerContext } from '../../fhir/dispensing/answer-context';
import { executedLineDetail } from '../../fhir/audit-details';
import { withFreshReads } from './fresh-reads';
import { changingTo, loadForDispensing } from './lookup';
import { correctRecords } from './correct';
import { dosageProblems, withDosageChecks } from './dosage';

export interface RecordResult {
  /** false when every record had already been stored (a resent submission, matched by identifier). */
  created: boolean;
  summary: Parameters;
  /** The records as stored (ids, versions, references to stored resources). */
  records: ExecutionRecord[];
  /** The prescription the records are about, as it now stands, and their parties (fhir/dispensing/answer-context.ts). */
  context: FhirResource[];
}

interface ResolvedPerformer {
  rules: ExecutionPerformer;
  store: PerformerToStore;
}

/**
 * Who performed: the token's professional when there is one (the submission may only confirm it),
 * else the declared one (a caller without a principal: the in-process benchmark and the tests of the rules).
 */
export function resolvePerformer(submission: Submission, principal: Principal | undefined): ResolvedPerformer {
  const declared = submission.practitioner;
  const organization = submission.organization
    ? { submitted: submission.organization }
    : principal?.organization.finess || principal?.organization.am
      ? {
          ...(principal.organization.finess ? { finess: principal.organization.finess } : {}),
          ...(principal.organization.am ? { am: principal.organization.am } : {}),
        }
      : undefined;
  if (principal) {
    if (declared && declared.rpps !== principal.rpps) {
      throw new ProblemError('forbidden', [
        {
          code: 'forbidden',
          rule: 'D2',
          path: declared.at,
          message: `access refused: the performer named in the submission (RPPS ${declared.rpps}) is not the authenticated professional`,
        },
      ]);
    }
    if (declared?.profession && principal.profession && declared.profession !== principal.profession) {
      throw new ProblemError('invalid', [
        {
          code: 'value',
          rule: 'D2',
          path: declared.professionAt,
          message: `the Practitioner's qualification says ${declared.profession}, the access token says ${principal.profession}`,
        },
      ]);
    }
    return {
      rules: {
        rpps: principal.rpps,
        ...(principal.profession ? { profession: principal.profession } : {}),
        source: 'token',
      },
      store: {
        rpps: principal.rpps,
        ...(declared ? { practitioner: declared } : {}),
        ...(organization ? { organization } : {}),
      },
    };
  }
  if (!declared) {
    throw new ProblemError('invalid', [
      {
        code: 'required',
        rule: 'D2',
        message:
          'the performer is required: a Practitioner entry with an RPPS identifier and a qualification giving the profession (send a Bundle of type collection)',
      },
    ]);
  }
  return {
    rules: {
      rpps: declared.rpps,
      ...(declared.profession ? { profession: declared.profession } : {}),
      source: 'declared',
      professionAt: declared.professionAt,
    },
    store: { rpps: declared.rpps, practitioner: declared, ...(organization ? { organization } : {}) },
  };
}

const identifierKeys = (resource: ExecutionRecord): string[] =>
  (resource.identifier ?? [])
    .filter((i) => i.system !== undefined && i.value !== undefined)
    .map((i) => `${i.system}|${i.value}`);

/** A resent submission: every record carries an identifier already stored on this prescription. */
function replayedRecords(submission: Submission, stored: StoredExecutionState): ExecutionRecord[] | undefined {
  const storedByKey = new Map<string, ExecutionRecord>();
  for (const record of stored.records) for (const key of identifierKeys(record)) storedByKey.set(key, record);
  const matches = submission.records.map((r) =>
    identifierKeys(r.resource)
      .map((k) => storedByKey.get(k))
      .find((m) => m !== undefined),
  );
  const found = matches.filter((m): m is ExecutionRecord => m !== undefined);
  if (found.length === 0) return undefined;
  if (found.length === matches.length) return found;
  const already = submission.records.filter((_, i) => matches[i] !== undefined).map((r) => r.at);
  throw new ProblemError(
    'conflict',
    already.map((at) => ({
      code: 'duplicate' as const,
      rule: 'D9' as const,
      path: `${at}.identifier`,
      message: 'this record was already stored for this prescription; send only the new records',
    })),
  );
}

/** The state after the transaction, from what was decided (no second read). */
function stateAfter(
  stored: StoredExecutionState,
  executed: ReadonlyMap<string, number>,
  headerStatus: RequestGroup['status'],
  delivered: ReadonlyMap<string, Delivery[]> = new Map(),
): StoredExecutionState {
  const lines = stored.state.lines.map((line) => {
    const total = executed.get(line.reference);
    return total === undefined
      ? line
      : {
          ...line,
          executed: total,
          requestStatus: total >= line.prescribed ? 'completed' : line.requestStatus,
          ...(line.deliveries ? { deliveries: [...line.deliveries, ...(delivered.get(line.reference) ?? [])] } : {}),
        };
  });
  return { ...stored, state: { ...stored.state, headerStatus, lines } };
}

/** Replace transaction-local references (urn:uuid) by the stored `Type/id` everywhere in a resource. */
function rewriteReferences<T>(node: T, ids: ReadonlyMap<string, string>): T {
  if (Array.isArray(node)) return node.map((n) => rewriteReferences(n, ids)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === 'reference' && typeof value === 'string' && ids.has(value)
        ? ids.get(value)
        : rewriteReferences(value, ids);
  }
  return out as T;
}

/** fullUrl of each transaction entry → `Type/id` it was stored under. */
function storedIds(tx: Bundle<FhirResource>, response: Bundle<FhirResource>): Map<string, string> {
  const ids = new Map<string, string>();
  (tx.entry ?? []).forEach((entry, i) => {
    const location = response.entry?.[i]?.response?.location;
    const parsed = location !== undefined ? parseLocation(location) : undefined;
    if (entry.fullUrl && parsed) ids.set(entry.fullUrl, `${parsed.resourceType}/${parsed.id}`);
  });
  return ids;
}

/** The transaction's resources that were stored, with their ids (the performer and structure among them). */
const storedResources = (tx: Bundle<FhirResource>, ids: Map<string, string>): FhirResource[] =>
  (tx.entry ?? []).flatMap((entry) => {
    const id = entry.fullUrl ? ids.get(entry.fullUrl)?.split('/')[1] : undefined;
    return entry.resource && id ? [{ ...entry.resource, id }] : [];
  });

function storedRecords(
  tx: Bundle<FhirResource>,
  response: Bundle<FhirResource>,
  ids: Map<string, string>,
  recordEntries: readonly number[],
): ExecutionRecord[] {
  return recordEntries.map((i) => {
    const entry = tx.entry![i]!;
    const id = ids.get(entry.fullUrl!)?.split('/')[1];
    const version = versionOfLocation(response.entry?.[i]?.response?.location);
    const resource = rewriteReferences(entry.resource as ExecutionRecord, ids);
    return { ...resource, ...(id ? { id } : {}), ...(version ? { meta: { versionId: version } } : {}) };
  });
}

/** The summary as of `now` (statuses judged on its Europe/Paris date). */
const summaryAt = (stored: StoredExecutionState, now: Date, warnings: readonly Problem[] = []): Parameters =>
  dispensingSummary(stored, prescriptionStatusOf(stored.state, parisDateOf(now)), {
    now,
    ...(warnings.length > 0 ? { warnings } : {}),
  });

const lineKindsOf = (stored: StoredExecutionState, submission: Submission): LineKind[] => {
  const byReference = new Map(stored.state.lines.map((l) => [l.reference, l.kind]));
  const kinds = submission.items.map((item) =>
    item.lineReference ? byReference.get(referenceKey(item.lineReference) ?? '') : undefined,
  );
  return [...new Set(kinds.filter((k): k is LineKind => k !== undefined))];
};

export function recordExecution(
  deps: Pick<UseCaseDeps, 'fhir' | 'now' | 'prescriptionCache'>,
  caller: Caller,
  number: string,
  submission: Submission,
): Promise<RecordResult> {
  const performer = resolvePerformer(submission, caller.principal);
  if ((submission.corrections ?? []).length > 0) return correctRecords(deps, caller, number, submission);
  return withFreshReads(async ({ index, afterConflict, write }) => {
    // The first attempt may decide on the cached prescription: the write is guarded by If-Match on
    // the header and every line it changes, so a copy gone stale loses like a race and is read again.
    const loaded =
      index === 0
        ? await loadForDispensing(deps, number, caller.lookups, { cached: true })
        : await loadForDispensing(deps, number);
    const { found, stored } = loaded;
    const storedBefore = (found.bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
    if (index === 0) for (const kind of lineKindsOf(stored, submission)) caller.authorize.recordExecution(kind);
    const replay = replayedRecords(submission, stored);
    if (replay)
      return {
        created: false,
        records: replay,
        context: answerContext([], storedBefore),
        summary: summaryAt(stored, deps.now()),
      };

    const decision = withDosageChecks(
      checkExecution(stored.state, submission.items, performer.rules, deps.now()),
      dosageProblems(found, stored, submission, deps.now()),
    );
    if (!decision.ok) {
      const problems: Problem[] =
        afterConflict && decision.kind === 'conflict'
          ? [
              ...decision.problems,
              {
                code: 'conflict',
                severity: 'information',
                message:
                  'another dispense or execution of this prescription was recorded at the same moment; yours was not recorded',
              },
            ]
          : decision.problems;
      throw new ProblemError(decision.kind, problems);
    }
    const tx = buildExecutionTransaction(
      stored,
      submission.records.map((record, i) => ({ record, ...decision.items[i]! })),
      performer.store,
      decision.executed,
      randomUUID,
    );
    // Before the record is promised to the outbox: which lines, how much (the audit trail's detail).
    caller.noteAccess({
      number,
      detail: submission.items.map((item, i) => {
        const { line } = decision.items[i]!;
        return executedLineDetail({
          line: line.index + 1,
          quantity: item.quantity,
          unit: line.unit,
          ...(item.notDone ? { notDone: true } : {}),
        });
      }),
    });
    appendOutbox(tx.bundle, outboxJobs(caller.auditRecord()), {
      kind: 'execution',
      focus: `RequestGroup/${stored.header.id}`,
      now: deps.now(),
    });
    // The state this leaves is cached for the next read (usecases/dispensing/lookup.ts changingTo).
    const response = await write(() =>
      changingTo(deps, number, loaded, (options) => deps.fhir.transaction(tx.bundle, options)),
    );
    const headerStatus = (tx.bundle.entry![tx.headerEntry]!.resource as RequestGroup).status;
    const after = stateAfter(stored, decision.executed, headerStatus, decision.delivered);
    const ids = storedIds(tx.bundle, response);
    const records = storedRecords(tx.bundle, response, ids, tx.recordEntries);
    return {
      created: true,
      records,
      context: answerContext(storedResources(tx.bundle, ids), storedBefore),
      // The summary counts the records just stored too (a line not delivered shows with its reason).
      summary: summaryAt({ ...after, records: [...after.records, ...records] }, deps.now(), decision.warnings),
    };
  }, `prescription ${number} kept changing while this was being recorded (other dispenses at the same moment); nothing was recorded: look it up again and retry`);
}
