/**
 * Building a prescription's FHIR transaction in unit tests, without the intake around it:
 * deterministic ids, so that two builds compare equal and fullUrls can be matched by pattern.
 */
import type { Bundle, FhirResource } from 'fhir/r4';
import type { Prescription } from '../../domain/prescription';
import type { TransactionOptions } from '../../fhir/build-transaction';
import { messageKeyOf } from '../../fhir/read-prescription';

/** urn:uuid ids 00000000-0000-4000-8000-000000000001, …002, … in the order they are asked for. */
function uuidSequence(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
}

/**
 * What intake would pass for `p`: its own number (or a valid one when it has none), its message key, a dummy
 * payload hash.
 */
export const transactionOptionsFor = (
  p: Prescription,
  number = p.number ?? '0SV0A7K2M9QX4TB8ZC',
): TransactionOptions => ({
  number,
  messageKey: messageKeyOf(p.sourceFormat, p.prescriber.rpps, p.messageId),
  payloadSha256: 'ab'.repeat(32),
  newUuid: uuidSequence(),
});

/** The resources of a bundle, in entry order. */
export const bundleResources = (bundle: Bundle<FhirResource>): FhirResource[] =>
  (bundle.entry ?? []).map((e) => e.resource!);
