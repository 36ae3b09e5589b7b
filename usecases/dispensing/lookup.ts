/**
 * Finding a prescription by a number someone typed, scanned or put in a URL, with the answers a
 * person needs when it is not found (domain/prescription-number-hints.ts): 400 naming the likely
 * typo, else 404. The store is searched first, always: vendor numbers have no check character.
 */
import type { Request } from 'express';
import { isWellFormedNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { unknownNumberHint } from '../../domain/prescription-number-hints';
import { readExecutionState, type StoredExecutionState } from '../../fhir/dispensing/read-state';
import type { AppDeps } from '../../gateway/app';
import { HttpProblem } from '../../gateway/http-problem';
import { findPrescriptionByNumber, type StoredPrescriptionBundle } from '../prescriptions/repository';
import { authorizationFor, setAuditEntity } from '../../gateway/security/request-context';

/** A typed or scanned number, normalised (case, spaces, dashes), or a 400 saying what is wrong with its shape. */
export function normalizedNumber(raw: string, path?: string): string {
  const number = normalizePrescriptionNumber(raw);
  if (isWellFormedNumber(number)) return number;
  const outside = [...new Set([...number].filter((c) => !/[0-9A-Z]/.test(c)))];
  const why =
    outside.length > 0
      ? `it contains ${outside.map((c) => `'${c}'`).join(', ')}; only 0-9 and A-Z are used (spaces and dashes are ignored)`
      : `it has ${number.length} characters where 18 are expected`;
  throw HttpProblem.of(400, 'value', `"${raw}" is not a prescription number: ${why}`, path);
}

/** The number of a `/prescriptions/:number…` URL. */
export function numberFromPath(raw: string): string {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw HttpProblem.of(400, 'value', `"${raw}" is not a prescription number`);
  }
  return normalizedNumber(decoded);
}

/** The stored prescription, or 400 (likely typo) / 404. */
export async function loadPrescription(deps: Pick<AppDeps, 'fhir'>, number: string): Promise<StoredPrescriptionBundle> {
  const found = await findPrescriptionByNumber(deps.fhir, number);
  if (found) return found;
  const hint = unknownNumberHint(number);
  if (hint) throw new HttpProblem(400, [hint]);
  throw HttpProblem.of(404, 'not-found', `no prescription has the number ${number}`);
}

export interface LoadedForDispensing {
  found: StoredPrescriptionBundle;
  stored: StoredExecutionState;
}

export async function loadForDispensing(deps: Pick<AppDeps, 'fhir'>, number: string): Promise<LoadedForDispensing> {
  const found = await loadPrescription(deps, number);
  return { found, stored: readExecutionState(found) };
}

/** The resource-level authorization helpers of the request's principal, when it has one. */
export const securityOf = (req: Request): ReturnType<typeof authorizationFor> | undefined =>
  req.security?.principal ? authorizationFor(req) : undefined;

/** Names the loaded prescription's header and patient for the audit trail, so its writer need not search for them. */
export function auditLoaded(req: Request, found: StoredPrescriptionBundle): void {
  const { id, subject } = found.header;
  if (id) setAuditEntity(req, { reference: `RequestGroup/${id}`, ...(subject?.reference ? { patient: subject.reference } : {}) });
}
