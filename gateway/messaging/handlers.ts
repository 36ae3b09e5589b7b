/**
 * What $process-message does for each event: one handler per event code, found by table.
 * A handler throws HttpProblem for a message it refuses (→ fatal-error) and lets transient
 * FhirServerErrors through (→ transient-error).
 */
import type { Request } from 'express';
import type { FhirResource, RequestGroup } from 'fhir/r4';
import { MESSAGE_EVENTS } from '../../fhir/systems';
import { mapper as fhirMessageMapper } from '../../mappers/fhir-message';
import type { AppDeps } from '../app';
import { acceptPrescription } from '../intake/accept';

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
  const result = await acceptPrescription(deps, fhirMessageMapper, body);
  req.log.info({ number: result.number, format: 'fhir-message', created: result.created }, 'prescription intake');
  // The stored header carries the number the sender needs to print.
  const { resource } = await deps.fhir.read<RequestGroup>('RequestGroup', result.requestGroupId);
  return { focus: [resource] };
}

export const MESSAGE_HANDLERS: Record<string, MessageHandler> = {
  [MESSAGE_EVENTS.prescriptionCreate]: prescriptionCreate,
};
