/**
 * A replacement in the DMP (README "Replacing a prescription"): the provide bundle of a
 * prescription that replaces another one also replaces the other one's document, in the same
 * transaction — the new DocumentReference `relatesTo` {code `replaces`, target the old entry}
 * (IHE MHD ITI-65 / XDS RPLC association) and the old entry set to `superseded` (XDS Deprecated,
 * the PDSm metadata update of flux 03, as a cancellation does). One transaction: the new document
 * never shows beside a still current old one, and a re-run after a crash (the old one already
 * superseded) changes nothing more. Pure: what the DMP store holds comes in.
 *
 * Kept apart from provide-bundle.ts on purpose: it only adds to a built bundle (finds the
 * DocumentReference entry by type, appends its own entries at the end), whatever the bundle holds.
 */
import type { Bundle, BundleEntry, DocumentReference, FhirResource } from 'fhir/r4';
import { isPrescriptionDocument, SUPERSEDE_PATCH } from './mhd';

export type StoredDocumentReference = DocumentReference & { id: string };

/** The DMP entries a replacement replaces: those of the old prescription that are or were valid. */
export const replaceableDocuments = (documents: readonly DocumentReference[]): StoredDocumentReference[] =>
  documents.filter(
    (d): d is StoredDocumentReference => d.id !== undefined && (d.status === 'current' || d.status === 'superseded'),
  );

/**
 * The provide bundle, its new DocumentReference relating to each replaced entry, plus one PATCH
 * per replaced entry still current (If-Match on the version read: a concurrent change makes the
 * whole transaction fail and the job retry from a fresh read). Returns the bundle unchanged when
 * nothing is replaced.
 */
export function withReplacement(
  bundle: Bundle<FhirResource>,
  replaced: readonly StoredDocumentReference[],
): Bundle<FhirResource> {
  if (replaced.length === 0) return bundle;
  const entries = (bundle.entry ?? []).map((entry) => {
    // The prescription document replaces; the signature of the submission set keeps its own `signs`.
    if (entry.resource?.resourceType !== 'DocumentReference' || !isPrescriptionDocument(entry.resource)) return entry;
    const relatesTo = [
      ...(entry.resource.relatesTo ?? []),
      ...replaced.map((d) => ({ code: 'replaces' as const, target: { reference: `DocumentReference/${d.id}` } })),
    ];
    return { ...entry, resource: { ...entry.resource, relatesTo } };
  });
  const supersede = replaced
    .filter((d) => d.status === 'current')
    .map((d): BundleEntry<FhirResource> => ({
      resource: SUPERSEDE_PATCH,
      request: {
        method: 'PATCH',
        url: `DocumentReference/${d.id}`,
        ...(d.meta?.versionId !== undefined ? { ifMatch: `W/"${d.meta.versionId}"` } : {}),
      },
    }));
  return { ...bundle, entry: [...entries, ...supersede] };
}
