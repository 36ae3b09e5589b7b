/**
 * The security interceptor: the one place where every request is authenticated, authorized
 * against the route table, throttled when it looks a number up, and audited. Handlers see a
 * request only once it passed; use cases add resource-level checks through the caller's authorizer.
 *
 *   1. public route (/health, /ready) → through, nothing recorded
 *   2. bearer token verified → principal, else 401 + WWW-Authenticate (503 if the issuer's keys cannot be fetched)
 *   3. route in the table (gateway/routes/table.ts) and role/profession granted, else 403
 *   4. number lookup → one point of the professional's budget, else 429 + Retry-After
 *   5. the answer is held until its audit job is in Redis (the route's audit metadata, or any
 *      refusal) and, for a lookup that found nothing, until the extra point is charged
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readNumberSegment } from '../../domain/prescription-number';
import { ProblemError } from '../../domain/problem';
import { clockOf } from '../../platform/clock';
import { auditQueueOf, auditTrailOf, newAuditId } from '../../queue/audit/jobs';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { ForbiddenError } from '../../usecases/caller';
import { decideRoute } from '../../rules/access/policy';
import type { AppDeps } from '../app-deps';
import { interactionOfMethod } from '../audit/route-events';
import type { MatchedRoute, RouteAuditSpec } from '../routes/route';
import { matchRoute } from '../routes/table';
import { AuthenticationError, createAuthenticator } from './authenticate';
import { LookupLimiter } from './lookup-limit';
import type { SecurityContext } from './request-context';

export type InterceptorDeps = Pick<AppDeps, 'config' | 'security' | 'redis' | 'queues' | 'logger' | 'now'>;

const REALM = 'ordo-gateway';
const AUDIT_ENQUEUE_TIMEOUT_MS = 3_000;
const SECURITY_REFUSALS = new Set([401, 403, 429]);

const quoted = (s: string) => s.replace(/["\\]/g, "'");

function unauthorized(err: AuthenticationError): ProblemError {
  if (err.kind === 'unavailable')
    return new ProblemError('unavailable', [{ code: 'transient', message: err.message }], { 'retry-after': '5' });
  return new ProblemError('unauthenticated', [{ code: 'login', message: err.message }], {
    'www-authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${quoted(err.message)}"`,
  });
}

/** A well-formed number in a URL path segment, else nothing to name. */
const numberInSegment = (segment: string | undefined): string | undefined => {
  const read = segment === undefined ? undefined : readNumberSegment(segment);
  return read?.ok ? read.value : undefined;
};

const numberParam = (route: MatchedRoute | undefined): string | undefined => numberInSegment(route?.params.number);

/** The number of a created prescription's Location (`/prescriptions/<number>`). */
const numberFromLocation = (location: unknown): string | undefined =>
  numberInSegment(typeof location === 'string' ? /^\/prescriptions\/([^/]+)$/.exec(location)?.[1] : undefined);

/** What the request was about, from the route's audit metadata and what the handler declared. */
function entityOf(req: Request, res: Response, ctx: SecurityContext, spec: RouteAuditSpec | null): AuditJob['entity'] {
  const route = ctx.route;
  const hint = ctx.accessed ?? {};
  const number =
    hint.number ??
    numberParam(route) ??
    (spec?.entity === 'location' ? numberFromLocation(res.getHeader('location')) : undefined);
  const entity: NonNullable<AuditJob['entity']> = {
    ...(number ? { number } : {}),
    ...(hint.reference ? { reference: hint.reference } : {}),
    ...(hint.patient ? { patient: hint.patient } : {}),
  };
  if (spec?.entity === 'fhir' && route) {
    const { type, id } = route.params;
    if (type && id) entity.reference = `${type}/${id}`;
    else entity.query = req.originalUrl.replace(/^\/audit\/fhir\/?/, '');
  }
  return Object.keys(entity).length > 0 ? entity : undefined;
}

function auditJobOf(req: Request, res: Response, ctx: SecurityContext, startedAt: Date): AuditJob | undefined {
  const status = res.statusCode;
  const route = ctx.route;
  const spec: RouteAuditSpec | null = route?.rule.audit ?? null;
  const refused = ctx.refusal !== undefined || SECURITY_REFUSALS.has(status);
  if (!spec && !refused) return undefined;
  const kind = spec ?? interactionOfMethod(req.method);
  const principal = ctx.principal;
  const professional = principal && (principal.role === 'prescriber' || principal.role === 'dispenser');
  const entity = entityOf(req, res, ctx, spec);
  return {
    id: newAuditId(),
    recorded: startedAt.toISOString(),
    event: { type: 'rest', interaction: kind.interaction, action: kind.action, name: route?.rule.id ?? 'unmatched' },
    outcome: { status: refused && status < 400 ? 403 : status, ...(ctx.refusal ? { detail: ctx.refusal } : {}) },
    ...(principal ? { agent: principal } : {}),
    ...(req.ip ? { network: req.ip } : {}),
    request: { method: req.method, path: req.path, ...(req.id ? { requestId: String(req.id) } : {}) },
    ...(entity ? { entity } : {}),
    purposeOfUse: professional ? 'TREAT' : 'HOPERAT',
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function securityInterceptor(deps: InterceptorDeps): RequestHandler {
  const authenticator = createAuthenticator(deps.security.auth);
  const limiter = new LookupLimiter(deps.redis, deps.security.lookupLimit, deps.config.queuePrefix);
  const auditTrail = auditTrailOf(auditQueueOf(deps.queues));
  const now = clockOf(deps);

  /** Hold the end of the answer until its audit record is queued (a stop after the answer loses nothing). */
  function holdAnswerForAudit(req: Request, res: Response, ctx: SecurityContext, startedAt: Date): void {
    const originalEnd = res.end;
    let held = false;
    const beforeAnswer = async () => {
      const principal = ctx.principal;
      if (principal && ctx.route?.rule.lookup && (res.statusCode === 404 || res.statusCode === 400)) {
        await limiter
          .chargeMiss(principal.nationalId)
          .catch((err: unknown) => req.log.error({ err }, 'lookup miss could not be charged'));
      }
      const job = auditJobOf(req, res, ctx, startedAt);
      if (!job) return;
      try {
        await withTimeout(auditTrail.record(job), AUDIT_ENQUEUE_TIMEOUT_MS, 'queuing the audit record');
      } catch (err) {
        // The answer still goes out; the log line names the record so that it can be replayed.
        req.log.error(
          { err, audit: { id: job.id, event: job.event.name, status: job.outcome.status } },
          'audit record could not be queued',
        );
      }
    };
    res.end = function heldEnd(this: Response, ...args: unknown[]) {
      if (held) return (originalEnd as (...a: unknown[]) => Response).apply(this, args);
      held = true;
      void beforeAnswer().finally(() => (originalEnd as (...a: unknown[]) => Response).apply(this, args));
      return this;
    } as Response['end'];
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const route: MatchedRoute | undefined = matchRoute(req.method, req.path);
    if (route?.rule.public) {
      next();
      return;
    }
    const ctx: SecurityContext = route ? { route } : {};
    req.security = ctx;
    holdAnswerForAudit(req, res, ctx, now());

    try {
      ctx.principal = await authenticator.authenticate(req.get('authorization'));
    } catch (err) {
      if (err instanceof AuthenticationError) {
        if (err.kind !== 'unavailable') ctx.refusal = err.message;
        throw unauthorized(err);
      }
      throw err;
    }
    const principal = ctx.principal;
    req.log = req.log.child({ principal: { nationalId: principal.nationalId, role: principal.role } });

    if (!route) {
      ctx.refusal = `no access rule allows ${req.method} ${req.path}`;
      throw new ForbiddenError(ctx.refusal);
    }
    const decision = decideRoute(route.rule.allow, principal);
    if (!decision.allowed) {
      ctx.refusal = decision.reason;
      throw new ForbiddenError(decision.reason);
    }
    if (route.rule.lookup) {
      const state = await limiter.consume(principal.nationalId);
      if (!state.allowed) {
        ctx.refusal = 'too many prescription lookups';
        throw new ProblemError(
          'throttled',
          [{ code: 'throttled', message: `too many prescription lookups; retry in ${state.retryAfterSeconds} s` }],
          { 'retry-after': String(state.retryAfterSeconds) },
        );
      }
    }
    next();
  };
}
