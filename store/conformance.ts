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
import type { CodeSystem, OperationDefinition, Resource, SearchParameter, StructureDefinition } from 'fhir/r4';
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
