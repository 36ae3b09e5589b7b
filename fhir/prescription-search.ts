/**
 * The FHIR search that finds a prescription. A prescription is a RequestGroup (the header,
 * carrying the number) with its requests, patient, prescriber, structure, consents and the
 * dispensing/execution records made on it; the project's SearchParameters
 * (profiles/search-parameters) let one search return all of it.
 */
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import { MESSAGE_ID_SYSTEM, PRESCRIPTION_NUMBER_SYSTEM } from './systems';

/** Everything stored for one prescription, as returned by one FHIR search. */
export interface StoredPrescriptionBundle {
  header: RequestGroup;
  /** The search result (header + included resources), type searchset. */
  bundle: Bundle<FhirResource>;
}

export interface PrescriptionSearchOptions {
  /**
   * Whether to bring the dispensing/execution records too (default true). The DMP worker needs
   * only the prescription: three reverse includes fewer is a much cheaper search for the store.
   */
  records?: boolean;
}

const RECORD_REVINCLUDES = [
  'MedicationDispense:ordo-prescription',
  'SupplyDelivery:ordo-prescription',
  'Procedure:ordo-prescription',
];

const RECORD_PERFORMERS = ['MedicationDispense:performer', 'SupplyDelivery:supplier', 'Procedure:performer'];

/** The resource types the search returns (a write's other resources, the outbox Task, are not part of it). */
export const SEARCHED_TYPES: ReadonlySet<string> = new Set([
  'RequestGroup',
  'Patient',
  'Practitioner',
  'Organization',
  'MedicationRequest',
  'DeviceRequest',
  'ServiceRequest',
  'Consent',
  'MedicationDispense',
  'SupplyDelivery',
  'Procedure',
]);

/** The query parameters that return a prescription and everything it references in one search. */
export function prescriptionSearchParams(
  number: string,
  { records = true }: PrescriptionSearchOptions = {},
): Record<string, string | string[]> {
  return {
    'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
    _include: [
      'RequestGroup:subject',
      'RequestGroup:author',
      'RequestGroup:action-resource',
      'RequestGroup:prescriber-organization',
      'RequestGroup:locum-for',
    ],
    // Consents, and the dispensing/execution records (profiles/search-parameters/ordo-execution-prescription.json).
    _revinclude: ['Consent:data', ...(records ? RECORD_REVINCLUDES : [])],
    // …and who made each record: the records reference them, so the Bundle holds them.
    ...(records ? { '_include:iterate': RECORD_PERFORMERS } : {}),
    _count: '200',
  };
}

/** The prescription headers a search matched (not the included resources). */
export const matchedHeaders = (bundle: Bundle<FhirResource>): RequestGroup[] =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'RequestGroup')
    .map((e) => e.resource as RequestGroup);

/** Token search of one header by its message key (the vendor message it was made from). */
export const messageKeyToken = (messageKey: string): Record<string, string> => ({
  identifier: `${MESSAGE_ID_SYSTEM}|${messageKey}`,
});

/** Token search of one header by its number. */
export const numberToken = (number: string): Record<string, string> => ({
  'group-identifier': `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
});

/**
 * The search Bundle `before` as the same search would return it after a write that stored
 * `written` (the transaction-response's representations): each written resource replaces its
 * previous version, or is added as an included one (a new record, its performer); those of types
 * the search does not return are left out. Undefined when a written resource has no id or version,
 * or `before` has no entry to take the server's base address from: the caller then searches again.
 */
export function bundleAfterWrite(
  before: Bundle<FhirResource>,
  written: readonly FhirResource[],
): Bundle<FhirResource> | undefined {
  const first = before.entry?.find((e) => e.resource?.id && e.fullUrl);
  const suffix = first ? `${first.resource!.resourceType}/${first.resource!.id}` : '';
  if (!first?.fullUrl?.endsWith(suffix)) return undefined;
  const base = first.fullUrl.slice(0, -suffix.length);
  const entries = [...(before.entry ?? [])];
  for (const resource of written) {
    if (!SEARCHED_TYPES.has(resource.resourceType)) continue;
    if (!resource.id || !resource.meta?.versionId) return undefined;
    const at = entries.findIndex(
      (e) => e.resource?.resourceType === resource.resourceType && e.resource.id === resource.id,
    );
    if (at >= 0) entries[at] = { ...entries[at], resource };
    else
      entries.push({
        fullUrl: `${base}${resource.resourceType}/${resource.id}`,
        resource,
        search: { mode: 'include' },
      });
  }
  return { ...before, entry: entries };
}
