/**
 * A message Bundle whose envelope passed the checks, indexed for the later checks and the mapping:
 * entries by fullUrl and by resource type, each with its FHIRPath (`Bundle.entry[i].resource`).
 */
import type { Bundle, FhirResource } from 'fhir/r4';

export interface IndexedEntry<T extends FhirResource = FhirResource> {
  index: number;
  fullUrl: string;
  resource: T;
  /** FHIRPath of the resource: every problem and SourceMap path starts here. */
  at: string;
}

export interface MessageBundle {
  bundle: Bundle<FhirResource>;
  entries: IndexedEntry[];
  byFullUrl: ReadonlyMap<string, IndexedEntry>;
}

export const entryPath = (index: number): string => `Bundle.entry[${index}].resource`;

export function indexBundle(bundle: Bundle<FhirResource>): MessageBundle {
  const entries: IndexedEntry[] = [];
  const byFullUrl = new Map<string, IndexedEntry>();
  (bundle.entry ?? []).forEach((entry, index) => {
    if (!entry.resource || entry.fullUrl === undefined) return;
    const indexed: IndexedEntry = { index, fullUrl: entry.fullUrl, resource: entry.resource, at: entryPath(index) };
    entries.push(indexed);
    byFullUrl.set(entry.fullUrl, indexed);
  });
  return { bundle, entries, byFullUrl };
}

export function entriesOfType<K extends FhirResource['resourceType']>(
  message: MessageBundle,
  type: K,
): IndexedEntry<Extract<FhirResource, { resourceType: K }>>[] {
  return message.entries.filter((e) => e.resource.resourceType === type) as IndexedEntry<
    Extract<FhirResource, { resourceType: K }>
  >[];
}

/** The entry a reference points at, when it is one of this Bundle's fullUrls. */
export function resolveEntry(message: MessageBundle, reference: string | undefined): IndexedEntry | undefined {
  return reference === undefined ? undefined : message.byFullUrl.get(reference);
}

export function resolveOfType<K extends FhirResource['resourceType']>(
  message: MessageBundle,
  reference: string | undefined,
  type: K,
): IndexedEntry<Extract<FhirResource, { resourceType: K }>> | undefined {
  const found = resolveEntry(message, reference);
  return found?.resource.resourceType === type
    ? (found as IndexedEntry<Extract<FhirResource, { resourceType: K }>>)
    : undefined;
}
