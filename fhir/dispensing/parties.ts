/**
 * The parties a dispensing record names — who performed it, for whom, in which structure. The
 * auditor API does not serve these types (it shows no demographics), so an answer whose records
 * reference them must carry them for every reference to resolve (R4 Bundle rules). Pure.
 */
import type { FhirResource } from 'fhir/r4';
import { referenceKey } from '../../rules/dispensing/execution-rules';

export const PARTY_TYPES: ReadonlySet<string> = new Set([
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
]);

/** Every `Type/id` a resource references (literal references only). */
function referencesOf(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => referencesOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const target = key === 'reference' && typeof child === 'string' ? referenceKey(child) : undefined;
      if (target) into.add(target);
      else referencesOf(child, into);
    }
  }
  return into;
}

/** The parties among `candidates` (stored resources, with ids) that `records` reference, once each. */
export function referencedParties(
  records: readonly FhirResource[],
  candidates: readonly FhirResource[],
): FhirResource[] {
  const wanted = referencesOf(records, new Set());
  const found = new Map<string, FhirResource>();
  for (const c of candidates) {
    const key = `${c.resourceType}/${c.id}`;
    if (c.id && PARTY_TYPES.has(c.resourceType) && wanted.has(key)) found.set(key, c);
  }
  return [...found.values()];
}
