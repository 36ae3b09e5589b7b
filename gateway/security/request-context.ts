/**
 * The security state of one request, set by the security interceptor (interceptor.ts): the
 * principal, the matched route, and what the audit trail must record. Handlers do not read it:
 * they hand the use cases a Caller built from it (`callerOf`).
 */
import type { Request } from 'express';
import type { Principal } from '../../domain/principal';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { authorizerFor, type AccessedEntity, type Caller, type LookupBudget } from '../../usecases/caller';
import type { MatchedRoute } from '../routes/route';

export interface SecurityContext {
  route?: MatchedRoute;
  principal?: Principal;
  /** Why access was refused, when it was (audited as a refusal whatever the final status). */
  refusal?: string;
  /** What the use case noted it accessed (e.g. the number of a scanned QR code, the header it read). */
  accessed?: AccessedEntity;
  /** The professional's budget of number lookups (gateway/security/lookup-limit.ts). */
  lookups?: LookupBudget;
  /** What the answer stands for when its HTTP status does not say it (a message refused in a 200 response). */
  outcome?: { status: number; detail?: string };
  /** Builds this request's audit record as it will be if it succeeds. */
  planAudit?: () => AuditJob | undefined;
  /** The record promised to a write's outbox: the answer queues this very record (same id), not another. */
  plannedAudit?: AuditJob;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      security?: SecurityContext;
    }
  }
}

/** The caller of a request that passed the security interceptor; only a route left out of it could lack a principal. */
export function callerOf(req: Request): Caller {
  const ctx = req.security;
  const principal = ctx?.principal;
  const lookups = ctx?.lookups;
  if (!ctx || !principal || !lookups)
    throw new Error(`no principal on ${req.method} ${req.path}: is the route behind the security interceptor?`);
  return {
    principal,
    lookups,
    authorize: authorizerFor(principal, (reason) => {
      ctx.refusal = reason;
    }),
    noteAccess: (entity) => {
      ctx.accessed = { ...ctx.accessed, ...entity };
    },
    auditRecord: () => {
      ctx.plannedAudit = ctx.planAudit?.();
      return ctx.plannedAudit;
    },
  };
}

/** For a route whose HTTP status does not say the outcome (messaging): what the audit trail records instead. */
export function noteOutcome(req: Request, status: number, detail?: string): void {
  if (req.security) req.security.outcome = { status, ...(detail ? { detail } : {}) };
}
