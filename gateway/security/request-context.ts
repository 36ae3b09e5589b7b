/**
 * The security state of one request, set by the security interceptor (interceptor.ts): the
 * principal, the matched route, and what the audit trail must record. Handlers do not read it:
 * they hand the use cases a Caller built from it (`callerOf`).
 */
import type { Request } from 'express';
import type { Principal } from '../../domain/principal';
import { authorizerFor, type AccessedEntity, type Caller } from '../../usecases/caller';
import type { MatchedRoute } from '../routes/route';

export interface SecurityContext {
  route?: MatchedRoute;
  principal?: Principal;
  /** Why access was refused, when it was (audited as a refusal whatever the final status). */
  refusal?: string;
  /** What the use case noted it accessed (e.g. the number of a scanned QR code, the header it read). */
  accessed?: AccessedEntity;
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
  if (!ctx || !principal)
    throw new Error(`no principal on ${req.method} ${req.path}: is the route behind the security interceptor?`);
  return {
    principal,
    authorize: authorizerFor(principal, (reason) => {
      ctx.refusal = reason;
    }),
    noteAccess: (entity) => {
      ctx.accessed = { ...ctx.accessed, ...entity };
    },
  };
}
