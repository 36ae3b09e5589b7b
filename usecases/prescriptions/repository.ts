/**
 * The FHIR searches that find a prescription. A prescription is a RequestGroup (the header,
 * carrying the number) with its requests, patient, prescriber, structure, consents and the
 * dispensing/execution records made on it; the
 * project's SearchParameters (profiles/search-parameters) let one search return all of it.
 */
import type { Bundle, FhirResource, RequestGroup } from 'fhir/r4';
import type { FhirClient } from '../../store/fhir-client';
import { MESSAGE_ID_SYSTEM, PRESCRIPTION_NUMBER_SYSTEM } from '../../fhir/systems';

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

const RECORD_REVINCLUDES = ['MedicationDispense:ordo-prescription', 'SupplyDelivery:ordo-prescription', 'Procedure:ordo-prescription'];

/** The query parameters that return a prescription and everything it references in one search. */
export function prescriptionSearchParams(number: string, { records = true }: PrescriptionSearchOptions = {}): Record<string, string | string[]> {
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
    _count: '200',
  };
}

const matches = (bundle: Bundle<FhirResource>): RequestGroup[] =>
  (bundle.entry ?? [])
    .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === 'RequestGroup')
    .map((e) => e.resource as RequestGroup);

export async function findPrescriptionByNumber(fhir: FhirClient, number: string, options?: PrescriptionSearchOptions): Promise<StoredPrescriptionBundle | undefined> {
  const bundle = await fhir.search<FhirResource>('RequestGroup', prescriptionSearchParams(number, options));
  const [header] = matches(bundle);
  return header ? { header, bundle } : undefined;
}

/** The one header a token search matches, alone (no includes). */
const findHeader = async (fhir: FhirClient, param: string, token: string): Promise<RequestGroup | undefined> =>
  matches(await fhir.search<FhirResource>('RequestGroup', { [param]: token, _count: '1' }))[0];

/** The prescription header made from a vendor message, if that message was already accepted. */
export const findHeaderByMessageKey = (fhir: FhirClient, messageKey: string): Promise<RequestGroup | undefined> =>
  findHeader(fhir, 'identifier', `${MESSAGE_ID_SYSTEM}|${messageKey}`);

/** Whether a number already belongs to a prescription (vendor-supplied numbers must be unused). */
export const findHeaderByNumber = (fhir: FhirClient, number: string): Promise<RequestGroup | undefined> =>
  findHeader(fhir, 'group-identifier', `${PRESCRIPTION_NUMBER_SYSTEM}|${number}`);
