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
