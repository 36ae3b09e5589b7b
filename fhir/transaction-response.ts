/**
 * Reading a FHIR transaction-response (HAPI's, or any R4 server's): which resource each entry
 * became, and at which version. The transactions themselves are built by build-transaction.ts and
 * dispensing/build-execution.ts.
 */
import type { Bundle, FhirResource } from 'fhir/r4';
import type { RequestResourceType } from './build-transaction';

/** The version a transaction-response entry's `location` names (`Type/id/_history/<version>`). */
export const versionOfLocation = (location: string | undefined): string | undefined =>
  location !== undefined ? /\/_history\/([^/]+)$/.exec(location)?.[1] : undefined;

export interface LineRequestId {
  resourceType: RequestResourceType;
  id: string;
}

/**
 * Server ids of what a transaction created (or matched, for conditional creates). Patient,
 * Organization and Practitioner are '' / absent when the transaction referenced a stored one
 * instead of carrying it (usecases/intake/known-identities.ts).
 */
export interface TransactionIds {
  Patient: string;
  Organization: string;
  RequestGroup: string;
  /** The prescriber first, then the replaced practitioner for a locum. */
  Practitioner: string[];
  /** consultation-delivrance, then alimentation-dmp. */
  Consent: string[];
  MedicationRequest: string[];
  DeviceRequest: string[];
  ServiceRequest: string[];
  /** The request of each line, in line order. */
  lines: LineRequestId[];
}

const LOCATION = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** `Type/id` of a `response.location` such as `MedicationRequest/42/_history/1` (absolute URLs too). */
export function parseLocation(location: string): { resourceType: string; id: string } | undefined {
  const match = LOCATION.exec(location);
  return match ? { resourceType: match[1]!, id: match[2]! } : undefined;
}

/**
 * Ids per resource type from a transaction-response. FHIR returns one response entry per request
 * entry, in the same order, so the request Bundle tells what each location is.
 * Throws when the response does not answer every entry: the caller cannot go on without the ids.
 */
export function idsFromTransactionResponse(request: Bundle<FhirResource>, response: Bundle): TransactionIds {
  const requested = request.entry ?? [];
  const answered = response.entry ?? [];
  if (answered.length !== requested.length) {
    throw new Error(`transaction-response has ${answered.length} entries for ${requested.length} requested`);
  }
  const ids: TransactionIds = {
    Patient: '',
    Organization: '',
    RequestGroup: '',
    Practitioner: [],
    Consent: [],
    MedicationRequest: [],
    DeviceRequest: [],
    ServiceRequest: [],
    lines: [],
  };
  requested.forEach((entry, i) => {
    const type = entry.resource?.resourceType;
    const location = answered[i]?.response?.location;
    const parsed = location !== undefined ? parseLocation(location) : undefined;
    if (!parsed || parsed.resourceType !== type) {
      throw new Error(`transaction-response entry ${i}: expected a ${type} location, got ${location ?? 'none'}`);
    }
    switch (parsed.resourceType) {
      case 'Patient':
      case 'Organization':
      case 'RequestGroup':
        ids[parsed.resourceType] = parsed.id;
        break;
      case 'Practitioner':
      case 'Consent':
        ids[parsed.resourceType].push(parsed.id);
        break;
      case 'MedicationRequest':
      case 'DeviceRequest':
      case 'ServiceRequest':
        ids[parsed.resourceType].push(parsed.id);
        ids.lines.push({ resourceType: parsed.resourceType, id: parsed.id });
        break;
    }
  });
  if (ids.RequestGroup === '') throw new Error('transaction-response has no RequestGroup');
  return ids;
}
