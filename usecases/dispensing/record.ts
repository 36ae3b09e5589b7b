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
import type { Problem } from '../../domain/problem';
import { FhirServerError } from '../../store/fhir-client';
import { parseLocation } from '../../fhir/build-transaction';
import { buildExecutionTransaction, versionOfLocation, type PerformerToStore } from '../../fhir/dispensing/build-execution';
import type { ExecutionRecord, StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { Submission } from '../../fhir/dispensing/read-submission';
import { dispensingSummary } from '../../fhir/dispensing/summary';
import { parisDateOf } from '../../domain/paris-time';
import { checkExecution, referenceKey, type ExecutionPerformer } from '../../rules/dispensing/execution-rules';
import { prescriptionStatusOf } from '../../rules/dispensing/status';
import type { AppDeps } from '../../gateway/app';
import { HttpProblem } from '../../gateway/http-problem';
import type { Principal } from '../../domain/principal';
import type { LineKind } from '../../rules/access/policy';
import { clockOf } from '../../platform/clock';
import { loadForDispensing } from './lookup';

/** Fresh reads after a version conflict before giving up (each conflict means someone else committed). */
export const MAX_ATTEMPTS = 4;

export interface ExecutionSecurity {
  principal: Principal;
  /** authorize.recordExecution bound to the request: throws 403. */
  recordExecution(kind: LineKind): void;
}

export interface RecordInput {
  number: string;
  submission: Submission;
  security?: ExecutionSecurity;
}

export interface RecordResult {
  /** false when every record had already been stored (a resent submission, matched by identifier). */
  created: boolean;
  summary: Parameters;
  /** The records as stored (ids, versions, references to stored resources). */
  records: ExecutionRecord[];
}

interface ResolvedPerformer {
  rules: ExecutionPerformer;
  store: PerformerToStore;
}

/** Who performed: the token's professional when there is one (the submission may only confirm it), else the declared one. */
export function resolvePerformer(submission: Submission, principal: Principal | undefined): ResolvedPerformer {
  const declared = submission.practitioner;
  const organization = submission.organization
    ? { submitted: submission.organization }
    : principal?.organization.finess || principal?.organization.am
      ? { ...(principal.organization.finess ? { finess: principal.organization.finess } : {}), ...(principal.organization.am ? { am: principal.organization.am } : {}) }
      : undefined;
  if (principal) {
    if (declared && declared.rpps !== principal.rpps) {
      throw new HttpProblem(403, [
        { code: 'forbidden', path: declared.at, message: `access refused: the performer named in the submission (RPPS ${declared.rpps}) is not the authenticated professional` },
      ]);
    }
    if (declared?.profession && principal.profession && declared.profession !== principal.profession) {
      throw new HttpProblem(422, [
        { code: 'value', path: declared.professionAt, message: `the Practitioner's qualification says ${declared.profession}, the access token says ${principal.profession}` },
      ]);
    }
    return {
      rules: { rpps: principal.rpps, ...(principal.profession ? { profession: principal.profession } : {}), source: 'token' },
      store: { rpps: principal.rpps, ...(declared ? { practitioner: declared } : {}), ...(organization ? { organization } : {}) },
    };
  }
  if (!declared) {
    throw new HttpProblem(422, [
      {
        code: 'required',
        message: 'the performer is required: a Practitioner entry with an RPPS identifier and a qualification giving the profession (send a Bundle of type collection)',
      },
    ]);
  }
  return {
    rules: { rpps: declared.rpps, ...(declared.profession ? { profession: declared.profession } : {}), source: 'declared', professionAt: declared.professionAt },
    store: { rpps: declared.rpps, practitioner: declared, ...(organization ? { organization } : {}) },
  };
}

const identifierKeys = (resource: ExecutionRecord): string[] =>
  (resource.identifier ?? []).filter((i) => i.system !== undefined && i.value !== undefined).map((i) => `${i.system}|${i.value}`);

/** A resent submission: every record carries an identifier already stored on this prescription. */
function replayedRecords(submission: Submission, stored: StoredExecutionState): ExecutionRecord[] | undefined {
  const storedByKey = new Map<string, ExecutionRecord>();
  for (const record of stored.records) for (const key of identifierKeys(record)) storedByKey.set(key, record);
  const matches = submission.records.map((r) => identifierKeys(r.resource).map((k) => storedByKey.get(k)).find((m) => m !== undefined));
  const found = matches.filter((m): m is ExecutionRecord => m !== undefined);
  if (found.length === 0) return undefined;
  if (found.length === matches.length) return found;
  const already = submission.records.filter((_, i) => matches[i] !== undefined).map((r) => r.at);
  throw new HttpProblem(
    409,
    already.map((at) => ({ code: 'duplicate' as const, path: `${at}.identifier`, message: 'this record was already stored for this prescription; send only the new records' })),
  );
}

/** The state after the transaction, from what was decided (no second read). */
function stateAfter(stored: StoredExecutionState, executed: ReadonlyMap<string, number>, headerStatus: RequestGroup['status']): StoredExecutionState {
  const lines = stored.state.lines.map((line) => {
    const total = executed.get(line.reference);
    return total === undefined ? line : { ...line, executed: total, requestStatus: total >= line.prescribed ? 'completed' : line.requestStatus };
  });
  return { ...stored, state: { ...stored.state, headerStatus, lines } };
}

/** Replace transaction-local references (urn:uuid) by the stored `Type/id` everywhere in a resource. */
function rewriteReferences<T>(node: T, ids: ReadonlyMap<string, string>): T {
  if (Array.isArray(node)) return node.map((n) => rewriteReferences(n, ids)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'reference' && typeof value === 'string' && ids.has(value) ? ids.get(value) : rewriteReferences(value, ids);
  }
  return out as T;
}

function storedRecords(tx: Bundle<FhirResource>, response: Bundle<FhirResource>, recordEntries: readonly number[]): ExecutionRecord[] {
  const ids = new Map<string, string>();
  (tx.entry ?? []).forEach((entry, i) => {
    const location = response.entry?.[i]?.response?.location;
    const parsed = location !== undefined ? parseLocation(location) : undefined;
    if (entry.fullUrl && parsed) ids.set(entry.fullUrl, `${parsed.resourceType}/${parsed.id}`);
  });
  return recordEntries.map((i) => {
    const entry = tx.entry![i]!;
    const id = ids.get(entry.fullUrl!)?.split('/')[1];
    const version = versionOfLocation(response.entry?.[i]?.response?.location);
    const resource = rewriteReferences(entry.resource as ExecutionRecord, ids);
    return { ...resource, ...(id ? { id } : {}), ...(version ? { meta: { versionId: version } } : {}) };
  });
}

/** The summary as of `now` (statuses judged on its Europe/Paris date). */
const summaryAt = (stored: StoredExecutionState, now: Date): Parameters => dispensingSummary(stored, prescriptionStatusOf(stored.state, parisDateOf(now)), { now });

const lineKindsOf = (stored: StoredExecutionState, submission: Submission): LineKind[] => {
  const byReference = new Map(stored.state.lines.map((l) => [l.reference, l.kind]));
  const kinds = submission.items.map((item) => (item.lineReference ? byReference.get(referenceKey(item.lineReference) ?? '') : undefined));
  return [...new Set(kinds.filter((k): k is LineKind => k !== undefined))];
};

export async function recordExecution(deps: Pick<AppDeps, 'fhir' | 'now'>, input: RecordInput): Promise<RecordResult> {
  const now = clockOf(deps);
  const { number, submission, security } = input;
  const performer = resolvePerformer(submission, security?.principal);
  let conflicted = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { stored } = await loadForDispensing(deps, number);
    if (attempt === 0 && security) for (const kind of lineKindsOf(stored, submission)) security.recordExecution(kind);
    const replay = replayedRecords(submission, stored);
    if (replay) {
      return { created: false, records: replay, summary: summaryAt(stored, now()) };
    }

    const decision = checkExecution(stored.state, submission.items, performer.rules, now());
    if (!decision.ok) {
      const problems: Problem[] =
        conflicted && decision.status === 409
          ? [...decision.problems, { code: 'conflict', severity: 'information', message: 'another dispense or execution of this prescription was recorded at the same moment; yours was not recorded' }]
          : decision.problems;
      throw new HttpProblem(decision.status, problems);
    }
    const tx = buildExecutionTransaction(
      stored,
      submission.records.map((record, i) => ({ record, ...decision.items[i]! })),
      performer.store,
      decision.executed,
      randomUUID,
    );
    let response: Bundle<FhirResource>;
    try {
      response = await deps.fhir.transaction(tx.bundle);
    } catch (err) {
      if (err instanceof FhirServerError && err.isConflict) {
        conflicted = true;
        continue;
      }
      throw err;
    }
    const headerStatus = (tx.bundle.entry![tx.headerEntry]!.resource as RequestGroup).status;
    const after = stateAfter(stored, decision.executed, headerStatus);
    return {
      created: true,
      records: storedRecords(tx.bundle, response, tx.recordEntries),
      summary: summaryAt(after, now()),
    };
  }
  throw HttpProblem.of(
    409,
    'conflict',
    `prescription ${number} kept changing while this was being recorded (other dispenses at the same moment); nothing was recorded: look it up again and retry`,
  );
}
