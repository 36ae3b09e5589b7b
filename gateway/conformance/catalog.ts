/**
 * Every conformance resource the gateway serves (GET /fhir/<Type>, no token): the profiles and
 * extension definitions, the search parameters, the message definitions, the rule codes of every
 * OperationOutcome issue (CodeSystem rules), the dry run's OperationDefinition — under one canonical
 * base (CANONICAL_BASE in fhir/systems.ts). A validator that loads them from the gateway can
 * validate every answer the gateway gives.
 */
import type { FhirResource } from 'fhir/r4';
import { CODE_SYSTEMS, OPERATION_DEFINITIONS, SEARCH_PARAMETERS, STRUCTURE_DEFINITIONS } from '../../store/conformance';
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

/** The catalog, built once per application (`date`: when the definitions were published, i.e. started). */
export function conformanceCatalog(date: string): ConformanceCatalog {
  return {
    StructureDefinition: STRUCTURE_DEFINITIONS,
    SearchParameter: SEARCH_PARAMETERS,
    MessageDefinition: messageDefinitions(date),
    OperationDefinition: OPERATION_DEFINITIONS,
    CodeSystem: CODE_SYSTEMS,
    ValueSet: [],
  };
}
