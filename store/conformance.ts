/**
 * The project's conformance resources, read from their JSON files: the StructureDefinitions
 * (profiles and extension definitions; differential only, HAPI generates the snapshots) and the
 * SearchParameters, installed on the FHIR store by id (PUT) so that `$validate`, `meta.profile`
 * and the gateway's searches resolve. Canonical base of the profiles: PROFILE_BASE in fhir/systems.ts.
 * The CodeSystems (the rule codes of every OperationOutcome issue) and OperationDefinitions (the
 * gateway's own operations) are served by the gateway (gateway/conformance/catalog.ts), not installed:
 * nothing stored refers to them and HAPI implements none of these operations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  CapabilityStatement,
  CodeSystem,
  OperationDefinition,
  Resource,
  SearchParameter,
  StructureDefinition,
} from 'fhir/r4';
import { CANONICAL_BASE } from '../fhir/systems';
import type { FhirStore } from '../usecases/ports';
import type { FhirClient } from './fhir-client';

const PROFILES_DIR = path.join(__dirname, '..', 'profiles');

function jsonFilesOf<T>(folder: string): T[] {
  const dir = path.join(PROFILES_DIR, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T);
}

export const STRUCTURE_DEFINITIONS: readonly StructureDefinition[] =
  jsonFilesOf<StructureDefinition>('structure-definitions');
export const SEARCH_PARAMETERS: readonly SearchParameter[] = jsonFilesOf<SearchParameter>('search-parameters');
export const CODE_SYSTEMS: readonly CodeSystem[] = jsonFilesOf<CodeSystem>('code-systems');
export const OPERATION_DEFINITIONS: readonly OperationDefinition[] =
  jsonFilesOf<OperationDefinition>('operation-definitions');

/**
 * Per resource type the gateway writes, the built-in search parameters the store indexes
 * (profiles/indexed-search-parameters.json says why each is kept); the others of these types are
 * retired by retireUnusedSearchParameters.
 */
export const INDEXED_SEARCH_PARAMETERS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(
    (
      JSON.parse(readFileSync(path.join(PROFILES_DIR, 'indexed-search-parameters.json'), 'utf8')) as {
        kept: Record<string, Record<string, string>>;
      }
    ).kept,
  ).map(([type, kept]) => [type, Object.keys(kept)]),
);

/** The canonical URL of the FHIR specification's own SearchParameters (the built-in ones). */
const BUILT_IN_PREFIX = 'http://hl7.org/fhir/SearchParameter/';

/**
 * Deletes the retiring SearchParameters of parameters kept since (added to
 * profiles/indexed-search-parameters.json after they were retired), so that HAPI indexes them again
 * (resources stored meanwhile need a `$reindex` to be found by them).
 */
async function reinstateKeptSearchParameters(fhir: Pick<FhirClient, 'search' | 'delete'>): Promise<Set<string>> {
  const retired = await fhir.search<SearchParameter>('SearchParameter', { status: 'retired', _count: '1000' });
  const stillRetired = new Set<string>();
  for (const entry of retired.entry ?? []) {
    const sp = entry.resource;
    if (!sp?.id?.startsWith('retired-')) continue;
    const kept = (sp.base ?? []).some((type) => INDEXED_SEARCH_PARAMETERS[type]?.includes(sp.code));
    if (kept) await fhir.delete('SearchParameter', sp.id);
    else stillRetired.add(sp.id);
  }
  return stillRetired;
}

/** The id (and URL tail) of the SearchParameter that retires a built-in one. */
export const retiredSearchParameterId = (type: string, code: string): string => `retired-${type}-${code}`;

/**
 * The SearchParameters that retire, on the store, the built-in parameters of INDEXED_SEARCH_PARAMETERS'
 * types that are not kept, from what the store says it supports (its CapabilityStatement): a
 * SearchParameter of the same base and code with status `retired` makes HAPI stop indexing and
 * accepting the built-in one, for that base only.
 */
export function retiringSearchParameters(capability: CapabilityStatement): Array<SearchParameter & { id: string }> {
  const retiring: Array<SearchParameter & { id: string }> = [];
  for (const resource of capability.rest?.[0]?.resource ?? []) {
    const kept = INDEXED_SEARCH_PARAMETERS[resource.type];
    if (!kept) continue;
    for (const param of resource.searchParam ?? []) {
      const builtIn = param.definition?.startsWith(BUILT_IN_PREFIX) ?? false;
      if (!builtIn || param.name.startsWith('_') || kept.includes(param.name)) continue;
      const id = retiredSearchParameterId(resource.type, param.name);
      retiring.push({
        resourceType: 'SearchParameter',
        id,
        url: `${CANONICAL_BASE}/SearchParameter/${id}`,
        name: param.name.replace(/-/g, '_'),
        status: 'retired',
        description: `Not indexed: nothing searches ${resource.type} by ${param.name} (profiles/indexed-search-parameters.json).`,
        code: param.name,
        base: [resource.type as SearchParameter['base'][number]],
        type: param.type as SearchParameter['type'],
        // HAPI requires an expression; a retired parameter's is never evaluated.
        expression: resource.type,
      });
    }
  }
  return retiring;
}

/**
 * Retires, on the store, the built-in search parameters nobody searches (retiringSearchParameters).
 * Idempotent: a retired one is no longer in the CapabilityStatement. Returns how many it retired.
 * Resources stored before keep their index rows until reindexed (harmless: nothing reads them).
 */
export async function retireUnusedSearchParameters(
  fhir: Pick<FhirClient, 'update' | 'request' | 'search' | 'delete'>,
): Promise<number> {
  const alreadyRetired = await reinstateKeptSearchParameters(fhir);
  // The whole statement: its summary leaves the search parameters out. HAPI may serve it from a cache
  // made before the last retirements: those already stored are not written again.
  const { resource: capability } = await fhir.request<CapabilityStatement>('GET', 'metadata');
  const retiring = retiringSearchParameters(capability).filter((sp) => !alreadyRetired.has(sp.id));
  for (const sp of retiring) await fhir.update(sp);
  return retiring.length;
}

export const structureDefinitionFor = (url: string): StructureDefinition | undefined =>
  STRUCTURE_DEFINITIONS.find((sd) => sd.url === url);

/** PUTs every conformance resource (idempotent); returns how many of each were installed. */
export async function installConformanceResources(
  fhir: Pick<FhirStore, 'update'>,
): Promise<{ structureDefinitions: number; searchParameters: number }> {
  const resources: Array<Resource & { id: string }> = [...STRUCTURE_DEFINITIONS, ...SEARCH_PARAMETERS].map((r) => {
    if (!r.id) throw new Error(`conformance resource without id: ${r.resourceType}`);
    return r as Resource & { id: string };
  });
  for (const resource of resources) await fhir.update(resource);
  return { structureDefinitions: STRUCTURE_DEFINITIONS.length, searchParameters: SEARCH_PARAMETERS.length };
}

/**
 * The StructureDefinitions with their snapshots, as the store expands them (`$snapshot`): what
 * validators need (most validate against a snapshot and cannot all build one). Undefined when the
 * store could not expand one of them (the caller serves the differentials and asks again later).
 */
export async function structureDefinitionsWithSnapshots(
  fhir: Pick<FhirClient, 'request'>,
): Promise<StructureDefinition[] | undefined> {
  try {
    return await Promise.all(
      STRUCTURE_DEFINITIONS.map(async (sd) => {
        const { resource } = await fhir.request<StructureDefinition>(
          'POST',
          'StructureDefinition/$snapshot',
          { resourceType: 'Parameters', parameter: [{ name: 'definition', resource: sd }] },
          { idempotent: true },
        );
        if (!resource.snapshot?.element?.length) throw new Error(`no snapshot for ${sd.url}`);
        return { ...sd, snapshot: resource.snapshot };
      }),
    );
  } catch {
    return undefined;
  }
}
