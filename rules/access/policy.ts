/**
 * Who may do what — the gateway's only authorization rules, in two parts (like HAPI's
 * AuthorizationInterceptor rules, or Medplum access policies):
 *
 * 1. ROUTE_POLICY, a declarative table: route × role (× profession) → allow. The security
 *    interceptor applies it to every request before any handler runs; a route that is not in
 *    the table, or a role it does not name, is refused (403). The README prints this table.
 * 2. `authorize`, resource-level rules the table cannot express because they depend on the
 *    stored data (whose prescription is it? which line type?). Handlers call them at named
 *    points, through `authorizationFor(req)` (request-context.ts), which turns a refusal into
 *    a 403 and marks it for the audit trail.
 *
 * Everything here is pure: no I/O, easy to test exhaustively (test/unit/policy.test.ts).
 */
import type { ActType, Prescription } from '../../domain/prescription';
import { PROFESSIONS, type Principal, type Profession, type Role } from '../../domain/principal';

// ---- 1. The route table ----

/** Professions that may sign a prescription (doctors; other professions for what they may prescribe). */
export const PRESCRIBING_PROFESSIONS: readonly Profession[] = ['doctor', 'nurse', 'physiotherapist', 'speech-therapist', 'orthoptist', 'podiatrist'];
/** Professions that dispense or execute a prescription (each only its line types, see EXECUTABLE_LINES). */
export const DISPENSING_PROFESSIONS: readonly Profession[] = PROFESSIONS.filter((p) => p !== 'doctor');

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `any`: the role whatever its profession; a list: only those professions. */
export type Grant = 'any' | readonly Profession[];

export interface RouteRule {
  /** Stable name, used by the audit trail (gateway/audit/route-events.ts) and the tests. */
  id: string;
  /** '*' matches every method (used to give a read-only API its 405s). */
  method: HttpMethod | '*';
  /** Express-like: `:name` matches one segment, a final `/*` any rest (or nothing). */
  path: string;
  /** No authentication at all (liveness and readiness only). */
  public?: true;
  allow: Partial<Record<Role, Grant>>;
  /** A number lookup: throttled per professional against enumeration (lookup-limit.ts). */
  lookup?: true;
}

export const ROUTE_POLICY = [
  { id: 'health', method: 'GET', path: '/health', public: true, allow: {} },
  { id: 'ready', method: 'GET', path: '/ready', public: true, allow: {} },

  { id: 'prescription.create', method: 'POST', path: '/prescriptions', allow: { prescriber: PRESCRIBING_PROFESSIONS } },
  { id: 'prescription.scan', method: 'POST', path: '/prescriptions/scan', allow: { dispenser: DISPENSING_PROFESSIONS }, lookup: true },
  { id: 'prescription.read', method: 'GET', path: '/prescriptions/:number', allow: { prescriber: PRESCRIBING_PROFESSIONS, dispenser: DISPENSING_PROFESSIONS }, lookup: true },
  { id: 'dispense.record', method: 'POST', path: '/prescriptions/:number/dispenses', allow: { dispenser: DISPENSING_PROFESSIONS }, lookup: true },
  { id: 'dispense.read', method: 'GET', path: '/prescriptions/:number/dispenses', allow: { prescriber: PRESCRIBING_PROFESSIONS }, lookup: true },
  { id: 'prescription.cancel', method: 'POST', path: '/prescriptions/:number/cancel', allow: { prescriber: PRESCRIBING_PROFESSIONS }, lookup: true },
  { id: 'consent.record', method: 'POST', path: '/prescriptions/:number/consent', allow: { prescriber: PRESCRIBING_PROFESSIONS, dispenser: DISPENSING_PROFESSIONS }, lookup: true },
  { id: 'prescription.document', method: 'GET', path: '/prescriptions/:number/:document', allow: { prescriber: PRESCRIBING_PROFESSIONS, dispenser: DISPENSING_PROFESSIONS }, lookup: true },

  { id: 'fhir.metadata', method: 'GET', path: '/fhir/metadata', allow: { prescriber: 'any', dispenser: 'any', auditor: 'any' } },
  { id: 'fhir.process-message', method: 'POST', path: '/fhir/$process-message', allow: { prescriber: PRESCRIBING_PROFESSIONS, dispenser: DISPENSING_PROFESSIONS } },

  { id: 'audit.search', method: 'GET', path: '/audit/fhir/:type', allow: { auditor: 'any' } },
  { id: 'audit.read', method: 'GET', path: '/audit/fhir/:type/:id', allow: { auditor: 'any' } },
  { id: 'audit.page', method: 'GET', path: '/audit/fhir', allow: { auditor: 'any' } },
  { id: 'audit.write', method: '*', path: '/audit/fhir/*', allow: { auditor: 'any' } },

  { id: 'ops.queues', method: '*', path: '/admin/queues/*', allow: { operator: 'any' } },
  { id: 'ops.metrics', method: 'GET', path: '/metrics', allow: { operator: 'any' } },
] as const satisfies readonly RouteRule[];

export type RouteId = (typeof ROUTE_POLICY)[number]['id'];

export interface MatchedRoute {
  rule: RouteRule & { id: RouteId };
  params: Record<string, string>;
}

interface CompiledRule {
  rule: RouteRule & { id: RouteId };
  pattern: RegExp;
  names: string[];
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function compile(rule: RouteRule & { id: RouteId }): CompiledRule {
  const names: string[] = [];
  let source = '';
  const segments = rule.path.split('/').slice(1);
  segments.forEach((segment, i) => {
    if (segment === '*' && i === segments.length - 1) {
      source += '(?:/.*)?';
      return;
    }
    if (segment.startsWith(':')) {
      names.push(segment.slice(1));
      source += '/([^/]+)';
      return;
    }
    source += `/${escape(segment)}`;
  });
  return { rule, names, pattern: new RegExp(`^${source}/?$`) };
}

const COMPILED: readonly CompiledRule[] = ROUTE_POLICY.map((r) => compile(r as RouteRule & { id: RouteId }));

/** The first rule matching a request (HEAD is matched as GET), or undefined: then nobody may call it. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  for (const { rule, pattern, names } of COMPILED) {
    if (rule.method !== '*' && rule.method !== m) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = found[i + 1] ?? '';
    });
    return { rule, params };
  }
  return undefined;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };
const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** The table's answer for a principal on a matched route. */
export function decideRoute(rule: RouteRule, principal: Principal): Decision {
  const grant = rule.allow[principal.role];
  if (!grant) return deny(`the ${principal.role} role may not call this endpoint`);
  if (grant === 'any') return ALLOW;
  if (principal.profession && grant.includes(principal.profession)) return ALLOW;
  return deny(`a ${principal.role} with profession ${principal.profession ?? '(none)'} may not call this endpoint`);
}

// ---- 2. Resource-level rules ----

/** What a prescription line is, for execution rights: drug, device, or an act of a type. */
export type LineKind = 'drug' | 'device' | ActType;

/** Which professions record the dispensing / execution of which line kinds. */
export const EXECUTABLE_LINES: Readonly<Record<Profession, readonly LineKind[]>> = {
  doctor: [],
  pharmacist: ['drug', 'device'],
  'lpp-supplier': ['device'],
  nurse: ['acteInfirmier'],
  physiotherapist: ['acteKinesitherapie'],
  'speech-therapist': ['acteOrthophonie'],
  orthoptist: ['acteOrthoptie'],
  podiatrist: ['actePedicurie'],
  biologist: ['acteBiologieMedicale'],
};

/** The RPPS of the prescriber who signed a stored prescription (RequestGroup.author → Practitioner identifier). */
export interface PrescriptionOwnership {
  prescriberRpps: string | undefined;
}

const isOwner = (principal: Principal, owner: PrescriptionOwnership): boolean =>
  principal.rpps !== '' && owner.prescriberRpps !== undefined && owner.prescriberRpps === principal.rpps;

export const authorize = {
  /** A prescriber submits only prescriptions they sign: the payload's prescriber RPPS is theirs. */
  createPrescription(principal: Principal, prescription: Pick<Prescription, 'prescriber'>): Decision {
    if (principal.role !== 'prescriber') return deny('only a prescriber submits prescriptions');
    if (prescription.prescriber.rpps !== principal.rpps) return deny('the prescription is signed by another prescriber than the authenticated one');
    return ALLOW;
  },

  /** Prescribers read their own prescriptions; dispensers read any prescription by its number. */
  readPrescription(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role === 'dispenser') return ALLOW;
    if (principal.role === 'prescriber') return isOwner(principal, owner) ? ALLOW : deny('a prescriber reads only the prescriptions they signed');
    return deny(`the ${principal.role} role does not read prescriptions here`);
  },

  /** The prescriber sees what was dispensed for their own prescription, unless the patient objected. */
  readDispenses(principal: Principal, owner: PrescriptionOwnership, patientObjects: boolean): Decision {
    if (principal.role !== 'prescriber' || !isOwner(principal, owner)) return deny('only the prescriber of this prescription sees its dispensing');
    if (patientObjects) return deny('the patient objected to the prescriber seeing what was dispensed');
    return ALLOW;
  },

  /** Only the prescriber who signed a prescription cancels it. */
  cancelPrescription(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role !== 'prescriber' || !isOwner(principal, owner)) return deny('only the prescriber of this prescription cancels it');
    return ALLOW;
  },

  /** The patient's objection is recorded by the prescriber (own prescription) or by a dispenser. */
  recordConsent(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role === 'dispenser') return ALLOW;
    if (principal.role === 'prescriber' && isOwner(principal, owner)) return ALLOW;
    return deny('the patient’s choice is recorded by the prescriber of this prescription or by a dispenser');
  },

  /** A dispenser records the dispensing / execution of a line only for the line kinds of their profession. */
  recordExecution(principal: Principal, lineKind: LineKind): Decision {
    if (principal.role !== 'dispenser' || !principal.profession) return deny('only a dispenser records a dispense or an execution');
    if (!EXECUTABLE_LINES[principal.profession].includes(lineKind)) {
      return deny(`a ${principal.profession} does not dispense or execute ${lineKind} lines`);
    }
    return ALLOW;
  },
};

export type AuthorizationPoint = keyof typeof authorize;
