/** Vendor duration/period vocabularies → the UCUM units of the canonical model. */
import type { Duration, DurationUnit } from '../../domain/prescription';

/** epu-json `unite` / `periode` words. */
export const FRENCH_PERIOD_UNITS: Readonly<Record<string, 'd' | 'wk' | 'mo'>> = {
  jour: 'd',
  semaine: 'wk',
  mois: 'mo',
};

/** Designators of single-component ISO 8601 durations (PnD, PnW, PnM, PnY). */
const ISO_DESIGNATOR_UNITS: Readonly<Record<string, DurationUnit>> = { D: 'd', W: 'wk', M: 'mo', Y: 'a' };
const ISO_SINGLE_COMPONENT = /^P([0-9]+)([DWMY])$/;

/** "P3M" → { value: 3, unit: 'mo' }; undefined for anything else (multi-component, time part…). */
export function parseIsoPeriod(text: string): Duration | undefined {
  const match = ISO_SINGLE_COMPONENT.exec(text);
  if (!match) return undefined;
  return { value: Number(match[1]), unit: ISO_DESIGNATOR_UNITS[match[2]!]! };
}
