/**
 * The lgc-xml vendor format (vendors README §3): safe XML reading (mappers/shared/xml-reader: encoding,
 * no DTD or entities, well-formedness, depth), then the XSD (profiles/vendor-schemas/lgc-xml.xsd) judges
 * the structure — a real validator, run by the caller (PendingSchemaCheck) — then the mapping to the
 * canonical Prescription. Business rules are not checked here: see rules/intake.
 */
import type { Problem } from '../../domain/problem';
import type { XsdFinding, XsdVerdict } from '../../domain/xml-schema';
import { limitProblems } from '../shared/problem-limit';
import { readXml, type XmlElement } from '../shared/xml-reader';
import { oneStartTagPerLine, startTags } from '../shared/xml-start-tags';
import type { MapFailure, MapResult, PendingSchemaCheck, VendorMapper } from '../mapper';
import { locateElements } from './located-elements';
import { ROOT_NAME } from './content-model';
import { toPrescription } from './to-prescription';
import { xsdProblems } from './xsd-problems';

export const LGC_XML_SCHEMA = 'lgc-xml.xsd';

/** Refused by the XSD: 422, or 400 when libxml2 could not even read the document. */
function refused(findings: readonly XsdFinding[], problems: Problem[]): MapFailure {
  const malformed = findings.some((f) => f.kind === 'not-well-formed');
  return { ok: false, kind: malformed ? 'malformed' : 'invalid', problems: limitProblems(problems) };
}

function afterValidation(body: Buffer, root: XmlElement, verdict: XsdVerdict): MapResult | PendingSchemaCheck {
  if (verdict.status === 'valid') return { ok: true, value: toPrescription(root) };
  if (verdict.status === 'unjudged') {
    return {
      ok: false,
      kind: 'invalid',
      problems: [
        {
          code: 'too-costly',
          rule: 'V2',
          path: `/${ROOT_NAME}`,
          message: `the document could not be checked against the lgc-xml XSD: ${verdict.reason}. libxml2's pattern matching is slow on some values, such as a long run of spaces in a text: remove them`,
        },
      ],
    };
  }
  const tags = startTags(body);
  const elements = locateElements(root, tags);
  const problems = xsdProblems(verdict.findings, elements, { pickFirst: false });
  if (problems) return refused(verdict.findings, problems);
  // Elements named alike share a line (a document on one line): the same document with one start tag per
  // line is validated again, only to tell them apart. The verdict stays the one on the bytes received.
  const split = oneStartTagPerLine(body, tags);
  const splitElements = locateElements(root, startTags(split));
  return {
    schema: LGC_XML_SCHEMA,
    document: split,
    complete: (located) =>
      located.status === 'invalid'
        ? refused(verdict.findings, xsdProblems(located.findings, splitElements, { pickFirst: true })!)
        : refused(verdict.findings, xsdProblems(verdict.findings, elements, { pickFirst: true })!),
  };
}

function parseLgcXml(body: Buffer): MapFailure | PendingSchemaCheck {
  const read = readXml(body);
  if (!read.ok) return read;
  const root = read.value;
  return { schema: LGC_XML_SCHEMA, document: body, complete: (verdict) => afterValidation(body, root, verdict) };
}

export const mapper: VendorMapper<MapFailure | PendingSchemaCheck> = {
  format: 'lgc-xml',
  mediaTypes: ['application/xml', 'text/xml'],
  parse: parseLgcXml,
};
