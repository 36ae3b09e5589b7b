/**
 * Every conformance resource the gateway serves (GET /fhir/<Type>, no token): the profiles and
 * extension definitions, the search parameters, the message definitions, the rule codes of every
 * OperationOutcome issue (CodeSystem rules), the dry run's OperationDefinition — under one canonical
 * base (CANONICAL_BASE in fhir/systems.ts). A validator that loads them from the gateway can
 * validate every answer the gateway gives.
 */
import type { FhirResource } from 'fhir/r4';
import type { FhirClient } from '../../store/fhir-client';
import {
  CODE_SYSTEMS,
  OPERATION_DEFINITIONS,
  SEARCH_PARAMETERS,
  STRUCTURE_DEFINITIONS,
  structureDefinitionsWithSnapshots,
} from '../../store/conformance';
import { messageDefinitions } from '../messaging/message-definitions';

export const CONFORMANCE_TYPES = [
  'StructureDefinition',
  'SearchParameter',
  'MessageDefinition',
  'OperationDefinition',
  'CodeSystem',
  'ValueSet',
] as const;
export type ConformanceType = (typeof CONFORMANCE_TYPES)[number];

export const isConformanceType = (type: string): type is ConformanceType =>
  (CONFORMANCE_TYPES as readonly string[]).includes(type);

export type ConformanceCatalog = Readonly<Record<ConformanceType, readonly FhirResource[]>>;

/** The catalog (`date`: when the definitions were published, i.e. the gateway started). */
function catalogOf(date: string, structureDefinitions: readonly FhirResource[]): ConformanceCatalog {
  return {
    StructureDefinition: structureDefinitions,
    SearchParameter: SEARCH_PARAMETERS,
    MessageDefinition: messageDefinitions(date),
    OperationDefinition: OPERATION_DEFINITIONS,
    CodeSystem: CODE_SYSTEMS,
    ValueSet: [],
  };
}

/**
 * The catalog of one application: the StructureDefinitions with their snapshots once the FHIR
 * store has expanded them (asked on first use, and again while it could not), the differentials
 * as written until then.
 */
export function conformanceCatalogOf(
  fhir: Pick<FhirClient, 'request'>,
  date: string,
): () => Promise<ConformanceCatalog> {
  let expanded: ConformanceCatalog | undefined;
  return async () => {
    if (expanded) return expanded;
    const withSnapshots = await structureDefinitionsWithSnapshots(fhir);
    if (!withSnapshots) return catalogOf(date, STRUCTURE_DEFINITIONS);
    expanded = catalogOf(date, withSnapshots);
    return expanded;
  };
}
