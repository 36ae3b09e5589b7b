/**
 * Finds the first JSON syntax error (RFC 8259) and says what was expected there.
 * V8's JSON.parse messages do not always carry a position ("Unexpected token '}', ... is not valid
 * JSON"), and vendor developers need one. Only called after JSON.parse has failed, so speed does
 * not matter; it is iterative so deep nesting cannot overflow the stack.
 */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const LITERALS = ['true', 'false', 'null'] as const;

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'end of input';
  if (ch.charCodeAt(0) < 0x20)
    return `control character U+${ch.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
  return `'${ch}'`;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const stack: Array<'{' | '['> = [];
  const skipWhitespace = (): void => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  const fail = (expected: string): JsonSyntaxError => ({
    offset: i,
    message: `found ${describeChar(text[i])}, expected ${expected}`,
  });

  const readString = (): JsonSyntaxError | undefined => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) return fail("the closing '\"' of the string");
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return undefined;
      }
      if (ch.charCodeAt(0) < 0x20) return fail('an escaped character (control characters must be escaped in strings)');
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) return fail('4 hexadecimal digits after \\u');
          i += 5;
          continue;
        }
        if (esc === undefined || !SIMPLE_ESCAPES.has(esc))
          return fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      i++;
    }
  };

  const readNumber = (): JsonSyntaxError | undefined => {
    const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!match) return fail('a number');
    i += match[0].length;
    return undefined;
  };

  const readMemberName = (): JsonSyntaxError | undefined => {
    skipWhitespace();
    if (text[i] !== '"') return fail('a member name in double quotes');
    const error = readString();
    if (error) return error;
    skipWhitespace();
    if (text[i] !== ':') return fail("':' after the member name");
    i++;
    return undefined;
  };

  let expectValue = true;
  for (;;) {
    skipWhitespace();
    if (expectValue) {
      const ch = text[i];
      if (ch === '{' || ch === '[') {
        i++;
        skipWhitespace();
        if (text[i] === (ch === '{' ? '}' : ']')) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(ch);
        if (ch === '{') {
          const error = readMemberName();
          if (error) return error;
        }
        continue;
      }
      let error: JsonSyntaxError | undefined;
      if (ch === '"') error = readString();
      else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) error = readNumber();
      else {
        const literal = LITERALS.find((l) => text.startsWith(l, i));
        if (!literal) return fail('a value (object, array, string, number, true, false or null)');
        i += literal.length;
      }
      if (error) return error;
      expectValue = false;
      continue;
    }
    const open = stack[stack.length - 1];
    if (open === undefined) return i < text.length ? fail('nothing after the end of the JSON value') : undefined;
    const close = open === '{' ? '}' : ']';
    if (text[i] === ',') {
      i++;
      if (open === '{') {
        const error = readMemberName();
        if (error) return error;
      }
      expectValue = true;
    } else if (text[i] === close) {
      i++;
      stack.pop();
    } else {
      return fail(`',' or '${close}'`);
    }
  }
}
