/**
 * The response message of $process-message (FHIR R4 messaging): a message Bundle whose first
 * entry is a MessageHeader with `response.identifier` = the request MessageHeader's id and
 * `response.code` ok | transient-error | fatal-error, plus an OperationOutcome on errors.
 * Pure: ids and time come from the caller.
 */
import type { Bundle, BundleEntry, FhirResource, MessageHeader, OperationOutcome, Reference } from 'fhir/r4';
import { publicFullUrl, withAbsoluteReferences } from '../../fhir/public-urls';
import type { MessageInfo } from '../../mappers/fhir-message';

/** The standard $process-message operation: the event of a response to a message whose own event is unreadable. */
export const PROCESS_MESSAGE_OPERATION = 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message';

export type ResponseCode = 'ok' | 'transient-error' | 'fatal-error';

export interface ResponseMessageInput {
  request: MessageInfo;
  code: ResponseCode;
  /** Resources the response is about (e.g. the stored prescription header). */
  focus?: FhirResource[];
  /** Resources the focus references, carried so that every reference resolves in the Bundle. */
  included?: FhirResource[];
  /**
   * Where stored resources live (fhir/public-urls.ts): a stored resource's fullUrl is
   * `<base>/<Type>/<id>`, the same address as in the REST answers, so its relative references
   * resolve; computed resources get a urn:uuid and absolute references.
   */
  fullUrlBase: string;
  outcome?: OperationOutcome;
  /** Endpoint of the gateway's $process-message, as the response's source. */
  gatewayEndpoint: string;
  /** Endpoint the request came from (its MessageHeader.source.endpoint), the response's destination. */
  senderEndpoint?: string;
  newUuid: () => string;
  now: Date;
}

/** MessageHeader.id of the request; the sender may omit it, then its Bundle.id stands in. */
const requestMessageId = (info: MessageInfo): string => info.messageHeaderId ?? info.bundleId ?? 'unknown';

export function buildResponseMessage(input: ResponseMessageInput): Bundle<FhirResource> {
  const entries: BundleEntry<FhirResource>[] = [];
  const add = (resource: FhirResource): string => {
    const stored = publicFullUrl(input.fullUrlBase, resource);
    const fullUrl = stored ?? `urn:uuid:${input.newUuid()}`;
    entries.push({ fullUrl, resource: stored ? resource : withAbsoluteReferences(resource, input.fullUrlBase) });
    return fullUrl;
  };
  const focusRefs = (input.focus ?? []).map((resource) => ({ reference: add(resource) }));
  for (const resource of input.included ?? []) add(resource);
  let details: Reference | undefined;
  if (input.outcome) {
    const fullUrl = `urn:uuid:${input.newUuid()}`;
    entries.push({ fullUrl, resource: input.outcome });
    details = { reference: fullUrl };
  }
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: input.newUuid(),
    // The request's event; a request without a readable one gets the operation's own URI (event[x] is required).
    ...(input.request.event?.system && input.request.event.code
      ? { eventCoding: { system: input.request.event.system, code: input.request.event.code } }
      : { eventUri: PROCESS_MESSAGE_OPERATION }),
    source: { name: 'ordo-gateway', software: 'ordo-gateway', endpoint: input.gatewayEndpoint },
    ...(input.senderEndpoint ? { destination: [{ endpoint: input.senderEndpoint }] } : {}),
    response: { identifier: requestMessageId(input.request), code: input.code, ...(details ? { details } : {}) },
    ...(focusRefs.length > 0 ? { focus: focusRefs } : {}),
  };
  return {
    resourceType: 'Bundle',
    id: input.newUuid(),
    type: 'message',
    timestamp: input.now.toISOString(),
    entry: [{ fullUrl: `urn:uuid:${header.id}`, resource: header }, ...entries],
  };
}
