/**
 * `fhir-message`: a FHIR R4 Bundle of type message (vendors §4), as posted to $process-message.
 * Bytes → JSON (UTF-8, nesting ≤ 32: malformed) → structural checks of §4 + V12 (invalid, with
 * FHIRPath paths) → canonical Prescription + SourceMap. V3–V11 are left to rules/intake.
 */
import { readJson } from '../shared/json-reader';
import type { MapResult, VendorMapper } from '../mapper';
import { checkPrescriptionMessage } from './check-message';
import { toPrescription } from './to-prescription';

export { messageInfoOf, readMessageInfo, MESSAGE_EVENT_DEFINITIONS, type MessageInfo } from './events';

function parseFhirMessage(body: Buffer): MapResult {
  const json = readJson(body);
  if (!json.ok) return json;
  const checked = checkPrescriptionMessage(json.value);
  if (!checked.ok) return { ok: false, kind: 'invalid', problems: checked.problems };
  return toPrescription(checked.value);
}

export const mapper: VendorMapper<MapResult> = {
  format: 'fhir-message',
  mediaTypes: ['application/fhir+json'],
  parse: parseFhirMessage,
};
