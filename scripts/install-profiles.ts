/**
 * Installs the project's conformance resources on the FHIR store: StructureDefinitions
 * (profiles and extensions) and SearchParameters. Idempotent (PUT by id), run by npm start,
 * npm test and CI before anything else talks to the store.
 */
import type { Resource } from 'fhir/r4';
import { createFhirClient } from '../store/fhir-client';
import { STRUCTURE_DEFINITIONS } from '../profiles/structure-definitions';
import { SEARCH_PARAMETERS } from '../profiles/search-parameters';

async function main(): Promise<void> {
  const baseUrl = process.env.FHIR_BASE_URL;
  if (!baseUrl) throw new Error('FHIR_BASE_URL is required');
  const fhir = await createFhirClient({ baseUrl, timeoutMs: 60_000, retries: 3 });
  const resources: Array<Resource & { id: string }> = [...STRUCTURE_DEFINITIONS, ...SEARCH_PARAMETERS].map((r) => {
    if (!r.id) throw new Error(`conformance resource without id: ${r.resourceType}`);
    return r as Resource & { id: string };
  });
  for (const resource of resources) await fhir.update(resource);
  process.stdout.write(`installed ${STRUCTURE_DEFINITIONS.length} StructureDefinitions and ${SEARCH_PARAMETERS.length} SearchParameters on ${baseUrl}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`install-profiles failed: ${(err as Error).message}\n`);
  process.exit(1);
});
