/**
 * The addresses of stored resources in what the gateway answers. Pure.
 *
 * The FHIR store sits on an internal network: its address (HAPI's fullUrls and paging links,
 * e.g. http://hapi:8080/fhir/MedicationRequest/123) never reaches a client. A stored resource's
 * fullUrl in the prescription and dispensing Bundles and the auditor API's answers is
 * `<gateway>/audit/fhir/<Type>/<id>`:
 *  - absolute, as R4 requires of Bundle.entry.fullUrl, and ending with Type/id, so the relative
 *    references between stored resources (`MedicationRequest/123`) resolve inside the Bundle
 *    (FHIR resolution: against the base of the referring entry's fullUrl);
 *  - the same address for the same resource in every API (prescription Bundles, auditor API), and
 *    the one place the gateway serves stored resources (GET /audit/fhir/{type}/{id}, auditor
 *    role, audited types); for other callers an identity, not a link to follow.
 * Built from the resource's type and id, never from the store's fullUrl: the address HAPI names
 * itself with need not match FHIR_BASE_URL, and records just written have no fullUrl at all.
 * Computed resources (the dispensing summary) have `urn:uuid:` fullUrls instead.
 */
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';

/** `<base>/<Type>/<id>` for a stored resource; undefined for a resource without id (not stored). */
export const publicFullUrl = (base: string, resource: FhirResource | undefined): string | undefined =>
  resource?.id !== undefined ? `${base}/${resource.resourceType}/${resource.id}` : undefined;

/** Rewrites a URL of the FHIR store (a paging link, with its query) to the same place under `publicBase`. */
export function rewriterFor(storeBase: string, publicBase: string): (url: string) => string {
  const storePath = new URL(storeBase).pathname.replace(/\/+$/, '');
  return (url: string) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return url;
    }
    const path = parsed.pathname.replace(/\/+$/, '');
    if (path !== storePath && !path.startsWith(`${storePath}/`)) return url;
    return `${publicBase}${path.slice(storePath.length)}${parsed.search}`;
  };
}

/**
 * A Bundle of the store (search result, page) as the gateway passes it on: links under
 * `publicBase`, each entry's fullUrl the public one (rewritten when the entry has no stored resource).
 */
export function rewriteBundle(
  bundle: Bundle<FhirResource>,
  storeBase: string,
  publicBase: string,
): Bundle<FhirResource> {
  const rewrite = rewriterFor(storeBase, publicBase);
  const entryOf = (e: BundleEntry<FhirResource>): BundleEntry<FhirResource> => {
    const fullUrl = publicFullUrl(publicBase, e.resource) ?? (e.fullUrl !== undefined ? rewrite(e.fullUrl) : undefined);
    return fullUrl !== undefined ? { ...e, fullUrl } : e;
  };
  return {
    ...bundle,
    ...(bundle.link ? { link: bundle.link.map((l) => ({ ...l, url: rewrite(l.url) })) } : {}),
    ...(bundle.entry ? { entry: bundle.entry.map(entryOf) } : {}),
  };
}

/** A relative literal reference to a stored resource (`Type/id`, optionally versioned). */
const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * A computed resource (one with a `urn:uuid` fullUrl, e.g. the dispensing summary) with its
 * relative references made absolute under `base`: by R4 rules a relative reference resolves
 * against the base of the referring entry's fullUrl, and a urn:uuid gives none. The stored
 * resources keep relative references: their fullUrls are RESTful, so those resolve.
 */
export function withAbsoluteReferences<T>(resource: T, base: string): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        key,
        key === 'reference' && typeof child === 'string' && RELATIVE_REFERENCE.test(child)
          ? `${base}/${child}`
          : visit(child),
      ]),
    );
  };
  return visit(resource) as T;
}
