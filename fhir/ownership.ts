/**
 * Whose prescription is it: the RPPS of the Practitioner the stored RequestGroup names as its
 * author (the signing prescriber; the locum when there is one). Pure, from the search result.
 */
import type { Bundle, FhirResource, Practitioner, RequestGroup } from 'fhir/r4';
import { resolverFor } from './read-prescription';
import { IDNATPS_SYSTEM, RPPS_SYSTEM } from './systems';
import type { PrescriptionOwnership } from '../rules/access/policy';

function rppsOfPractitioner(practitioner: Practitioner): string | undefined {
  const rpps = practitioner.identifier?.find((i) => i.system === RPPS_SYSTEM)?.value;
  if (rpps) return rpps;
  const idNatPs = practitioner.identifier?.find((i) => i.system === IDNATPS_SYSTEM)?.value;
  return idNatPs?.startsWith('8') ? idNatPs.slice(1) : undefined;
}

export function ownershipOf(found: { header: RequestGroup; bundle: Bundle<FhirResource> }): PrescriptionOwnership {
  const reference = found.header.author?.reference;
  const author = reference ? resolverFor(found.bundle.entry ?? [])(reference) : undefined;
  return { prescriberRpps: author?.resourceType === 'Practitioner' ? rppsOfPractitioner(author) : undefined };
}
