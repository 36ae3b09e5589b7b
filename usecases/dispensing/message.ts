/**
 * $process-message, event `dispense-record`: the same recording as POST
 * /prescriptions/{number}/dispenses, carried in a FHIR message (README "Dispensing and execution").
 * The message Bundle holds the MessageHeader, the records, at most one Practitioner and one
 * Organization; every record names the prescription with extension
 * https://ordo-gateway.example.org/fhir/StructureDefinition/ordo-ext-prescription, valueReference.identifier =
 * {system urn:oid:1.2.250.1.215.500.1.1, value <number>} — the same number on every record.
 */
import type { FhirResource } from 'fhir/r4';
import { ProblemError, unwrap, type Problem } from '../../domain/problem';
import { readEntries } from '../../fhir/dispensing/read-submission';
import { EXECUTION_EXTENSIONS, MESSAGE_EVENTS, PRESCRIPTION_NUMBER_SYSTEM } from '../../fhir/systems';
import { checkEnvelope } from '../../mappers/fhir-message/check-envelope';
import { readJson } from '../../mappers/shared/json-reader';
import type { MessageContext, MessageHandled } from '../messaging/message-context';
import { normalizedNumber } from './lookup';
import { recordExecution } from './record';

export async function dispenseRecord(body: Buffer, { deps, caller, log }: MessageContext): Promise<MessageHandled> {
  const json = unwrap(readJson(body));
  const envelope = unwrap(checkEnvelope(json, MESSAGE_EVENTS.dispenseRecord));
  const entries = envelope.entries.filter((e) => e.resource.resourceType !== 'MessageHeader');
  const submission = readEntries(entries);
  if (!submission.ok) throw new ProblemError('invalid', submission.problems);

  const numbers = submission.value.numbers;
  const missing: Problem[] = [...submission.value.records, ...(submission.value.corrections ?? [])]
    .filter((r) => !numbers.some((n) => n.at.startsWith(`${r.at}.`)))
    .map((r) => ({
      code: 'required',
      rule: 'D1',
      path: `${r.at}.extension`,
      message: `every record names its prescription: extension ${EXECUTION_EXTENSIONS.prescription} with valueReference.identifier {system ${PRESCRIPTION_NUMBER_SYSTEM}, value <number>}`,
    }));
  if (missing.length > 0) throw new ProblemError('invalid', missing);
  const first = numbers[0]!;
  const number = normalizedNumber(first.value, first.at);
  const other = numbers.find((n) => n.value !== number);
  if (other)
    throw new ProblemError('invalid', [
      {
        code: 'value',
        rule: 'D1',
        message: `all records of a message belong to one prescription: ${other.value} differs from ${number}`,
        path: other.at,
      },
    ]);
  caller.noteAccess({ number });

  const result = await recordExecution(deps, caller, number, submission.value);
  log.info({ number, records: result.records.length, created: result.created }, 'dispense recorded (message)');
  return { focus: [result.summary, ...result.records] as FhirResource[], included: result.context };
}
