/**
 * What $process-message does for each event: one handler per event code, found by table.
 * A handler throws a ProblemError for a message it refuses (→ fatal-error); a store outage
 * (→ transient-error) goes through as it is.
 */
import { MESSAGE_EVENTS } from '../../fhir/systems';
import { mapper as fhirMessageMapper } from '../../mappers/fhir-message';
import { dispenseRecord } from '../dispensing/message';
import { patientConsent } from '../dispensing/consent-message';
import { acceptPrescription } from '../intake/accept';
import { findPrescriptionByNumber } from '../prescriptions/repository';
import type { MessageContext, MessageHandled, MessageHandler } from './message-context';

export type { MessageContext, MessageHandled, MessageHandler };

async function prescriptionCreate(body: Buffer, { deps, caller, log }: MessageContext): Promise<MessageHandled> {
  // The sender must be the prescriber who signs the message, as on POST /prescriptions.
  const result = await acceptPrescription(deps, caller, fhirMessageMapper, body);
  log.info({ number: result.number, format: 'fhir-message', created: result.created }, 'prescription intake');
  // The stored header carries the number the sender needs to print; the rest of the prescription
  // comes along so that every reference of the header resolves in the response.
  const found = await findPrescriptionByNumber(deps.fhir, result.number, { records: false });
  if (!found) throw new Error(`prescription ${result.number} was just stored but cannot be found`);
  const included = (found.bundle.entry ?? []).flatMap((e) =>
    e.resource && e.resource !== found.header ? [e.resource] : [],
  );
  return { focus: [found.header], included };
}

/**
 * By event code, looked up with the code a message sends: no prototype, so that `constructor`,
 * `toString` or `__proto__` find no handler (they found Object's members: a 500, or an `ok`).
 */
export const MESSAGE_HANDLERS: Readonly<Record<string, MessageHandler>> = Object.assign(
  Object.create(null) as Record<string, MessageHandler>,
  {
    [MESSAGE_EVENTS.prescriptionCreate]: prescriptionCreate,
    [MESSAGE_EVENTS.dispenseRecord]: dispenseRecord,
    [MESSAGE_EVENTS.patientConsent]: patientConsent,
  },
);
