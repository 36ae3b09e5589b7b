/**
 * The gateway's own CapabilityStatement (GET /fhir/metadata): what a vendor can do with the
 * gateway's FHIR endpoint — messaging through $process-message, with reliable delivery.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { SOFTWARE } from '../../platform/software';
import { STRUCTURE_DEFINITIONS } from '../../store/conformance';
import { CONFORMANCE_TYPES } from '../conformance/catalog';
import { messageDefinitionUrl } from './message-definitions';
import { RELIABLE_CACHE_MINUTES } from './reliable-cache';

const RESTFUL_SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

/** The conformance resources: read and search, without a token (gateway/routes/conformance.ts). */
const conformanceResource = (type: CapabilityStatementRestResource['type']): CapabilityStatementRestResource => ({
  type,
  interaction: [{ code: 'read' }, { code: 'search-type' }],
  searchParam: [
    { name: 'url', type: 'uri' },
    { name: '_id', type: 'token' },
    { name: 'name', type: 'string' },
    { name: 'version', type: 'token' },
  ],
});

/** The profiled resource types: no REST interaction here, their profiles announced for validators. */
function profiledResources(): CapabilityStatementRestResource[] {
  const byType = new Map<CapabilityStatementRestResource['type'], string[]>();
  for (const sd of STRUCTURE_DEFINITIONS) {
    if (sd.kind !== 'resource' || !sd.url) continue;
    const type = sd.type as CapabilityStatementRestResource['type'];
    byType.set(type, [...(byType.get(type) ?? []), sd.url]);
  }
  return [...byType].map(([type, profiles]) => ({
    type,
    supportedProfile: profiles,
    documentation:
      'Exchanged in messages ($process-message) and through /prescriptions, stored under these profiles; ' +
      'read-only for auditors at /audit/fhir.',
  }));
}

export function gatewayCapabilityStatement(
  baseUrl: string,
  events: readonly string[],
  date: string,
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    name: 'OrdoGateway',
    title: 'ordo-gateway — e-prescription gateway',
    publisher: 'ordo-gateway',
    software: { name: SOFTWARE.name, version: SOFTWARE.version },
    implementation: {
      description: 'Gateway FHIR endpoint: messaging and conformance resources (the FHIR store is not exposed)',
      url: `${baseUrl}/fhir`,
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'The $process-message operation, and the conformance resources the gateway defines (read and ' +
          'search without a token). Prescriptions are also reachable through /prescriptions (OpenAPI: /openapi.json).',
        security: {
          cors: false,
          service: [{ coding: [{ system: RESTFUL_SECURITY_SERVICE, code: 'OAuth', display: 'OAuth' }] }],
          description:
            '$process-message needs `Authorization: Bearer <access token>` of the configured OpenID Connect ' +
            "provider (Pro Santé Connect): a prescriber for prescription-create (the token's RPPS must be the " +
            'prescriber of the message), a dispensing professional for dispense-record, the prescriber of the ' +
            'prescription or a dispenser for patient-consent. /metadata and the ' +
            'conformance resources need no token.',
        },
        resource: [...CONFORMANCE_TYPES.map(conformanceResource), ...profiledResources()],
        operation: [
          {
            name: 'process-message',
            definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
          },
        ],
      },
    ],
    messaging: [
      {
        endpoint: [
          {
            protocol: { system: 'http://terminology.hl7.org/CodeSystem/message-transport', code: 'http' },
            address: `${baseUrl}/fhir/$process-message`,
          },
        ],
        reliableCache: RELIABLE_CACHE_MINUTES,
        documentation: `Events of ${MESSAGE_EVENT_SYSTEM}: ${events.join(', ')}. A message sent again by the same sender with the same Bundle.id, MessageHeader.id and content within ${RELIABLE_CACHE_MINUTES} minutes gets the original response; the same ids with other content is refused (fatal-error, conflict), and another sender's ids are never shared. A prescription-create resent by the same prescriber with the same Bundle.identifier and the same prescription (whatever its Bundle.id and MessageHeader.id, at any time) is the same prescription: it is answered with the stored one.`,
        supportedMessage: events.map((event) => ({
          mode: 'receiver' as const,
          definition: messageDefinitionUrl(event),
        })),
      },
    ],
  };
}
