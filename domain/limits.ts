/** Limits common to every vendor format (vendors README §1 "Encoding and size"). */
export const PAYLOAD_LIMITS = {
  maxBytes: 1_048_576,
  maxDepth: 32,
  maxLines: 100,
} as const;

/**
 * Plausibility bounds of the dates a prescription carries (V6), whatever the format. Not legal
 * limits: what no real prescription can hold, so that a wrong year (1850, 9999) is refused at the
 * vendor's path instead of being stored.
 */
export const DATE_LIMITS = {
  /** Instants sent (prescription date, message timestamp) may be this far ahead of the receiver clock. */
  clockToleranceMs: 5 * 60_000,
  /** Nobody alive was born before, and no date of a prescription (consent, accident, start) is older. */
  earliestDate: '1900-01-01',
  /**
   * No prescription or message predates the e-prescription service (first pilots in 2019). A fixed
   * bound, not an age: a vendor resending an old message must still get its original answer.
   */
  earliestInstant: '2019-01-01T00:00:00Z',
  /** An act may start later than the prescription date (V6d), within a few years (not in 9999). */
  maxStartMonthsAfterPrescription: 60,
} as const;
