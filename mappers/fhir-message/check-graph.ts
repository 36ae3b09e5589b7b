/**
 * Checks over every element of every resource (vendors §4.1–4.2, V2, V12): references resolve to
 * an entry of the Bundle, no modifierExtension (we understand none, and a modifier we do not
 * understand changes the meaning: the message must be rejected), no contained resources (they
 * would escape the per-entry checks; send them as entries).
 */
import type { Problem } from '../../domain/problem';
import type { MessageBundle } from './bundle-index';

export function checkGraph(message: MessageBundle): Problem[] {
  const problems: Problem[] = [];
  for (const { resource, at } of message.entries) {
    if (
      Array.isArray((resource as { contained?: unknown[] }).contained) &&
      (resource as { contained: unknown[] }).contained.length > 0
    ) {
      problems.push({
        code: 'structure',
        rule: 'V2',
        message: 'contained resources are not accepted: send them as Bundle entries',
        path: `${at}.contained`,
      });
    }
    walk(resource, at, (node, path) => {
      const modifiers = node.modifierExtension;
      if (Array.isArray(modifiers)) {
        modifiers.forEach((ext: { url?: unknown }, k) => {
          problems.push({
            code: 'structure',
            rule: 'V2',
            message: `unknown modifierExtension '${String(ext?.url)}': the gateway does not understand it, so it cannot accept the message`,
            path: `${path}.modifierExtension[${k}]`,
          });
        });
      }
      if (typeof node.reference === 'string' && !message.byFullUrl.has(node.reference)) {
        problems.push({
          code: 'not-found',
          rule: 'V12',
          message: `reference '${node.reference}' does not resolve to the fullUrl of an entry of the Bundle`,
          path: `${path}.reference`,
        });
      }
    });
  }
  return problems;
}

type JsonObject = Record<string, unknown>;

/** Calls visit on every object inside `value` (depth is bounded by the JSON reader's nesting limit). */
function walk(value: unknown, path: string, visit: (node: JsonObject, path: string) => void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`, visit);
    return;
  }
  const node = value as JsonObject;
  visit(node, path);
  for (const key in node) {
    const child = node[key];
    if (child !== null && typeof child === 'object') walk(child, `${path}.${key}`, visit);
  }
}
