/**
 * Canonical rule problems → vendor problems: the path becomes the vendor's (JSON pointer, XPath
 * or FHIRPath) through the mapper's SourceMap; for an absent field the message also names the
 * field the vendor should have sent, e.g. "drug line 1 has no product code (CIP13 or CIS):
 * /Prescription/Items/Item[1] has no CIS".
 */
import type { Problem } from '../../domain/problem';
import { sourcePathFor, type SourceMap } from '../../domain/prescription';
import type { RuleProblem } from './types';

/** `full` relative to `owner` when it lies below it ("Item[1]/CIS" → "CIS"), else `full` itself. */
function relativeTo(owner: string, full: string): string {
  for (const separator of ['/', '.']) {
    if (full.startsWith(owner + separator)) return full.slice(owner.length + 1);
  }
  return full;
}

function vendorNamesOf(missing: readonly string[], owner: string, sourceMap: SourceMap): string[] {
  const names = new Set<string>();
  for (const canonical of missing) {
    // Exact lookups only: a field the vendor format does not have (CIP13 in lgc-xml) is not named.
    const vendor = sourceMap[canonical];
    if (vendor !== undefined && vendor !== owner) names.add(relativeTo(owner, vendor));
  }
  return [...names];
}

export function toVendorPaths(problems: readonly (Problem | RuleProblem)[], sourceMap: SourceMap): Problem[] {
  return problems.map((problem) => {
    const { missing, path, ...rest } = problem as RuleProblem;
    if (path === undefined) return { ...rest };
    const vendorPath = sourcePathFor(sourceMap, path);
    const names = missing ? vendorNamesOf(missing, vendorPath, sourceMap) : [];
    return {
      ...rest,
      path: vendorPath,
      ...(names.length > 0 ? { message: `${rest.message}: ${vendorPath} has no ${names.join(' or ')}` } : {}),
    };
  });
}
