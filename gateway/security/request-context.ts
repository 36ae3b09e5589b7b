/**
 * The security state of one request, set by the security interceptor (interceptor.ts) and
 * read by handlers: the principal, the matched route, and what the audit trail must record.
 *
 * Handlers ask for resource-level decisions through `authorizationFor(req)`: a refusal becomes
 * a 403 OperationOutcome (HttpProblem) and is marked for the audit trail.
 */
import type { Request } from 'express';
import type { Prescription } from '../../domain/prescription';
import { HttpProblem } from '../http-problem';
import { authorize, type Decision, type LineKind, type MatchedRoute, type PrescriptionOwnership } from '../../rules/access/policy';
import type { Principal } from '../../domain/principal';

export interface AuditEntityHint {
  number?: string;
  reference?: string;
  /** `Patient/<id>` (a logical reference, no demographics) when the handler already read it. */
  patient?: string;
}

export interface SecurityContext {
  route?: MatchedRoute;
  principal?: Principal;
  /** Why access was refused, when it was (audited as a refusal whatever the final status). */
  refusal?: string;
  /** Set by a handler whose accessed resource is not in its URL (e.g. the number of a scanned QR code). */
  auditEntity?: AuditEntityHint;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      security?: SecurityContext;
    }
  }
}

/** The authenticated principal; only a route left out of the security interceptor could lack one. */
export function principalOf(req: Request): Principal {
  const principal = req.security?.principal;
  if (!principal) throw new Error(`no principal on ${req.method} ${req.path}: is the route behind the security interceptor?`);
  return principal;
}

/** Tells the audit trail which prescription (or resource) the request was about. */
export function setAuditEntity(req: Request, entity: AuditEntityHint): void {
  if (req.security) req.security.auditEntity = { ...req.security.auditEntity, ...entity };
}

export class ForbiddenProblem extends HttpProblem {
  constructor(reason: string) {
    super(403, [{ code: 'forbidden', message: `access refused: ${reason}` }]);
    this.name = 'ForbiddenProblem';
  }
}

function enforce(req: Request, decision: Decision): void {
  if (decision.allowed) return;
  if (req.security) req.security.refusal = decision.reason;
  throw new ForbiddenProblem(decision.reason);
}

/** The resource-level rules of policy.ts bound to this request's principal; each throws 403 on refusal. */
export function authorizationFor(req: Request) {
  const principal = principalOf(req);
  return {
    principal,
    createPrescription: (prescription: Pick<Prescription, 'prescriber'>) => enforce(req, authorize.createPrescription(principal, prescription)),
    readPrescription: (owner: PrescriptionOwnership) => enforce(req, authorize.readPrescription(principal, owner)),
    readDispenses: (owner: PrescriptionOwnership, patientObjects: boolean) => enforce(req, authorize.readDispenses(principal, owner, patientObjects)),
    cancelPrescription: (owner: PrescriptionOwnership) => enforce(req, authorize.cancelPrescription(principal, owner)),
    recordConsent: (owner: PrescriptionOwnership) => enforce(req, authorize.recordConsent(principal, owner)),
    recordExecution: (lineKind: LineKind) => enforce(req, authorize.recordExecution(principal, lineKind)),
  };
}
