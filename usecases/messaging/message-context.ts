/** What a $process-message event handler is given and returns (usecases/messaging/handlers.ts lists them). */
import type { FhirResource } from 'fhir/r4';
import type { Caller } from '../caller';
import type { Log, UseCaseDeps } from '../ports';

export interface MessageContext {
  deps: UseCaseDeps;
  caller: Caller;
  log: Log;
}

export interface MessageHandled {
  /** Resources the response message is about. */
  focus: FhirResource[];
  /** Resources the focus references (carried so that they resolve in the response). */
  included?: FhirResource[];
}

export type MessageHandler = (body: Buffer, ctx: MessageContext) => Promise<MessageHandled>;
