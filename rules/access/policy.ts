/**
 * Who may do what — the gateway's authorization rules, in two parts (like HAPI's
 * AuthorizationInterceptor rules, or Medplum access policies):
 *
 * 1. Route grants: each route of the HTTP API declares which roles (and professions) may call it
 *    (gateway/routes/table.ts); `decideRoute` is their meaning. A role a route does not name is
 *    refused: the default is deny.
 * 2. `authorize`, resource-level rules a route grant cannot express because they depend on the
 *    stored data (whose prescription is it? which line kind?). Use cases call them through the
 *    caller's authorizer (usecases/caller.ts), which turns a refusal into a forbidden problem.
 *
 * Everything here is pure: no I/O, easy to test exhaustively (test/unit/policy.test.ts).
 */
import type { Prescription } from '../../domain/prescription';
import type { Principal, Role } from '../../domain/principal';
import type { RuleCode } from '../../domain/rule-codes';
import { EXECUTABLE_LINES, type LineKind, type Profession } from '../../domain/professions';

/** `any`: the role whatever its profession; a list: only those professions. */
export type Grant = 'any' | readonly Profession[];
export type Grants = Partial<Record<Role, Grant>>;

/** A refusal says why, and which access rule (domain/rule-codes.ts, A1–A8) refused. */
export type Decision = { allowed: true } | { allowed: false; reason: string; rule: RuleCode };
const ALLOW: Decision = { allowed: true };
const deny = (rule: RuleCode, reason: string): Decision => ({ allowed: false, reason, rule });

/** A route's grants applied to a principal. */
export function decideRoute(allow: Grants, principal: Principal): Decision {
  const grant = allow[principal.role];
  if (!grant) return deny('A1', `the ${principal.role} role may not call this endpoint`);
  if (grant === 'any') return ALLOW;
  if (principal.profession && grant.includes(principal.profession)) return ALLOW;
  return deny(
    'A1',
    `a ${principal.role} with profession ${principal.profession ?? '(none)'} may not call this endpoint`,
  );
}

// ---- 2. Resource-level rules ----

/** The RPPS of the prescriber who signed a stored prescription (RequestGroup.author → Practitioner identifier). */
export interface PrescriptionOwnership {
  prescriberRpps: string | undefined;
}

const isOwner = (principal: Principal, owner: PrescriptionOwnership): boolean =>
  principal.rpps !== '' && owner.prescriberRpps !== undefined && owner.prescriberRpps === principal.rpps;

export const authorize = {
  /** A prescriber submits only prescriptions they sign: the payload's prescriber RPPS is theirs. */
  createPrescription(principal: Principal, prescription: Pick<Prescription, 'prescriber'>): Decision {
    if (principal.role !== 'prescriber') return deny('A2', 'only a prescriber submits prescriptions');
    if (prescription.prescriber.rpps !== principal.rpps)
      return deny('A2', 'the prescription is signed by another prescriber than the authenticated one');
    return ALLOW;
  },

  /** Prescribers read their own prescriptions; dispensers read any prescription by its number. */
  readPrescription(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role === 'dispenser') return ALLOW;
    if (principal.role === 'prescriber')
      return isOwner(principal, owner) ? ALLOW : deny('A4', 'a prescriber reads only the prescriptions they signed');
    return deny('A4', `the ${principal.role} role does not read prescriptions here`);
  },

  /** The prescriber sees what was dispensed for their own prescription, unless the patient objected. */
  readDispenses(principal: Principal, owner: PrescriptionOwnership, patientObjects: boolean): Decision {
    if (principal.role !== 'prescriber' || !isOwner(principal, owner))
      return deny('A5', 'only the prescriber of this prescription sees its dispensing');
    if (patientObjects) return deny('A5', 'the patient objected to the prescriber seeing what was dispensed');
    return ALLOW;
  },

  /** Only the prescriber who signed a prescription cancels it. */
  cancelPrescription(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role !== 'prescriber' || !isOwner(principal, owner))
      return deny('A6', 'only the prescriber of this prescription cancels it');
    return ALLOW;
  },

  /**
   * The prescriber who signed a prescription replaces it by a corrected one, or a locum standing in
   * for them: the correction is signed by the principal as locum for the old prescription's author
   * (README "Replacing a prescription").
   */
  replacePrescription(
    principal: Principal,
    owner: PrescriptionOwnership,
    replacement: Pick<Prescription, 'prescriber' | 'replacedPrescriber'>,
  ): Decision {
    if (principal.role !== 'prescriber')
      return deny('A10', 'only the prescriber of this prescription, or their locum, replaces it');
    if (isOwner(principal, owner)) return ALLOW;
    const locumForAuthor =
      replacement.prescriber.rpps === principal.rpps &&
      owner.prescriberRpps !== undefined &&
      replacement.replacedPrescriber?.rpps === owner.prescriberRpps;
    return locumForAuthor
      ? ALLOW
      : deny('A10', 'only the prescriber of this prescription, or their locum, replaces it');
  },

  /** The patient's objection is recorded by the prescriber (own prescription) or by a dispenser. */
  recordConsent(principal: Principal, owner: PrescriptionOwnership): Decision {
    if (principal.role === 'dispenser') return ALLOW;
    if (principal.role === 'prescriber' && isOwner(principal, owner)) return ALLOW;
    return deny('A7', 'the patient’s choice is recorded by the prescriber of this prescription or by a dispenser');
  },

  /** A dispenser records the dispensing / execution of a line only for the line kinds of their profession. */
  recordExecution(principal: Principal, lineKind: LineKind): Decision {
    if (principal.role !== 'dispenser' || !principal.profession)
      return deny('A8', 'only a dispenser records a dispense or an execution');
    if (!EXECUTABLE_LINES[principal.profession].includes(lineKind)) {
      return deny('A8', `a ${principal.profession} does not dispense or execute ${lineKind} lines`);
    }
    return ALLOW;
  },
};

export type AuthorizationPoint = keyof typeof authorize;
