/**
 * The lgc-xml vendor format (vendors README §3): safe XML reading (mappers/shared/xml-reader),
 * the XSD's structure checked by hand (structure-spec + check-structure), then mapping to the
 * canonical Prescription. Business rules are not checked here: see rules/intake.
 */
import { limitProblems } from '../shared/problem-limit';
import { readXml } from '../shared/xml-reader';
import type { MapResult, VendorMapper } from '../mapper';
import { checkStructure } from './check-structure';
import { toPrescription } from './to-prescription';

function parseLgcXml(body: Buffer): MapResult {
  const read = readXml(body);
  if (!read.ok) return read;
  const problems = checkStructure(read.value);
  if (problems.length > 0) return { ok: false, kind: 'invalid', problems: limitProblems(problems) };
  return { ok: true, value: toPrescription(read.value) };
}

export const mapper: VendorMapper = {
  format: 'lgc-xml',
  mediaTypes: ['application/xml', 'text/xml'],
  parse: parseLgcXml,
};
