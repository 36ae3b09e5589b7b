/**
 * The documents of a stored prescription — QR code and printable ordonnance — rendered from
 * what the FHIR store holds, so that they always show what was stored.
 */
import type { FhirResource } from 'fhir/r4';
import { qrPng, qrSvg } from './qr-code';
import { renderOrdonnancePdf } from './ordonnance-pdf';
import { readPrescription, resolverFor, type StoredPrescription } from '../fhir/read-prescription';
import type { StoredPrescriptionBundle } from '../fhir/prescription-search';

export interface DocumentKind {
  contentType: string;
  render(stored: StoredPrescription): Promise<Buffer | string>;
}

/**
 * The printable ordonnance around a QR image already rendered (the DMP worker embeds the same image). Its
 * creation date is the prescription's.
 */
export const ordonnancePdfWith = ({ prescription, number }: StoredPrescription, qr: Buffer): Promise<Buffer> =>
  renderOrdonnancePdf(prescription, number, { qrPng: qr });

/**
 * By file name, the last segment of a document URL. A Map, not an object: a name from a URL
 * (`__proto__`, `constructor`, `toString`) must find nothing, not an inherited member.
 */
export const DOCUMENT_KINDS: ReadonlyMap<string, DocumentKind> = new Map([
  ['qr.png', { contentType: 'image/png', render: ({ prescription, number }) => qrPng(prescription, number) }],
  ['qr.svg', { contentType: 'image/svg+xml', render: ({ prescription, number }) => qrSvg(prescription, number) }],
  [
    'ordonnance.pdf',
    {
      contentType: 'application/pdf',
      render: async (stored) => ordonnancePdfWith(stored, await qrPng(stored.prescription, stored.number)),
    },
  ],
] satisfies Array<[string, DocumentKind]>);

/** The canonical prescription of a search result; a stored prescription that cannot be read is a server fault. */
export function storedPrescriptionOf(found: StoredPrescriptionBundle): StoredPrescription {
  const resources = (found.bundle.entry ?? []).map((e) => e.resource).filter((r): r is FhirResource => r !== undefined);
  const read = readPrescription(resources, resolverFor(found.bundle.entry ?? []));
  if (!read.ok)
    throw new Error(`stored prescription cannot be read: ${read.problems.map((p) => p.message).join('; ')}`);
  return read.value;
}
