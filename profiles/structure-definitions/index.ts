/**
 * The gateway's FHIR R4 StructureDefinitions (profiles and extension definitions), JSON files next
 * to this one: differential only, HAPI generates the snapshots. Uploaded to HAPI by id (PUT), so
 * that `$validate` and `meta.profile` resolve. Canonical base of the profiles: PROFILE_BASE in
 * fhir/systems.ts; extension definitions use the extension URL itself as canonical URL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StructureDefinition } from 'fhir/r4';

function loadStructureDefinitions(): StructureDefinition[] {
  return readdirSync(__dirname)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(__dirname, file), 'utf8')) as StructureDefinition);
}

export const STRUCTURE_DEFINITIONS: readonly StructureDefinition[] = loadStructureDefinitions();

export const structureDefinitionFor = (url: string): StructureDefinition | undefined =>
  STRUCTURE_DEFINITIONS.find((sd) => sd.url === url);
