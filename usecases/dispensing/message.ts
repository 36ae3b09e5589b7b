/**
 * $process-message, event `dispense-record`: the same recording as POST
 * /prescriptions/{number}/dispenses, carried in a FHIR message (README "Dispensing and execution").
 * The message Bundle holds the MessageHeader, the records, at most one Practitioner and one
 * Organization; every record names the prescription with extension
 * urn:ordo-gateway:extension:prescription, valueReference.identifier =
 * {system urn:oid:1.2.250.1.215.500.1.1, value <number>} — the same number on every record.
 */
import type { FhirResource } from 'fhir/r4';
import type { Problem } from '../../domain/problem';
import { readEntries } from '../../fhir/dispensing/read-submission';
import { EXECUTION_EXTENSIONS, MESSAGE_EVENTS, PRESCRIPTION_NUMBER_SYSTEM } from '../../fhir/systems';
import { checkEnvelope } from '../../mappers/fhir-message/check-envelope';
import { readJson } from '../../mappers/shared/json-reader';
import { HttpProblem } from '../../gateway/http-problem';
import type { MessageContext, MessageHandled } from '../messaging/handlers';
import { setAuditEntity } from '../../gateway/security/request-context';
import { normalizedNumber, securityOf } from './lookup';
import { recordExecution } from './record';

export async function dispenseRecord(body: Buffer, { deps, req }: MessageContext): Promise<MessageHandled> {
  const json = readJson(body);
  if (!json.ok) throw new HttpProblem(400, json.problems);
  const envelope = checkEnvelope(json.value, MESSAGE_EVENTS.dispenseRecord);
  if (!envelope.ok) throw new HttpProblem(422, envelope.problems);
  const entries = envelope.value.entries.filter((e) => e.resource.resourceType !== 'MessageHeader');
  const submission = readEntries(entries);
  if (!submission.ok) throw new HttpProblem(422, submission.problems);

  const numbers = submission.value.numbers;
  const missing: Problem[] = submission.value.records
    .filter((r) => !numbers.some((n) => n.at.startsWith(`${r.at}.`)))
    .map((r) => ({
      code: 'required',
      path: `${r.at}.extension`,
      message: `every record names its prescription: extension ${EXECUTION_EXTENSIONS.prescription} with valueReference.identifier {system ${PRESCRIPTION_NUMBER_SYSTEM}, value <number>}`,
    }));
  if (missing.length > 0) throw new HttpProblem(422, missing);
  const first = numbers[0]!;
  const number = normalizedNumber(first.value, first.at);
  const other = numbers.find((n) => n.value !== number);
  if (other) throw HttpProblem.of(422, 'value', `all records of a message belong to one prescription: ${other.value} differs from ${number}`, other.at);
  setAuditEntity(req, { number });

  const security = securityOf(req);
  const result = await recordExecution(deps, { number, submission: submission.value, ...(security ? { security } : {}) });
  req.log.info({ number, records: result.records.length, created: result.created }, 'dispense recorded (message)');
  return { focus: [result.summary, ...result.records] as FhirResource[] };
}
