/**
 * The pure half of intake: vendor bytes → checked canonical prescription → FHIR transaction.
 * No I/O: the clock, the number, the uuid generator and the XML Schema validator come from the caller,
 * so the same code serves the HTTP route, $process-message and the in-process benchmark.
 */
import { createHash } from 'node:crypto';
import type { Bundle, FhirResource } from 'fhir/r4';
import { canonicalJson } from '../../domain/canonical-json';
import { rejected, type Outcome, type Problem } from '../../domain/problem';
import type { Prescription, SourceMap } from '../../domain/prescription';
import { isWellFormedNumber, normalizePrescriptionNumber } from '../../domain/prescription-number';
import { buildPrescriptionTransaction, type TransactionOptions } from '../../fhir/build-transaction';
import { messageKeyOf } from '../../fhir/read-prescription';
import { validateFhirResource } from '../../fhir/fhir-schema';
import type { MapResult, VendorMapper } from '../../mappers/mapper';
import { checkPrescriptionRules, toVendorPaths } from '../../rules/intake';
import type { XmlSchemaValidator } from '../ports';
import { mapPayload } from './map-payload';

export interface CheckedPayload {
  prescription: Prescription;
  sourceMap: SourceMap;
  /** "<format>:<prescriber RPPS>:<messageId>", the idempotency key: message ids are unique per sender. */
  messageKey: string;
  /** SHA-256 of the mapped prescription (canonical JSON): the same content however it was serialised. */
  payloadSha256: string;
}

export type Checked<T> = Outcome<T, 'malformed' | 'invalid'>;

/** Parse with the vendor's mapper (and its XML Schema), then apply every business rule; problems name vendor paths. */
export async function checkPayload(
  body: Buffer,
  mapper: VendorMapper,
  now: Date,
  xsd: XmlSchemaValidator,
): Promise<Checked<CheckedPayload>> {
  return checkMapped(await mapPayload(mapper, body, xsd), mapper, now);
}

/** Every business rule on what the mapper made of a payload. */
export function checkMapped(mapped: MapResult, mapper: VendorMapper, now: Date): Checked<CheckedPayload> {
  if (!mapped.ok) return mapped;
  const { prescription, sourceMap, sentAt } = mapped.value;
  const problems = toVendorPaths(checkPrescriptionRules(prescription, now, sentAt), sourceMap);
  if (prescription.number !== undefined) {
    const number = normalizePrescriptionNumber(prescription.number);
    if (!isWellFormedNumber(number)) {
      problems.push({
        code: 'value',
        rule: 'N1',
        path: sourceMap['/number'] ?? '/',
        message: `the prescription number "${prescription.number}" must be 18 characters from 0-9 and A-Z`,
      });
    }
  }
  if (problems.length > 0) return rejected(problems);
  return {
    ok: true,
    value: {
      prescription,
      sourceMap,
      messageKey: messageKeyOf(mapper.format, prescription.prescriber.rpps, prescription.messageId),
      payloadSha256: payloadHashOf(prescription),
    },
  };
}

/** SHA-256 of a mapped prescription (canonical JSON): the content part of the idempotency key. */
export const payloadHashOf = (prescription: Prescription): string =>
  createHash('sha256').update(canonicalJson(prescription)).digest('hex');

/**
 * The FHIR transaction for a checked payload, itself checked against the official R4 JSON
 * schema: a resource the schema refuses is never sent to the store.
 */
export function buildTransaction(
  checked: CheckedPayload,
  number: string,
  newUuid: () => string,
  { conditionalMessageEntries = false }: Pick<TransactionOptions, 'conditionalMessageEntries'> = {},
): Checked<Bundle<FhirResource>> {
  const bundle = buildPrescriptionTransaction(checked.prescription, {
    number,
    messageKey: checked.messageKey,
    payloadSha256: checked.payloadSha256,
    newUuid,
    conditionalMessageEntries,
  });
  const problems: Problem[] = [];
  (bundle.entry ?? []).forEach((entry, i) => {
    if (!entry.resource) return;
    problems.push(...validateFhirResource(entry.resource, `Bundle.entry[${i}].resource`));
  });
  if (problems.length > 0) return rejected(problems);
  return { ok: true, value: bundle };
}
