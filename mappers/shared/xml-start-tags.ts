/**
 * Where the elements of a document are, by line, as an XML validator reports them (libxml2 gives the
 * line where an element's start tag ends): the start tags of a document already read safely by
 * ./xml-reader.ts, in document order — the order of its elements — with the lines each spans.
 *
 * Works on the bytes: the encodings xml-reader accepts (UTF-8, ISO-8859-1) write every markup
 * character as the same single ASCII byte, and no byte of a multi-byte UTF-8 character is ASCII.
 * Lines are counted as XML does (§2.11): CRLF, CR and LF each end one.
 */

export interface StartTag {
  /** Byte offset of its '<'. */
  offset: number;
  /** Line of its '<' and of its '>' (1-based). */
  firstLine: number;
  lastLine: number;
}

const LT = 0x3c;
const GT = 0x3e;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
/** Markup where '<' is literal text, by its opening (after '<') and closing delimiters. */
const SKIPPED: ReadonlyArray<readonly [open: number[], close: number[]]> = [
  [ascii('!--'), ascii('-->')],
  [ascii('![CDATA['), ascii(']]>')],
  [ascii('?'), ascii('?>')],
  [ascii('!'), ascii('>')], // a declaration (xml-reader refuses DOCTYPE before this runs)
  [ascii('/'), ascii('>')], // an end tag
];

const startsWith = (bytes: Uint8Array, at: number, expected: readonly number[]): boolean =>
  expected.every((byte, i) => bytes[at + i] === byte);

function indexOf(bytes: Uint8Array, expected: readonly number[], from: number): number {
  for (let i = from; i + expected.length <= bytes.length; i++) if (startsWith(bytes, i, expected)) return i;
  return bytes.length;
}

export function startTags(bytes: Uint8Array): StartTag[] {
  const tags: StartTag[] = [];
  let line = 1;
  /** Counts the line ends in [from, to). */
  const advance = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      if (bytes[i] === LF) line++;
      else if (bytes[i] === CR && bytes[i + 1] !== LF) line++;
    }
  };
  let position = 0;
  while (position < bytes.length) {
    const lt = bytes.indexOf(LT, position);
    if (lt === -1) break;
    advance(position, lt);
    const skipped = SKIPPED.find(([open]) => startsWith(bytes, lt + 1, open));
    if (skipped) {
      const end = indexOf(bytes, skipped[1], lt + 1 + skipped[0].length) + skipped[1].length;
      advance(lt, Math.min(end, bytes.length));
      position = end;
      continue;
    }
    const firstLine = line;
    // The tag ends at the first '>' outside a quoted attribute value ('>' may appear inside one).
    let i = lt + 1;
    let quote = 0;
    for (; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (quote !== 0) {
        if (byte === quote) quote = 0;
      } else if (byte === QUOTE || byte === APOSTROPHE) quote = byte;
      else if (byte === GT) break;
    }
    advance(lt, i);
    tags.push({ offset: lt, firstLine, lastLine: line });
    position = i + 1;
  }
  return tags;
}

/**
 * The same document with a line feed before every start tag but the root's, so that no two elements
 * share a line. For a schema without mixed content, whitespace before a child element changes no verdict:
 * where an element may have children its content is element-only (whitespace is ignored), elsewhere the
 * child is an error already.
 */
export function oneStartTagPerLine(bytes: Uint8Array, tags: readonly StartTag[]): Uint8Array {
  const out = new Uint8Array(bytes.length + Math.max(0, tags.length - 1));
  let from = 0;
  let to = 0;
  for (const tag of tags.slice(1)) {
    out.set(bytes.subarray(from, tag.offset), to);
    to += tag.offset - from;
    out[to++] = LF;
    from = tag.offset;
  }
  out.set(bytes.subarray(from), to);
  return out;
}
