/** The ClinicalDocument root: namespaces, header, structured body, serialized. */
import { el, serializeXml, type XmlChild } from './xml';

export const HL7_V3_NAMESPACE = 'urn:hl7-org:v3';

export function clinicalDocument(header: XmlChild[], sections: XmlChild[]): string {
  const root = el(
    'ClinicalDocument',
    { xmlns: HL7_V3_NAMESPACE, 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    header,
    el('component', {}, el('structuredBody', {}, sections)),
  );
  // No indentation: the signer parses, clones and canonicalises every whitespace node (half the
  // nodes of an indented CDA, a quarter of the signing time); readers display it through XSL.
  return serializeXml(root, { indent: false });
}
