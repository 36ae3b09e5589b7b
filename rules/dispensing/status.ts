/**
 * Quantities left, line status and prescription status, and whether the QR code still opens
 * the prescription. Pure: `today` (YYYY-MM-DD, Europe/Paris) is given.
 *
 * Line status:   cancelled  the request was revoked by the prescriber
 *                completed  everything prescribed was dispensed / executed
 *                expired    a drug line whose next delivery is past its last day (validity-rules.ts:
 *                           the first delivery 3 months after the prescription date, renewals at the
 *                           end of the treatment, never beyond 12 months)
 *                active     otherwise
 * Prescription:  active while one line is active; otherwise completed when every line is, else
 *                cancelled when the prescriber cancelled it or one of its lines, else expired.
 *                The QR code is deactivated when the prescription is not active.
 */
import type { LineState, LineStatus, PrescriptionState, PrescriptionStatus } from './model';
import { nextDeliveryWindow } from './validity-rules';

/**
 * Request statuses that end a line without it being executed: `revoked` (request-status, used by
 * DeviceRequest, ServiceRequest and RequestGroup), `cancelled` and `stopped` (MedicationRequest's own
 * value set has no `revoked`), `entered-in-error`.
 */
const CANCELLED_REQUEST_STATUSES: ReadonlySet<string> = new Set([
  'revoked',
  'cancelled',
  'stopped',
  'entered-in-error',
]);
export const isCancelledStatus = (status: string): boolean => CANCELLED_REQUEST_STATUSES.has(status);
/** The status a cancelled request gets: MedicationRequest has `cancelled` where the other requests have `revoked`. */
export const cancelledStatusOf = (requestType: string): 'cancelled' | 'revoked' =>
  requestType === 'MedicationRequest' ? 'cancelled' : 'revoked';

export const remainingOf = (line: LineState): number => Math.max(0, line.prescribed - line.executed);

/** Drugs: renewals not yet started. The first `perDelivery` boxes are the initial delivery. */
export function renewalsLeftOf(line: LineState): number {
  if (line.kind !== 'drug' || line.perDelivery <= 0) return 0;
  const periodsStarted = Math.ceil(line.executed / line.perDelivery);
  return Math.max(0, line.renewals - Math.max(0, periodsStarted - 1));
}

export interface LineVerdict {
  status: LineStatus;
  /** Why the line can no longer be dispensed (absent when active). */
  reason?: string;
}

/** "2 boîtes": a count and its unit, plural above 1. */
export const plural = (n: number, unit: string): string => `${n} ${unit}${n > 1 && !unit.endsWith('s') ? 's' : ''}`;
export const lineLabel = (line: LineState): string => `line ${line.index + 1} (${line.reference})`;

export function lineStatusOf(line: LineState, today: string): LineVerdict {
  if (isCancelledStatus(line.requestStatus)) {
    return { status: 'cancelled', reason: `${lineLabel(line)} was cancelled by the prescriber` };
  }
  if (line.requestStatus === 'completed' || line.executed >= line.prescribed) {
    return {
      status: 'completed',
      reason: `${lineLabel(line)} was fully dispensed or executed (${plural(line.executed, line.unit)} of ${line.prescribed})`,
    };
  }
  const window = nextDeliveryWindow(line);
  if (window !== undefined && today > window.until) {
    return {
      status: 'expired',
      reason: `${lineLabel(line)} expired: it could be dispensed until ${window.until} (${window.reason})`,
    };
  }
  return { status: 'active' };
}

export interface PrescriptionVerdict {
  status: PrescriptionStatus;
  qrDeactivated: boolean;
  /** Why the QR code no longer opens the prescription for dispensing (absent when active). */
  reason?: string;
  lines: LineVerdict[];
}

export function prescriptionStatusOf(state: PrescriptionState, today: string): PrescriptionVerdict {
  const lines = state.lines.map((line) => lineStatusOf(line, today));
  const count = (status: LineStatus): number => lines.filter((l) => l.status === status).length;
  const revoked = isCancelledStatus(state.headerStatus);
  let status: PrescriptionStatus;
  let reason: string | undefined;
  if (state.replacedBy !== undefined) {
    status = 'replaced';
    reason = `the prescriber replaced it by prescription ${state.replacedBy}: dispense that one`;
  } else if (revoked) {
    status = 'cancelled';
    reason = 'the prescriber cancelled the prescription';
  } else if (count('active') > 0) {
    status = 'active';
  } else if (lines.length > 0 && count('completed') === lines.length) {
    status = 'completed';
    reason = 'every line was fully dispensed or executed';
  } else if (count('cancelled') > 0) {
    status = 'cancelled';
    reason = 'the prescriber cancelled what had not been dispensed';
  } else {
    status = 'expired';
    const last = state.lines
      .map((l) => nextDeliveryWindow(l))
      .filter((w): w is NonNullable<typeof w> => w !== undefined)
      .sort((a, b) => a.until.localeCompare(b.until))
      .at(-1);
    reason = `the prescription expired${last ? `: its drugs could be dispensed until ${last.until} (${last.reason})` : ''}`;
  }
  return { status, qrDeactivated: status !== 'active', ...(reason ? { reason } : {}), lines };
}
