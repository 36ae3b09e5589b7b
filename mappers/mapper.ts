import type { IsoDateTime, Prescription, SourceMap, VendorFormat } from '../domain/prescription';
import type { Outcome, Refusal } from '../domain/problem';
import type { XsdVerdict } from '../domain/xml-schema';

/** What a mapper makes of an accepted payload: the canonical prescription and where each field came from. */
export interface MappedPayload {
  prescription: Prescription;
  sourceMap: SourceMap;
  /** When the sender made the message, for formats that carry it (checked by V6, not stored); SourceMap key `/sentAt`. */
  sentAt?: IsoDateTime;
}

/**
 * Why a payload was refused before the business rules ran.
 *  - malformed: not parseable JSON/XML, forbidden DTD/entities, nesting too deep (HTTP 400)
 *  - invalid:   parsed, but does not follow the format's structure (schema, §4 of the vendors README) (HTTP 422)
 */
export type MapFailure = Refusal<'malformed' | 'invalid'>;
export type MapResult = Outcome<MappedPayload, 'malformed' | 'invalid'>;

/**
 * A payload read safely whose structure an XML Schema must now judge. Validating is pure computation but
 * not this layer's: the validator (WebAssembly in a worker thread, the schema file) is an edge, reached
 * by the use case (usecases/intake/map-payload.ts), which passes the verdict back to `complete`.
 */
export interface PendingSchemaCheck {
  /** The schema, by its file name in profiles/vendor-schemas. */
  schema: string;
  /** The bytes to validate. */
  document: Uint8Array;
  /** The mapping, given the validator's verdict on `document`; or another document to validate first. */
  complete(verdict: XsdVerdict): MapResult | PendingSchemaCheck;
}

export const isPendingSchemaCheck = (result: MapResult | PendingSchemaCheck): result is PendingSchemaCheck =>
  'complete' in result;

/**
 * One module per vendor format, in mappers/<format>/index.ts exporting `mapper`, listed in mappers/index.ts.
 * `parse` is pure: bytes in, canonical prescription out. No I/O, no clock, no randomness. A format defined
 * by an XML Schema answers a PendingSchemaCheck instead of a mapping once its bytes are read safely.
 * Problems carry the *vendor* path (JSON pointer for JSON formats, XPath for XML).
 */
export interface VendorMapper<Result extends MapResult | PendingSchemaCheck = MapResult | PendingSchemaCheck> {
  format: VendorFormat;
  /** Media types (without parameters) that select this format when no X-Vendor-Format header is sent. */
  mediaTypes: readonly string[];
  parse(body: Buffer): Result;
}
