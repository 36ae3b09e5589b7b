import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

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
  /** The vendor README rule this violates (V1..V12), when there is one. */
  rule?: string;
  severity?: 'error' | 'warning' | 'information';
}

export function toOperationOutcome(problems: readonly Problem[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: problems.map((p) => ({
      severity: p.severity ?? 'error',
      code: p.code,
      diagnostics: p.rule ? `${p.rule}: ${p.message}` : p.message,
      ...(p.path ? { expression: [p.path] } : {}),
    })),
  };
}

/** Result of a step that may reject its input with problems (mapping, validation). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const rejected = <T = never>(problems: Problem[]): Outcome<T> => ({ ok: false, problems });
