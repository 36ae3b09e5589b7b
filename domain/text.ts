/**
 * What a text may hold wherever the gateway stores it. FHIR R4 strings are not to hold characters
 * below U+0020 but tab, CR and LF (Datatypes, "string"), and a text must be Unicode: a lone UTF-16
 * surrogate (which JSON's \uD800 escapes can carry) is not a character, and no UTF-8 store can keep
 * it. Vendor texts are checked before mapping, so that such a value is refused at the vendor's path
 * (422) instead of reaching the FHIR store, which refuses it with a 409 or a 500.
 */

/* eslint-disable no-control-regex -- matching the control characters is the point */
/** Cheap first look, run on every vendor string: a control character or any surrogate (astral characters too). */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF]/;
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/* eslint-enable no-control-regex */

const hex = (code: number): string => code.toString(16).toUpperCase().padStart(4, '0');

/**
 * Why `text` may not be stored (its first forbidden character, by position), or undefined when it may.
 * The text itself is not quoted: it may be patient data.
 */
export function forbiddenCharacterIn(text: string): string | undefined {
  const found = SUSPECT.test(text) ? FORBIDDEN.exec(text) : null;
  if (!found) return undefined;
  const code = found[0].charCodeAt(0);
  const at = `at character ${found.index + 1}`;
  return code < 0x20
    ? `control character U+${hex(code)} ${at}: texts allow no control character but tab, carriage return and line feed`
    : `lone UTF-16 surrogate \\u${hex(code)} ${at}: it is not a Unicode character`;
}

/** A string of a JSON value that holds a forbidden character: where it is (keys and indexes) and why. */
export interface TextFault {
  path: ReadonlyArray<string | number>;
  reason: string;
}

/**
 * The strings of a parsed JSON value (object members and array items, at any depth) that hold a
 * forbidden character, at most `limit` of them. Depth is bounded by the JSON reader's nesting limit.
 */
export function forbiddenTextsIn(value: unknown, limit: number): TextFault[] {
  const faults: TextFault[] = [];
  const path: Array<string | number> = [];
  const visit = (node: unknown): void => {
    if (faults.length >= limit) return;
    if (typeof node === 'string') {
      const reason = forbiddenCharacterIn(node);
      if (reason !== undefined) faults.push({ path: [...path], reason });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        visit(node[i]);
        path.pop();
      }
      return;
    }
    for (const key in node) {
      path.push(key);
      visit((node as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  visit(value);
  return faults;
}
