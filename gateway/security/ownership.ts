/**
 * Whose prescription is it: the RPPS of the Practitioner the stored RequestGroup names as its
 * author (the signing prescriber; the locum when there is one). Pure, from the search result.
 */
import type { Bundle, FhirResource, Practitioner, RequestGroup } from 'fhir/r4';
import { IDNATPS_SYSTEM, RPPS_SYSTEM } from '../../fhir/systems';
import type { PrescriptionOwnership } from './policy';

const sameResource = (fullUrl: string | undefined, resource: FhirResource | undefined, reference: string): boolean =>
  (resource?.id !== undefined && `${resource.resourceType}/${resource.id}` === reference) ||
  (fullUrl !== undefined && (fullUrl === reference || fullUrl.endsWith(`/${reference}`)));

export function rppsOfPractitioner(practitioner: Practitioner): string | undefined {
  const rpps = practitioner.identifier?.find((i) => i.system === RPPS_SYSTEM)?.value;
  if (rpps) return rpps;
  const idNatPs = practitioner.identifier?.find((i) => i.system === IDNATPS_SYSTEM)?.value;
  return idNatPs?.startsWith('8') ? idNatPs.slice(1) : undefined;
}

export function ownershipOf(found: { header: RequestGroup; bundle: Bundle<FhirResource> }): PrescriptionOwnership {
  const reference = found.header.author?.reference;
  if (!reference) return { prescriberRpps: undefined };
  const entry = (found.bundle.entry ?? []).find((e) => e.resource?.resourceType === 'Practitioner' && sameResource(e.fullUrl, e.resource, reference));
  return { prescriberRpps: entry ? rppsOfPractitioner(entry.resource as Practitioner) : undefined };
}
