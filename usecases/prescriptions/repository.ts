/** Finding a stored prescription in the FHIR store (fhir/prescription-search.ts says how). */
import type { FhirResource, RequestGroup } from 'fhir/r4';
import {
  matchedHeaders,
  messageKeyToken,
  numberToken,
  prescriptionSearchParams,
  type PrescriptionSearchOptions,
  type StoredPrescriptionBundle,
} from '../../fhir/prescription-search';
import type { FhirStore } from '../ports';

export async function findPrescriptionByNumber(
  fhir: FhirStore,
  number: string,
  options?: PrescriptionSearchOptions,
): Promise<StoredPrescriptionBundle | undefined> {
  // A number is unique (the store's index): one page, never paged further.
  const bundle = await fhir.search<FhirResource>('RequestGroup', prescriptionSearchParams(number, options), {
    unpaged: true,
  });
  const [header] = matchedHeaders(bundle);
  return header ? { header, bundle } : undefined;
}

/** The one header a token search matches, alone (no includes). */
const findHeader = async (fhir: FhirStore, token: Record<string, string>): Promise<RequestGroup | undefined> =>
  matchedHeaders(await fhir.search<FhirResource>('RequestGroup', { ...token, _count: '1' }, { unpaged: true }))[0];

/** The prescription header made from a vendor message, if that message was already accepted. */
export const findHeaderByMessageKey = (fhir: FhirStore, messageKey: string): Promise<RequestGroup | undefined> =>
  findHeader(fhir, messageKeyToken(messageKey));

/** Whether a number already belongs to a prescription (vendor-supplied numbers must be unused). */
export const findHeaderByNumber = (fhir: FhirStore, number: string): Promise<RequestGroup | undefined> =>
  findHeader(fhir, numberToken(number));
