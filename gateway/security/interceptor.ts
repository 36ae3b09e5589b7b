/**
 * The security interceptor: the one place where every request is authenticated, authorized
 * against the route table and audited. Handlers see a request only once it passed; use cases add
 * resource-level checks through the caller's authorizer, and spend from the caller's lookup
 * budget whenever they resolve a prescription number (usecases/caller.ts LookupBudget).
 *
 *   1. public route (/health, /ready, the API documentation) → through, nothing recorded
 *   2. bearer token verified → principal, else 401 + WWW-Authenticate (503 if the issuer's keys cannot be fetched);
 *      without an Authorization header, the audit console's session cookie stands for the bearer
 *      token it holds server-side (gateway/console/sessions.ts): same verification, same rules
 *      below; a state-changing request with the cookie must come from the gateway's own origin
 *   3. route in the table (gateway/routes/table.ts) and role/profession granted, else 403
 *   4. the answer is held until its audit job is in Redis (the route's audit metadata, or any
 *      refusal); when it cannot be queued, the answer becomes a 503 (transient, Retry-After):
 *      no answer leaves without its audit record
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readNumberSegment } from '../../domain/prescription-number';
import { ProblemError, toOperationOutcome } from '../../domain/problem';
import { clockOf } from '../../platform/clock';
import { auditQueueOf, auditTrailOf, newAuditId } from '../../queue/audit/jobs';
import type { AuditJob } from '../../usecases/audit/audit-job';
import { ForbiddenError } from '../../usecases/caller';
import { decideRoute } from '../../rules/access/policy';
import type { AppDeps } from '../app-deps';
import { isSameOrigin } from '../http/same-origin';
import { interactionOfMethod } from '../audit/route-events';
import type { MatchedRoute, RouteAuditSpec } from '../routes/route';
import { matchRoute } from '../routes/table';
import { consoleSessionsOf, cookieOf, SESSION_COOKIE, type ConsoleSessions } from '../console/sessions';
import { AuthenticationError, createAuthenticator } from './authenticate';
import { LookupLimiter } from './lookup-limit';
import type { SecurityContext } from './request-context';

export type InterceptorDeps = Pick<AppDeps, 'config' | 'security' | 'redis' | 'queues' | 'logger' | 'now'>;

const REALM = 'ordo-gateway';
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
    ...(hint.detail?.length ? { detail: hint.detail } : {}),
  };
  if (spec?.entity === 'fhir' && route) {
    const { type, id } = route.params;
    if (type && id) entity.reference = `${type}/${id}`;
    else entity.query = req.originalUrl.replace(/^\/audit\/fhir\/?/, '');
  }
  // Refused or not, what an operations request asked for (a job, a queue) is in its path and query.
  if (spec?.entity === 'request') entity.query = req.originalUrl;
  return Object.keys(entity).length > 0 ? entity : undefined;
}

/** The request's audit record, for the answer's `status` (what ctx.outcome says instead, when it says it). */
function auditJobOf(
  req: Request,
  res: Response,
  ctx: SecurityContext,
  startedAt: Date,
  answered: number,
): AuditJob | undefined {
  const status = ctx.outcome?.status ?? answered;
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
    event: ctx.accessed?.event
      ? { type: 'rest', interaction: 'update', action: 'U', name: ctx.accessed.event }
      : { type: 'rest', interaction: kind.interaction, action: kind.action, name: route?.rule.id ?? 'unmatched' },
    outcome: {
      status: refused && status < 400 ? 403 : status,
      ...(ctx.refusal || ctx.outcome?.detail ? { detail: ctx.refusal ?? ctx.outcome?.detail } : {}),
    },
    ...(principal ? { agent: principal } : {}),
    ...(req.ip ? { network: req.ip } : {}),
    request: { method: req.method, path: req.path, ...(req.id ? { requestId: String(req.id) } : {}) },
    ...(entity ? { entity } : {}),
    purposeOfUse: professional ? 'TREAT' : 'HOPERAT',
  };
}

/** What a request answers when it succeeds: 201 for a POST that creates, else 200. */
const successStatusOf = (req: Request, ctx: SecurityContext): number =>
  req.method === 'POST' && ctx.route?.rule.audit?.interaction === 'create' ? 201 : 200;

/**
 * The record queued with the answer takes the id of the one promised to the write's outbox when
 * both record the same success on the same prescription, so the AuditEvent is written once
 * (a replayed create, answered with another number, is another record).
 */
function keepPromisedId(job: AuditJob, promised: AuditJob | undefined): AuditJob {
  const same =
    promised !== undefined &&
    job.outcome.status < 300 &&
    promised.entity?.number === job.entity?.number &&
    promised.event.name === job.event.name;
  return same ? { ...job, id: promised.id } : job;
}

/** Headers of an answer that is replaced by a 503: they described the original one. */
const REPLACED_HEADERS = ['content-length', 'content-type', 'location', 'content-location', 'etag', 'last-modified'];

/** Turns an answer not yet sent into a 503 transient (its audit record could not be queued). */
function unavailableAnswer(res: Response, requestId: string): string {
  for (const name of REPLACED_HEADERS) res.removeHeader(name);
  res.statusCode = 503;
  res.setHeader('retry-after', '5');
  res.setHeader('content-type', 'application/fhir+json; charset=utf-8');
  return JSON.stringify(
    toOperationOutcome([
      {
        code: 'transient',
        message: `the audit trail is unavailable, so nothing can be answered; retry later (request ${requestId})`,
      },
    ]),
  );
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The Authorization header to verify: the request's own, else the bearer token of its console
 * session. A cookie is sent by the browser whoever asks it to, so a state-changing request that
 * relies on one must say it comes from this very origin (SameSite=Strict already keeps other
 * sites' requests from carrying it: this is the second lock).
 */
async function authorizationOf(req: Request, sessions: ConsoleSessions): Promise<string | undefined> {
  const header = req.get('authorization');
  if (header) return header;
  const id = cookieOf(req.get('cookie'), SESSION_COOKIE);
  if (!id) return undefined;
  const session = await sessions.get(id);
  if (!session) throw new AuthenticationError('invalid', 'the console session has ended; sign in again');
  if (!SAFE_METHODS.has(req.method.toUpperCase())) {
    if (!isSameOrigin(req))
      throw new AuthenticationError('invalid', 'a console request that changes something must come from the console');
  }
  return `Bearer ${session.accessToken}`;
}

export function securityInterceptor(deps: InterceptorDeps): RequestHandler {
  const sessions = consoleSessionsOf(deps.redis, deps.config.queuePrefix);
  const authenticator = createAuthenticator(deps.security.auth);
  const limiter = new LookupLimiter(deps.redis, deps.security.lookupLimit, deps.config.queuePrefix);
  const auditTrail = auditTrailOf(auditQueueOf(deps.queues));
  const now = clockOf(deps);

  /**
   * Hold the end of the answer until its audit record is queued (a stop after the answer loses
   * nothing). A record promised to an outbox is queued as it was promised (same id: written once).
   */
  function holdAnswerForAudit(req: Request, res: Response, ctx: SecurityContext, startedAt: Date): void {
    const originalEnd = res.end as (...a: unknown[]) => Response;
    let held = false;
    ctx.planAudit = () => auditJobOf(req, res, ctx, startedAt, successStatusOf(req, ctx));
    const recordAudit = async (): Promise<void> => {
      const job = auditJobOf(req, res, ctx, startedAt, res.statusCode);
      if (job) await auditTrail.record(keepPromisedId(job, ctx.plannedAudit));
    };
    res.end = function heldEnd(this: Response, ...args: unknown[]) {
      if (held) return originalEnd.apply(this, args);
      held = true;
      void recordAudit().then(
        () => originalEnd.apply(this, args),
        (err: unknown) => {
          req.log.error(
            { err: { message: (err as Error).message }, status: res.statusCode },
            'audit record could not be queued',
          );
          if (res.headersSent) return originalEnd.apply(this, args);
          return originalEnd.call(this, unavailableAnswer(this, String(req.id ?? '')));
        },
      );
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
      ctx.principal = await authenticator.authenticate(await authorizationOf(req, sessions));
    } catch (err) {
      if (err instanceof AuthenticationError) {
        if (err.kind !== 'unavailable') ctx.refusal = err.message;
        throw unauthorized(err);
      }
      throw err;
    }
    const principal = ctx.principal;
    ctx.lookups = limiter.budgetFor(principal.nationalId, (reason) => {
      ctx.refusal = reason;
    });
    req.log = req.log.child({ principal: { nationalId: principal.nationalId, role: principal.role } });

    if (!route) {
      ctx.refusal = `no access rule allows ${req.method} ${req.path}`;
      throw new ForbiddenError(ctx.refusal, 'A1');
    }
    const decision = decideRoute(route.rule.allow, principal);
    if (!decision.allowed) {
      ctx.refusal = decision.reason;
      throw new ForbiddenError(decision.reason, decision.rule);
    }
    next();
  };
}
