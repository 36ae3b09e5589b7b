/**
 * The vendor formats the gateway reads. Adding a format is a folder mappers/<format>/ exporting
 * `mapper` (and its examples under profiles/vendor-examples/<format>/) plus one line here.
 */
import type { VendorFormat } from '../domain/prescription';
import { mapper as epuJson } from './epu-json';
import { mapper as fhirMessage } from './fhir-message';
import { mapper as lgcXml } from './lgc-xml';
import type { VendorMapper } from './mapper';

export const MAPPERS: readonly VendorMapper[] = [epuJson, fhirMessage, lgcXml];

export function mapperForFormat(format: string): VendorMapper | undefined {
  return MAPPERS.find((m) => m.format === (format.trim().toLowerCase() as VendorFormat));
}

/** Media type without parameters (charset…), lower-cased. */
const bareMediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

export function mapperForMediaType(contentType: string): VendorMapper | undefined {
  const media = bareMediaType(contentType);
  return MAPPERS.find((m) => m.mediaTypes.includes(media));
}
