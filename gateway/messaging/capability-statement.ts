/**
 * The gateway's own CapabilityStatement (GET /fhir/metadata): what a vendor can do with the
 * gateway's FHIR endpoint — messaging through $process-message, with reliable delivery.
 */
import type { CapabilityStatement } from 'fhir/r4';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { RELIABLE_CACHE_MINUTES } from './reliable-cache';

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
    software: { name: 'ordo-gateway' },
    implementation: {
      description: 'Gateway FHIR endpoint (messaging only; the FHIR store is not exposed)',
      url: `${baseUrl}/fhir`,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Only the $process-message operation is offered; prescriptions are also reachable through /prescriptions.',
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
          definition: `urn:example:eprescription:message-definition:${event}`,
        })),
      },
    ],
  };
}
