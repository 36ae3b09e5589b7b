/**
 * Installs the project's conformance resources on the FHIR store (store/conformance.ts):
 * StructureDefinitions and SearchParameters, and the built-in search parameters nobody searches
 * retired (profiles/indexed-search-parameters.json). Idempotent (PUT by id), run by npm start, npm test
 * and CI before anything else talks to the store. Reads FHIR_BASE_URL.
 */
import { ConfigError, EnvReader } from '../platform/config';
import { installConformanceResources, retireUnusedSearchParameters } from '../store/conformance';
import { createFhirClient } from '../store/fhir-client';

async function main(): Promise<void> {
  const read = new EnvReader(process.env);
  const baseUrl = read.url('FHIR_BASE_URL', ['http:', 'https:']);
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  const fhir = await createFhirClient({ baseUrl, timeoutMs: 60_000, retries: 3 });
  const installed = await installConformanceResources(fhir);
  const retired = await retireUnusedSearchParameters(fhir);
  process.stdout.write(
    `installed ${installed.structureDefinitions} StructureDefinitions and ${installed.searchParameters} SearchParameters on ${baseUrl}; ${retired} built-in search parameters retired\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`install-profiles failed: ${(err as Error).message}\n`);
  process.exit(1);
});
