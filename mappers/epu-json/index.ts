/**
 * The epu-json vendor format (vendors README §2): UTF-8 JSON, checked against the copied JSON
 * Schema, mapped to the canonical Prescription. Business rules (check digits, dates…) are not
 * checked here: see profiles/rules.
 */
import { isValidEpuJson, validateEpuJson } from '../../profiles/epu-json-schema';
import { readJson } from '../shared/json-reader';
import type { MapResult, VendorMapper } from '../types';
import type { EpuPayload } from './payload';
import { schemaProblems } from './schema-problems';
import { toPrescription } from './to-prescription';

export function parseEpuJson(body: Buffer): MapResult {
  const read = readJson(body);
  if (!read.ok) return { ok: false, reason: 'malformed', problems: read.problems };
  if (!isValidEpuJson(read.value)) {
    validateEpuJson(read.value);
    return { ok: false, reason: 'invalid', problems: schemaProblems(read.value, validateEpuJson.errors ?? []) };
  }
  return { ok: true, value: toPrescription(read.value as EpuPayload) };
}

export const mapper: VendorMapper = {
  format: 'epu-json',
  mediaTypes: ['application/json'],
  parse: parseEpuJson,
};
