/**
 * A vendor payload through its mapper, whatever the format: the JSON mappers map at once; lgc-xml's hands
 * back a document for the XML Schema validator (an edge, asynchronous) and finishes with its verdict.
 */
import type { MapResult, VendorMapper } from '../../mappers/mapper';
import { isPendingSchemaCheck } from '../../mappers/mapper';
import type { XmlSchemaValidator } from '../ports';

export async function mapPayload(mapper: VendorMapper, body: Buffer, xsd: XmlSchemaValidator): Promise<MapResult> {
  let result = mapper.parse(body);
  while (isPendingSchemaCheck(result)) result = result.complete(await xsd.validate(result.schema, result.document));
  return result;
}
