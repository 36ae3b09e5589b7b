/**
 * The epu-json vendor format (vendors README §2): UTF-8 JSON, checked against the copied JSON
 * Schema, mapped to the canonical Prescription. Business rules (check digits, dates…) are not
 * checked here: see rules/intake.
 */
import { isValidEpuJson } from '../../profiles/epu-json-schema';
import { limitProblems } from '../shared/problem-limit';
import { readJson } from '../shared/json-reader';
import type { MapResult, VendorMapper } from '../mapper';
import type { EpuPayload } from './payload';
import { schemaProblems } from './schema-problems';
import { toPrescription } from './to-prescription';

function parseEpuJson(body: Buffer): MapResult {
  const read = readJson(body);
  if (!read.ok) return read;
  if (!isValidEpuJson(read.value)) {
    return { ok: false, kind: 'invalid', problems: limitProblems(schemaProblems(read.value)) };
  }
  return { ok: true, value: toPrescription(read.value as EpuPayload) };
}

export const mapper: VendorMapper = {
  format: 'epu-json',
  mediaTypes: ['application/json'],
  parse: parseEpuJson,
};
