/**
 * JSON body → value, for any JSON vendor format, as a MapResult-compatible failure: strict UTF-8,
 * well-formed JSON with the syntax error located, nesting ≤ PAYLOAD_LIMITS.maxDepth (see
 * json-reader). Every failure is `malformed` (HTTP 400).
 */
import type { MapFailure } from '../mapper';
import { readJson } from './json-reader';

export function parseJsonSafely(body: Buffer): { ok: true; value: unknown } | MapFailure {
  const read = readJson(body);
  return read.ok ? read : { ok: false, reason: 'malformed', problems: read.problems };
}
