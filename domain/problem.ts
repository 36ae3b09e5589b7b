/**
 * The one error model. Every layer reports what is wrong as `Problem`s (with the vendor rule
 * they break, when there is one); a step that may refuse its input returns an `Outcome`, and
 * code that must stop throws a `ProblemError` whose `kind` says what went wrong in protocol-free
 * terms. Only the edges turn a kind into a status: gateway/http/problem-status.ts for HTTP,
 * gateway/messaging/response-code.ts for $process-message response codes, queue/ for job retries.
 */
import type { CodeableConcept, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { isContractRule, RULE_DISPLAYS, RULES_CODE_SYSTEM, type RuleCode } from './rule-codes';

/**
 * A problem found in a payload or a request, before it is rendered as an OperationOutcome.
 * `path` is where the problem is, in the *vendor's* terms (JSON pointer or XPath) once the
 * mapper's SourceMap has been applied; rules first report canonical paths.
 */
export interface Problem {
  /** FHIR issue-type code: invalid, required, value, structure, business-rule, conflict, not-found, ... */
  code: OperationOutcomeIssue['code'];
  /** A sentence a vendor developer understands: what is wrong and, where useful, what was expected. */
  message: string;
  path?: string;
  /** The rule this is about (domain/rule-codes.ts), when there is one: the issue's `details`. */
  rule?: RuleCode;
  severity?: 'error' | 'warning' | 'information';
}

/** An issue's `details`: the rule, coded in the gateway's rules CodeSystem. */
export const ruleDetails = (rule: RuleCode): CodeableConcept => ({
  coding: [{ system: RULES_CODE_SYSTEM, code: rule, display: RULE_DISPLAYS[rule] }],
  text: RULE_DISPLAYS[rule],
});

export function toOperationOutcome(problems: readonly Problem[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map((p) => ({
      severity: p.severity ?? 'error',
      code: p.code,
      ...(p.rule ? { details: ruleDetails(p.rule) } : {}),
      // The contract's rules (V1–V12) also open the text, as they always did; the code is in `details`.
      diagnostics: p.rule && isContractRule(p.rule) ? `${p.rule}: ${p.message}` : p.message,
      ...(p.path ? { expression: [p.path] } : {}),
    })),
  };
}

/**
 * What went wrong, for whoever must react to it:
 *  - the caller's input: malformed (unreadable), invalid (readable, but breaks a rule),
 *    unsupported (a format or media type the gateway does not take), too-large
 *  - the caller's rights: unauthenticated, forbidden, throttled
 *  - the thing asked for: not-found, gone, conflict (its current state forbids it, or it changed
 *    meanwhile), not-allowed (the operation does not exist here)
 *  - the gateway's side: unavailable (a dependency is down: retry later), upstream (a dependency
 *    refused what the gateway sent), internal
 */
export type ProblemKind =
  | 'malformed'
  | 'invalid'
  | 'unsupported'
  | 'too-large'
  | 'unauthenticated'
  | 'forbidden'
  | 'throttled'
  | 'not-found'
  | 'gone'
  | 'conflict'
  | 'not-allowed'
  | 'unavailable'
  | 'upstream'
  | 'internal';

/** A refusal or failure to report to the caller: its kind and the problems to show. */
export class ProblemError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly problems: Problem[],
    /** Protocol hints for the edge that answers (Retry-After, WWW-Authenticate, Allow). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ProblemError';
  }

  static of(kind: ProblemKind, code: Problem['code'], message: string, path?: string): ProblemError {
    return new ProblemError(kind, [{ code, message, ...(path ? { path } : {}) }]);
  }
}

/** A step's refusal of its input: the problems, and what kind of refusal it is. */
export interface Refusal<K extends ProblemKind = ProblemKind> {
  ok: false;
  kind: K;
  problems: Problem[];
}

/** Result of a step that may refuse its input (reading, mapping, validation, a rule): the one result shape. */
export type Outcome<T, K extends ProblemKind = ProblemKind> = { ok: true; value: T } | Refusal<K>;

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

/** A refusal; `invalid` (the input breaks a rule) unless said otherwise. */
export const rejected = <K extends ProblemKind = 'invalid'>(
  problems: Problem[],
  kind: K = 'invalid' as K,
): Refusal<K> => ({ ok: false, kind, problems });

/** The value of an Outcome, or its refusal thrown as a ProblemError of the refusal's kind. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ProblemError(outcome.kind, outcome.problems);
  return outcome.value;
}

/** A write lost a race (optimistic concurrency): read again and decide again. */
export const isConflict = (err: unknown): boolean => err instanceof ProblemError && err.kind === 'conflict';
