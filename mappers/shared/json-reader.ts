/**
 * Bytes → JSON value for the JSON vendor formats, enforcing vendors README §1 / V1:
 * strict UTF-8, well-formed JSON, nesting at most PAYLOAD_LIMITS.maxDepth. Every failure is
 * `malformed` (HTTP 400) with a message that says where the problem is.
 */
import type { Outcome } from '../../domain/problem';
import { PAYLOAD_LIMITS } from '../../domain/limits';
import { findJsonSyntaxError } from './json-syntax';
import { describePosition, positionAt } from './text-position';
import { decodeUtf8 } from './utf8';

/** Bytes that are not JSON (or too deep) are a malformed request. */
export type JsonReadResult = Outcome<unknown, 'malformed'>;

const malformed = (message: string, path?: string): JsonReadResult => ({
  ok: false,
  kind: 'malformed',
  problems: [{ code: 'structure', rule: 'V1', message, ...(path !== undefined ? { path } : {}) }],
});

export function readJson(body: Uint8Array): JsonReadResult {
  const decoded = decodeUtf8(body);
  if (!decoded.ok)
    return malformed(`the body is not valid UTF-8 (invalid byte sequence at byte offset ${decoded.byteOffset})`);
  const text = decoded.text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return malformed(syntaxErrorMessage(text, error));
  }
  if (nestedDeeperThan(value, PAYLOAD_LIMITS.maxDepth)) {
    return malformed(
      `JSON nesting is deeper than ${PAYLOAD_LIMITS.maxDepth} levels of objects and arrays`,
      pathDeeperThan(value, PAYLOAD_LIMITS.maxDepth),
    );
  }
  return { ok: true, value };
}

function syntaxErrorMessage(text: string, error: unknown): string {
  const found = findJsonSyntaxError(text);
  if (found) return `malformed JSON at ${describePosition(positionAt(text, found.offset))}: ${found.message}`;
  // Our scanner and V8 disagree (should not happen): fall back on V8's own words.
  return `malformed JSON: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * True when an object/array sits deeper than `maxDepth` (the top-level value is level 1).
 * Allocation-free because it runs on every payload; recursion stops at maxDepth + 1.
 */
function nestedDeeperThan(node: unknown, maxDepth: number, depth = 1): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (depth > maxDepth) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (nestedDeeperThan(node[i], maxDepth, depth + 1)) return true;
    return false;
  }
  for (const key in node) {
    if (nestedDeeperThan((node as Record<string, unknown>)[key], maxDepth, depth + 1)) return true;
  }
  return false;
}

/**
 * JSON pointer of the first object/array nested deeper than `maxDepth` (the top-level value is
 * level 1), or undefined. Recursion stops at maxDepth + 1, so it cannot overflow the stack.
 */
function pathDeeperThan(value: unknown, maxDepth: number): string | undefined {
  const visit = (node: unknown, depth: number, pointer: string): string | undefined => {
    if (node === null || typeof node !== 'object') return undefined;
    if (depth > maxDepth) return pointer;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = visit(node[i], depth + 1, `${pointer}/${i}`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key in node) {
      const found = visit((node as Record<string, unknown>)[key], depth + 1, `${pointer}/${escapePointerToken(key)}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(value, 1, '');
}

export const escapePointerToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');
