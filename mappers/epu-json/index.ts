/**
 * The epu-json vendor format (vendors README §2): UTF-8 JSON, checked against the copied JSON
 * Schema and for texts the store cannot keep (control characters, lone surrogates), mapped to the
 * canonical Prescription. Business rules (check digits, dates…) are not checked here: see
 * rules/intake.
 */
import { isValidEpuJson } from '../../profiles/epu-json-schema';
import { jsonTextProblems } from '../shared/json-text';
import { limitProblems } from '../shared/problem-limit';
import { readJson } from '../shared/json-reader';
import type { MapResult, VendorMapper } from '../mapper';
import type { EpuPayload } from './payload';
import { schemaProblems } from './schema-problems';
import { toPrescription } from './to-prescription';

function parseEpuJson(body: Buffer): MapResult {
  const read = readJson(body);
  if (!read.ok) return read;
  const problems = [...(isValidEpuJson(read.value) ? [] : schemaProblems(read.value)), ...jsonTextProblems(read.value)];
  if (problems.length > 0) return { ok: false, kind: 'invalid', problems: limitProblems(problems) };
  return { ok: true, value: toPrescription(read.value as EpuPayload) };
}

export const mapper: VendorMapper<MapResult> = {
  format: 'epu-json',
  mediaTypes: ['application/json'],
  parse: parseEpuJson,
};
