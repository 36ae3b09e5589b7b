/**
 * Reading HAPI FHIR's error answers, for store/fhir-client.ts: what a refusal means for the gateway,
 * and what of it may be logged.
 *
 * HAPI answers 409 both when a concurrent writer won (a version that moved on, a unique index or a
 * conditional-create URL taken by another transaction: read again and decide again) and when the
 * database refused a value (a NUL in an indexed string); it answers 500 when a value cannot even be
 * encoded (a lone surrogate). Only the first is a conflict; the others are permanent: the same
 * request fails the same way every time, so it is neither a race nor "retry later".
 *
 * HAPI's diagnostics quote SQL statements, conditional URLs and index values — a patient's name or
 * INS among them — so they are never copied into messages or logs: only the HTTP status and HAPI's
 * own message codes (`HAPI-0550`) are.
 */

/** What a failed exchange with the store means. */
export type StoreFault =
  /** No answer (refused, reset, timeout) or a gateway timeout: retry later. */
  | 'unreachable'
  /** The store's own trouble (408, 429, 5xx): the same request may succeed later. */
  | 'transient'
  /** A concurrent writer won (412, or a 409 HAPI explains as such): read again and decide again. */
  | 'concurrency'
  /** The store cannot keep a value the request carries: sending it again will not help. */
  | 'payload'
  /** Any other refusal: permanent. */
  | 'refused';

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503]);

/**
 * HAPI's codes for a lost race: 0823 version constraint, 0824 unique index constraint, 0825
 * client-assigned id constraint, 0989 "not the current version", 1093 duplicate unique index
 * (our unique SearchParameters). A conditional create that lost the race to insert the same URL
 * carries no code of its own, only the database's unique-constraint violation (Hibernate names the
 * constraint; PostgreSQL says "duplicate key", SQLSTATE 23505).
 */
const CONCURRENCY = /HAPI-(?:0823|0824|0825|0989|1093)\b|constraint \[[^\]]+\]|duplicate key|\b23505\b/;

/**
 * The database or HAPI refusing a value (PostgreSQL data exceptions, SQLSTATE class 22; an
 * unencodable lone surrogate), as HAPI quotes them.
 */
const PAYLOAD =
  /invalid byte sequence|surrogate|value too long|out of range|invalid input syntax|has no equivalent in encoding|\b22(?:001|003|007|008|021|P05)\b/i;

/** What the store's answer means; `diagnostics` are those of its OperationOutcome ('' when none). */
export function storeFaultOf(status: number, diagnostics: string): StoreFault {
  if (status === 0 || status === 504) return 'unreachable';
  if ((status === 409 || status >= 500) && PAYLOAD.test(diagnostics)) return 'payload';
  if (status === 412) return 'concurrency';
  // HAPI always explains a refusal; an unexplained 409 is taken for the race it usually is.
  if (status === 409) return diagnostics === '' || CONCURRENCY.test(diagnostics) ? 'concurrency' : 'refused';
  return TRANSIENT_STATUSES.has(status) ? 'transient' : 'refused';
}

/** HAPI's message codes in the diagnostics, in order, once each: what may be logged of them. */
export function hapiCodesIn(diagnostics: string): string[] {
  return [...new Set(diagnostics.match(/HAPI-[0-9]{4}/g) ?? [])];
}
