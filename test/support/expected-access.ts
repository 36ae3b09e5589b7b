/**
 * The authorization table as the README states it, written out by hand, independently of
 * rules/access/policy.ts: the unit and integration tests compare the policy with it, so a
 * change to the policy that is not also made here fails.
 */
import type { Role } from '../../domain/principal';
import type { Profession } from '../../domain/professions';

const PRESCRIBING: readonly Profession[] = [
  'doctor',
  'dentist',
  'midwife',
  'nurse',
  'physiotherapist',
  'speech-therapist',
  'orthoptist',
  'podiatrist',
];
const DISPENSING: readonly Profession[] = [
  'pharmacist',
  'nurse',
  'physiotherapist',
  'speech-therapist',
  'orthoptist',
  'podiatrist',
  'biologist',
  'lpp-supplier',
];

export type Expected = Partial<Record<Role, readonly Profession[] | 'any'>>;

/** The authorization table as the README states it — written out by hand. */
export const EXPECTED_ROUTE_ACCESS: Record<string, Expected> = {
  'prescription.create': { prescriber: PRESCRIBING },
  'prescription.validate': { prescriber: PRESCRIBING },
  'prescription.scan': { dispenser: DISPENSING },
  'prescription.read': { prescriber: PRESCRIBING, dispenser: DISPENSING },
  'dispense.record': { dispenser: DISPENSING },
  'dispense.read': { prescriber: PRESCRIBING },
  'prescription.cancel': { prescriber: PRESCRIBING },
  'prescription.replace': { prescriber: PRESCRIBING },
  'consent.record': { prescriber: PRESCRIBING, dispenser: DISPENSING },
  'prescription.document': { prescriber: PRESCRIBING, dispenser: DISPENSING },
  'fhir.process-message': { prescriber: PRESCRIBING, dispenser: DISPENSING },
  'audit.search': { auditor: 'any' },
  'audit.read': { auditor: 'any' },
  'audit.page': { auditor: 'any' },
  'audit.write': { auditor: 'any' },
  'ops.queues': { operator: 'any' },
  'ops.metrics': { operator: 'any' },
  'ops.dead-letters.list': { operator: 'any' },
  'ops.dead-letters.retry': { operator: 'any' },
  'console.me': { auditor: 'any', operator: 'any' },
};

/** Whether the expected table lets a role (with a profession) call a route. */
export function expectedAllowed(routeId: string, role: Role, profession: Profession | undefined): boolean {
  const grant = EXPECTED_ROUTE_ACCESS[routeId]?.[role];
  if (!grant) return false;
  return grant === 'any' || (profession !== undefined && grant.includes(profession));
}
