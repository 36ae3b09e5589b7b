/**
 * `install-profiles`: what scripts/install-profiles.ts does (StructureDefinitions and
 * SearchParameters, PUT by id: idempotent), on the gateway's FHIR store and, when it is another
 * server, on the DMP document sharing server too (its search parameters find a patient's documents);
 * and, on the gateway's store only, the built-in search parameters nobody searches retired.
 */
import { installConformanceResources, retireUnusedSearchParameters } from '../../store/conformance';
import type { AdminCommand } from '../command';
import { table } from '../table';

export const installProfiles: AdminCommand = {
  name: 'install-profiles',
  usage: 'install-profiles',
  interaction: 'update',
  action: 'U',
  failedEntity: () => ({ query: 'install-profiles' }),
  async run(session) {
    const stores = session.dmpStore === session.fhir ? [session.fhir] : [session.fhir, session.dmpStore];
    const installed = [];
    for (const store of stores) {
      const resources = await installConformanceResources(store);
      // Only the gateway's store: what the DMP server indexes is its own business.
      const retired = store === session.fhir ? await retireUnusedSearchParameters(store) : 0;
      installed.push({ server: store.baseUrl, ...resources, retiredSearchParameters: retired });
    }
    return {
      json: installed,
      text: table(
        ['SERVER', 'STRUCTURE DEFINITIONS', 'SEARCH PARAMETERS', 'RETIRED BUILT-IN PARAMETERS'],
        installed.map((i) => [
          i.server,
          String(i.structureDefinitions),
          String(i.searchParameters),
          String(i.retiredSearchParameters),
        ]),
      ),
      records: [{ status: 200, query: 'install-profiles' }],
    };
  },
};
