import type { RuleCode } from '../../domain/rule-codes';
import type { Problem } from '../../domain/problem';
import type { Prescription } from '../../domain/prescription';

/**
 * A rule problem on the canonical model: `path` is a canonical JSON pointer. When a required
 * field is absent, `path` is its owner (the line, the organisation…) and `missing` lists the
 * canonical paths of the field or its alternatives, so that toVendorPaths can name them in the
 * vendor's terms even though they are not in the payload.
 */
export interface RuleProblem extends Problem {
  rule: RuleCode;
  path: string;
  missing?: readonly string[];
}

/** What every rule may need besides the prescription, computed once per check. */
export interface RuleContext {
  /** Receiver clock. */
  now: Date;
  /** Today's date in Europe/Paris (YYYY-MM-DD). */
  today: string;
  /** The prescription's date in Europe/Paris, when authoredOn is a valid date-time. */
  prescriptionDate?: string;
  /** When the sender made the message, for formats that say so (fhir-message Bundle.timestamp): checked, not stored. */
  sentAt?: string;
}

export type Report = (problem: RuleProblem) => void;

/** One small check, one job. Rules report; they never throw on bad data. */
export type Rule = (prescription: Prescription, context: RuleContext, report: Report) => void;
