/**
 * The Patient, Practitioner and Organization a prescription names, referenced instead of created
 * conditionally when the identity cache knows where the store keeps them: each is a search the
 * store need not run. What is referenced is what the conditional create would have matched (the
 * same URL answered it before), and the stored resource is left as it is either way.
 */
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { parseLocation, versionOfLocation } from '../../fhir/transaction-response';
import type { IdentityCache, StoredIdentity } from '../ports';

const IDENTITY_TYPES: ReadonlySet<string> = new Set(['Patient', 'Practitioner', 'Organization']);

/** `Patient?identifier=…`: the conditional-create URL of an identity entry (none for a plain create). */
function identityUrlOf(entry: BundleEntry<FhirResource>): string | undefined {
  const type = entry.resource?.resourceType;
  const condition = entry.request?.ifNoneExist;
  return type && condition && IDENTITY_TYPES.has(type) ? `${type}?${condition}` : undefined;
}

/** Replaces, anywhere in `value`, a `reference` naming one of `targets`' keys (a fullUrl) by its `Type/id`. */
function rewriteReferences(value: unknown, targets: ReadonlyMap<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, targets);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      if (key === 'reference' && typeof item === 'string' && targets.has(item)) record[key] = targets.get(item);
      else if (typeof item === 'object') rewriteReferences(item, targets);
    }
  }
}

/**
 * Takes the known identities out of `tx` (their entries removed, references to them rewritten);
 * returns the cache keys it used, to forget them if the store refuses the transaction. A cache that
 * does not answer leaves the transaction as it is.
 */
export async function referenceKnownIdentities(cache: IdentityCache, tx: Bundle<FhirResource>): Promise<string[]> {
  const entries = tx.entry ?? [];
  const urls = entries.map(identityUrlOf);
  const known = await cache.get(urls.filter((u): u is string => u !== undefined)).catch(() => undefined);
  if (!known || known.size === 0) return [];
  const targets = new Map<string, string>();
  const used: string[] = [];
  tx.entry = entries.filter((entry, i) => {
    const url = urls[i];
    const stored = url !== undefined ? known.get(url) : undefined;
    if (!stored || !entry.fullUrl) return true;
    targets.set(entry.fullUrl, `${entry.resource!.resourceType}/${stored.id}`);
    used.push(url!);
    return false;
  });
  rewriteReferences(tx.entry, targets);
  return used;
}

/** Remembers where the store keeps the identities `tx` created or matched (its answer's locations). */
export async function rememberIdentities(
  cache: IdentityCache,
  tx: Bundle<FhirResource>,
  response: Bundle,
): Promise<void> {
  const learnt = new Map<string, StoredIdentity>();
  (tx.entry ?? []).forEach((entry, i) => {
    const url = identityUrlOf(entry);
    const location = response.entry?.[i]?.response?.location;
    const target = location ? parseLocation(location) : undefined;
    const version = versionOfLocation(location);
    if (url && target && version && target.resourceType === entry.resource?.resourceType)
      learnt.set(url, { id: target.id, version });
  });
  await cache.set(learnt);
}
