/**
 * What $process-message does for each event: one handler per event code, found by table.
 * A handler throws HttpProblem for a message it refuses (→ fatal-error) and lets transient
 * FhirServerErrors through (→ transient-error).
 */
import type { Request } from 'express';
import type { FhirResource, RequestGroup } from 'fhir/r4';
import { MESSAGE_EVENTS } from '../../fhir/systems';
import { mapper as fhirMessageMapper } from '../../mappers/fhir-message';
import type { AppDeps } from '../../gateway/app';
import { dispenseRecord } from '../dispensing/message';
import { acceptPrescription } from '../intake/accept';
import { authorizationFor, setAuditEntity } from '../../gateway/security/request-context';

export interface MessageContext {
  deps: AppDeps;
  req: Request;
}

export interface MessageHandled {
  /** Resources the response message is about. */
  focus: FhirResource[];
}

export type MessageHandler = (body: Buffer, ctx: MessageContext) => Promise<MessageHandled>;

async function prescriptionCreate(body: Buffer, { deps, req }: MessageContext): Promise<MessageHandled> {
  // The sender must be the prescriber who signs the message, as on POST /prescriptions.
  const result = await acceptPrescription(deps, fhirMessageMapper, body, { beforeStore: (p) => authorizationFor(req).createPrescription(p) });
  req.log.info({ number: result.number, format: 'fhir-message', created: result.created }, 'prescription intake');
  setAuditEntity(req, { number: result.number });
  // The stored header carries the number the sender needs to print.
  const header = result.header ?? (await deps.fhir.read<RequestGroup>('RequestGroup', result.requestGroupId)).resource;
  return { focus: [header] };
}

export const MESSAGE_HANDLERS: Record<string, MessageHandler> = {
  [MESSAGE_EVENTS.prescriptionCreate]: prescriptionCreate,
  [MESSAGE_EVENTS.dispenseRecord]: dispenseRecord,
};
