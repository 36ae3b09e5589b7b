/**
 * Who a use case acts for: the authenticated professional, their resource-level authorizer and
 * where to note what was accessed for the audit trail. The HTTP edge builds one per request
 * (gateway/security/request-context.ts); use cases never see Express's request.
 */
import type { Prescription, SourceMap } from '../domain/prescription';
import type { Principal } from '../domain/principal';
import { ProblemError } from '../domain/problem';
import type { RuleCode } from '../domain/rule-codes';
import type { LineKind } from '../domain/professions';
import type { AuditEntityDetail } from '../fhir/audit-details';
import type { AuditJob } from './audit/audit-job';
import { authorize, type Decision, type PrescriptionOwnership } from '../rules/access/policy';
import { checkPrescribingScope, toVendorPaths } from '../rules/intake';

/** What a request was about, for its audit record (identifiers and references only). */
export interface AccessedEntity {
  number?: string;
  /** `RequestGroup/<id>` of the prescription header. */
  reference?: string;
  /** `Patient/<id>` (a logical reference, no demographics) when the use case already read it. */
  patient?: string;
  /** What was done to the prescription (fhir/audit-details.ts: the lines a dispense recorded, how much). */
  detail?: AuditEntityDetail[];
  /**
   * What the request turned out to be when its route says something else: a correction sent to the
   * dispense route is recorded as `dispense.correct`, an update (U), not as a create.
   */
  event?: 'dispense.correct';
}

/**
 * The resource-level rules of rules/access/policy.ts, and the prescribing scope of rules/intake, bound to
 * one principal; each throws a forbidden ProblemError on refusal.
 */
export interface Authorizer {
  createPrescription(prescription: Pick<Prescription, 'prescriber'>): void;
  /**
   * Every line is within what the principal's profession may prescribe; a refusal names, per line, the
   * rule and the line's path in the vendor's payload (through `sourceMap`).
   */
  prescribeLines(prescription: Pick<Prescription, 'lines'>, sourceMap: SourceMap): void;
  readPrescription(owner: PrescriptionOwnership): void;
  readDispenses(owner: PrescriptionOwnership, patientObjects: boolean): void;
  cancelPrescription(owner: PrescriptionOwnership): void;
  replacePrescription(
    owner: PrescriptionOwnership,
    replacement: Pick<Prescription, 'prescriber' | 'replacedPrescriber'>,
  ): void;
  recordConsent(owner: PrescriptionOwnership): void;
  recordExecution(lineKind: LineKind): void;
}

/**
 * The professional's budget of number lookups, against enumeration: every path that resolves a
 * prescription number spends from it (REST, scan, dispensing, cancel, consent, messages, a
 * vendor-supplied number at intake). Spending from an exhausted budget throws a throttled
 * ProblemError (429 + Retry-After).
 */
export interface LookupBudget {
  /** One lookup, before it is made. */
  spend(): Promise<void>;
  /** The extra charge of a lookup that found nothing (or found a number taken by someone else). */
  spendMiss(): Promise<void>;
}

export interface Caller {
  readonly principal: Principal;
  readonly authorize: Authorizer;
  readonly lookups: LookupBudget;
  /** Tells the audit trail which prescription (or resource) the request was about. */
  noteAccess(entity: AccessedEntity): void;
  /**
   * The audit record this request leaves if it succeeds (what was noted so far included), for a
   * write to carry in its outbox (usecases/outbox/outbox-task.ts); undefined when not audited.
   */
  auditRecord(): AuditJob | undefined;
}

export class ForbiddenError extends ProblemError {
  constructor(
    readonly reason: string,
    /** The access rule that refused (domain/rule-codes.ts). */
    rule: RuleCode,
  ) {
    super('forbidden', [{ code: 'forbidden', rule, message: `access refused: ${reason}` }]);
    this.name = 'ForbiddenError';
  }
}

/** The authorizer of a principal; `onRefusal` hears every refusal before it is thrown (the audit trail records it). */
export function authorizerFor(principal: Principal, onRefusal: (reason: string) => void = () => undefined): Authorizer {
  const enforce = (decision: Decision): void => {
    if (decision.allowed) return;
    onRefusal(decision.reason);
    throw new ForbiddenError(decision.reason, decision.rule);
  };
  return {
    createPrescription: (prescription) => enforce(authorize.createPrescription(principal, prescription)),
    prescribeLines: (prescription, sourceMap) => {
      const outside = checkPrescribingScope(prescription.lines, principal.profession);
      if (outside.length === 0) return;
      // The audit trail gets line numbers only: product codes next to a patient would be health data.
      const lines = outside.map((p) => p.line).join(', ');
      onRefusal(`a ${principal.profession ?? 'caller'} may not prescribe line(s) ${lines} (prescribing scope)`);
      throw new ProblemError(
        'forbidden',
        toVendorPaths(
          outside.map(({ line: _line, ...problem }) => problem),
          sourceMap,
        ),
      );
    },
    readPrescription: (owner) => enforce(authorize.readPrescription(principal, owner)),
    readDispenses: (owner, patientObjects) => enforce(authorize.readDispenses(principal, owner, patientObjects)),
    cancelPrescription: (owner) => enforce(authorize.cancelPrescription(principal, owner)),
    replacePrescription: (owner, replacement) => enforce(authorize.replacePrescription(principal, owner, replacement)),
    recordConsent: (owner) => enforce(authorize.recordConsent(principal, owner)),
    recordExecution: (lineKind) => enforce(authorize.recordExecution(principal, lineKind)),
  };
}
