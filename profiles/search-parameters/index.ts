/** The project's SearchParameters (JSON files beside this module), installed on the FHIR store. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SearchParameter } from 'fhir/r4';

export const SEARCH_PARAMETERS: readonly SearchParameter[] = readdirSync(__dirname)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(__dirname, f), 'utf8')) as SearchParameter);
