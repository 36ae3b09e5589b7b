/**
 * Unwrapping what a vendor mapper returns, the same way for every format's tests: a payload
 * expected to map fails the test with the mapper's problems, one expected to be refused fails
 * the test when it maps or when it is refused for the other reason.
 */
import assert from 'node:assert/strict';
import type { Problem } from '../../domain/problem';
import type { MapResult, MappedPayload, VendorMapper } from '../../mappers/mapper';
import { vendorSchemaValidator } from '../../platform/xsd/vendor-schemas';
import { checkPrescriptionRules, toVendorPaths } from '../../rules/intake';
import { mapPayload } from '../../usecases/intake/map-payload';

/** What intake makes of a payload with the format's mapper and, for lgc-xml, the real XSD validator (platform/xsd). */
export const mapWithSchema = (mapper: VendorMapper, body: Buffer): Promise<MapResult> =>
  mapPayload(mapper, body, vendorSchemaValidator);

export function mapped(result: MapResult): MappedPayload {
  if (!result.ok) assert.fail(`expected the payload to map, got ${result.kind}: ${JSON.stringify(result.problems)}`);
  return result.value;
}

export function rejected(result: MapResult, reason: 'malformed' | 'invalid'): Problem[] {
  if (result.ok) assert.fail('expected the payload to be rejected');
  assert.equal(result.kind, reason, JSON.stringify(result.problems));
  return result.problems;
}

/**
 * The business rules' problems for a payload that maps, with the paths in the vendor's format (as intake
 * reports them).
 */
export function rulesProblems(result: MapResult, now: Date): Problem[] {
  const { prescription, sourceMap, sentAt } = mapped(result);
  return toVendorPaths(checkPrescriptionRules(prescription, now, sentAt), sourceMap);
}
