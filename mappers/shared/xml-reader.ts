/**
 * Bytes → a small namespace-aware element tree, enforcing vendors README §1 / §3 "XML security" / V1:
 *  - encoding from the XML declaration: UTF-8 (default) or ISO-8859-1, anything else refused;
 *  - no DOCTYPE and no entity declaration anywhere (checked on the raw text before any parsing,
 *    so a billion-laughs payload costs one regex scan);
 *  - only the 5 predefined entities and numeric character references, decoded here, never by the
 *    parser (fast-xml-parser runs with processEntities off);
 *  - well-formedness (fast-xml-parser's XMLValidator, which gives line and column), plus what it
 *    lets through: a malformed or misplaced XML declaration (and the reserved PI target `xml`
 *    anywhere else), '<' in an attribute value;
 *  - at most PAYLOAD_LIMITS.maxDepth levels of elements.
 * Every failure is `malformed` (HTTP 400). Comments, processing instructions and the declaration
 * are dropped; CDATA sections are text.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Outcome } from '../../domain/problem';
import { PAYLOAD_LIMITS } from '../../domain/limits';
import { describePosition, positionAt } from './text-position';
import { decodeUtf8 } from './utf8';

export interface XmlElement {
  /** Local name, prefix removed. */
  name: string;
  /** Namespace URI, or undefined when the element is in no namespace. */
  namespace: string | undefined;
  /** Attributes by name (prefixed ones keep their prefix); namespace declarations are left out. */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element (text and CDATA), references decoded, trimmed. */
  text: string;
}

/** Bytes that are not safe, well-formed XML are a malformed request; the value is the root element. */
export type XmlReadResult = Outcome<XmlElement, 'malformed'>;

const malformed = (message: string, path?: string): XmlReadResult => ({
  ok: false,
  kind: 'malformed',
  problems: [{ code: 'structure', rule: 'V1', message, ...(path !== undefined ? { path } : {}) }],
});

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

// ---------------------------------------------------------------- encoding

type Encoding = 'utf-8' | 'iso-8859-1';
const ENCODING_NAMES: Readonly<Record<string, Encoding>> = {
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  'ISO-8859-1': 'iso-8859-1',
  'ISO8859-1': 'iso-8859-1',
  'ISO_8859-1': 'iso-8859-1',
  LATIN1: 'iso-8859-1',
};
const DECLARATION = /^<\?xml\s[^>]*?\?>/;
const DECLARED_ENCODING = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/;

function decodeBody(body: Uint8Array): { ok: true; text: string } | { ok: false; message: string } {
  const utf8Bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  if (
    (body[0] === 0xfe && body[1] === 0xff) ||
    (body[0] === 0xff && body[1] === 0xfe) ||
    body[0] === 0 ||
    body[1] === 0
  ) {
    return { ok: false, message: 'UTF-16/UTF-32 documents are not accepted: use UTF-8 or ISO-8859-1' };
  }
  // The declaration is ASCII in both accepted encodings, so reading the head as Latin-1 is safe.
  const skip = utf8Bom ? 3 : 0;
  const head = Buffer.from(body.buffer, body.byteOffset + skip, Math.min(body.length - skip, 256)).toString('latin1');
  const declared = DECLARATION.exec(head)?.[0];
  const name = declared ? DECLARED_ENCODING.exec(declared)?.[2] : undefined;
  const encoding = name === undefined ? 'utf-8' : ENCODING_NAMES[name.toUpperCase()];
  if (encoding === undefined) {
    return { ok: false, message: `encoding '${name}' is not accepted: declare UTF-8 or ISO-8859-1` };
  }
  if (utf8Bom && encoding !== 'utf-8') {
    return { ok: false, message: `the document starts with a UTF-8 byte order mark but declares encoding '${name}'` };
  }
  if (encoding === 'iso-8859-1') {
    // Buffer's 'latin1' is true ISO-8859-1; TextDecoder('latin1') would be windows-1252.
    return { ok: true, text: Buffer.from(body.buffer, body.byteOffset, body.length).toString('latin1') };
  }
  const decoded = decodeUtf8(body);
  if (!decoded.ok) {
    return {
      ok: false,
      message: `the document is not valid UTF-8 (invalid byte sequence at byte offset ${decoded.byteOffset})`,
    };
  }
  return { ok: true, text: decoded.text };
}

// ---------------------------------------------------------------- raw-text checks

/** Conservative: refused anywhere, even inside a comment, so that no parser can be tricked. */
const DTD_MARKUP = /<!\s*(DOCTYPE|ENTITY)/i;
/** Characters XML 1.0 forbids everywhere (§2.2 Char). */
// eslint-disable-next-line no-control-regex -- matching the control characters is the point
const ILLEGAL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** Sections where '&' is literal text: opening and closing delimiters. */
const LITERAL_SECTIONS: ReadonlyArray<readonly [open: string, close: string]> = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];
const REFERENCE_AT = /&(?:([A-Za-z_:][A-Za-z0-9._:-]*)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const isXmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  (cp >= 0x10000 && cp <= 0x10ffff);

function rawTextProblem(text: string): string | undefined {
  const dtd = DTD_MARKUP.exec(text);
  if (dtd) {
    return `${dtd[1]!.toUpperCase()} declarations are not accepted (found at ${describePosition(positionAt(text, dtd.index))}): DTDs and entity declarations are refused for security`;
  }
  const illegal = ILLEGAL_CHAR.exec(text);
  if (illegal) {
    const code = illegal[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `character U+${code} is not allowed in XML (at ${describePosition(positionAt(text, illegal.index))})`;
  }
  return referenceProblem(text);
}

/**
 * Every '&' outside comments, CDATA sections and processing instructions must start one of the
 * five predefined entity references or a character reference. Linear in the body size whatever
 * its content (a lazy regex over sections, or a position computed per '&', made hostile bodies
 * of many '<!--' or '&' quadratic): each delimiter search resumes where the previous one stopped,
 * and line/column are computed only for the one reference reported.
 */
function referenceProblem(text: string): string | undefined {
  const nextOpen = LITERAL_SECTIONS.map(([open]) => text.indexOf(open));
  let position = 0;
  let amp = text.indexOf('&');
  while (amp !== -1) {
    let section = -1;
    for (let s = 0; s < LITERAL_SECTIONS.length; s++) {
      if (nextOpen[s] !== -1 && nextOpen[s]! < position) nextOpen[s] = text.indexOf(LITERAL_SECTIONS[s]![0], position);
      if (nextOpen[s] !== -1 && nextOpen[s]! < amp && (section === -1 || nextOpen[s]! < nextOpen[section]!))
        section = s;
    }
    if (section !== -1) {
      const [open, close] = LITERAL_SECTIONS[section]!;
      const end = text.indexOf(close, nextOpen[section]! + open.length);
      if (end === -1) return undefined; // unterminated: the well-formedness check reports it
      position = end + close.length;
      if (amp < position) amp = text.indexOf('&', position);
      continue;
    }
    REFERENCE_AT.lastIndex = amp;
    const ref = REFERENCE_AT.exec(text);
    const where = (): string => describePosition(positionAt(text, amp));
    if (!ref)
      return `'&' at ${where()} does not start a character or entity reference (write '&amp;' for a literal '&')`;
    if (ref[1] !== undefined && !Object.hasOwn(PREDEFINED_ENTITIES, ref[1])) {
      return `entity '&${ref[1]};' at ${where()} is not allowed: only &lt; &gt; &amp; &quot; &apos; and numeric character references are`;
    }
    if (ref[1] === undefined && !isXmlChar(parseInt(ref[2] ?? ref[3]!, ref[2] !== undefined ? 10 : 16))) {
      return `character reference '${ref[0]}' at ${where()} does not designate a character allowed in XML`;
    }
    position = amp + ref[0].length;
    amp = text.indexOf('&', position);
  }
  return undefined;
}

const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));/g;
/** Decodes references already checked by referenceProblem. */
const decodeReferences = (raw: string): string =>
  raw.indexOf('&') === -1
    ? raw
    : raw.replace(REFERENCE, (_, name: string | undefined, dec: string | undefined, hex: string | undefined) =>
        name !== undefined
          ? PREDEFINED_ENTITIES[name]!
          : String.fromCodePoint(dec !== undefined ? Number(dec) : parseInt(hex!, 16)),
      );

// ---------------------------------------------------------------- parsing

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false, // prefixes are resolved below against the in-scope xmlns declarations
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: '#cdata',
  // Kept in the tree so that a declaration or a reserved `xml` target out of place can be refused.
  ignoreDeclaration: false,
  ignorePiTags: false,
  maxNestedTags: PAYLOAD_LIMITS.maxDepth,
});

type OrderedNode = Record<string, unknown>;

export function readXml(body: Uint8Array): XmlReadResult {
  const decoded = decodeBody(body);
  if (!decoded.ok) return malformed(decoded.message);
  // XML end-of-line handling (§2.11): CRLF and lone CR become LF before anything else.
  const text = decoded.text.indexOf('\r') === -1 ? decoded.text : decoded.text.replace(/\r\n?/g, '\n');

  const rawProblem = rawTextProblem(text);
  if (rawProblem) return malformed(rawProblem);

  let nodes: OrderedNode[];
  try {
    nodes = PARSER.parse(text) as OrderedNode[];
  } catch (error) {
    const notWellFormed = wellFormednessProblem(text);
    if (notWellFormed) return malformed(notWellFormed);
    const reason = error instanceof Error ? error.message : String(error);
    return malformed(
      /nested/i.test(reason)
        ? `XML nesting is deeper than ${PAYLOAD_LIMITS.maxDepth} levels of elements`
        : `the XML could not be parsed: ${reason}`,
    );
  }
  const notWellFormed = wellFormednessProblem(text) ?? declarationProblem(text, nodes);
  if (notWellFormed) return malformed(notWellFormed);

  const roots = nodes.filter((node) => elementName(node) !== undefined);
  if (roots.length !== 1) {
    return malformed(
      roots.length === 0 ? 'the document has no root element' : 'the document has more than one root element',
    );
  }
  try {
    return { ok: true, value: toElement(roots[0]!, ROOT_SCOPE, 1, '') };
  } catch (error) {
    if (error instanceof XmlTreeError) return malformed(error.message, error.path);
    throw error;
  }
}

function wellFormednessProblem(text: string): string | undefined {
  const result = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (result === true) return undefined;
  const { msg, line, col } = result.err;
  const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
  // The validator's message may list every unclosed tag: keep a diagnostic a person can read.
  return `malformed XML at ${where}: ${msg.length > MAX_MESSAGE_DETAIL ? `${msg.slice(0, MAX_MESSAGE_DETAIL)}…` : msg}`;
}

const MAX_MESSAGE_DETAIL = 200;

/** XML 1.0 §2.8 XMLDecl: version, then optional encoding and standalone, in this order. */
const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
const STARTS_WITH_DECLARATION = /^<\?xml[\s?]/;

/**
 * The declaration, when there is one, must be well-formed and come first; any other processing
 * instruction named `xml` (in any case) is not well-formed (§2.6: the target is reserved).
 */
function declarationProblem(text: string, nodes: OrderedNode[]): string | undefined {
  const declared = STARTS_WITH_DECLARATION.test(text);
  if (declared && !XML_DECLARATION.test(text)) {
    return 'malformed XML declaration: write <?xml version="1.0" encoding="UTF-8"?> (version first, then the optional encoding and standalone="yes|no")';
  }
  const misplaced = nodes.findIndex((node, i) => isReservedInstruction(node) && !(declared && i === 0));
  return misplaced === -1 ? undefined : RESERVED_TARGET_PROBLEM;
}

const RESERVED_TARGET_PROBLEM =
  "the XML declaration '<?xml …?>' is allowed only at the very start of the document, and no other processing instruction may be named 'xml'";

/** A processing instruction `<?target …?>`: the parser keys it `?target`. */
const instructionTarget = (node: OrderedNode): string | undefined => {
  for (const key in node) if (key.startsWith('?')) return key.slice(1);
  return undefined;
};
const isReservedInstruction = (node: OrderedNode): boolean => instructionTarget(node)?.toLowerCase() === 'xml';

// ---------------------------------------------------------------- tree building

class XmlTreeError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * In-scope namespace bindings, innermost first: prefix ('' = default namespace) → URI ('' = no
 * namespace). An element that declares namespaces adds one link; nothing is copied, so a body
 * declaring thousands of prefixes costs no more than it weighs, and a lookup walks at most
 * PAYLOAD_LIMITS.maxDepth links.
 */
interface Scope {
  bindings: ReadonlyMap<string, string>;
  parent?: Scope;
}
const ROOT_SCOPE: Scope = {
  bindings: new Map([
    ['', ''],
    ['xml', XML_NAMESPACE],
  ]),
};

function namespaceOf(scope: Scope, prefix: string): string | undefined {
  for (let link: Scope | undefined = scope; link; link = link.parent) {
    const uri = link.bindings.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

function elementName(node: OrderedNode): string | undefined {
  for (const key in node) if (key !== ':@' && key !== '#text' && key !== '#cdata' && !key.startsWith('?')) return key;
  return undefined;
}

function toElement(node: OrderedNode, parentScope: Scope, depth: number, parentPath: string): XmlElement {
  const qname = elementName(node)!;
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const name = colon === -1 ? qname : qname.slice(colon + 1);
  const path = `${parentPath}/${qname}`;
  if (depth > PAYLOAD_LIMITS.maxDepth) {
    throw new XmlTreeError(`XML nesting is deeper than ${PAYLOAD_LIMITS.maxDepth} levels of elements`, path);
  }

  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  let declared: Map<string, string> | undefined;
  for (const attr in rawAttributes) {
    // XML 1.0 §3.1 AttValue: a literal '<' is never allowed (the validator does not check it).
    if (rawAttributes[attr]!.includes('<')) {
      throw new XmlTreeError(`attribute '${attr}' holds a '<': write &lt; in an attribute value`, path);
    }
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
      declared ??= new Map();
      declared.set(attr === 'xmlns' ? '' : attr.slice(6), normalizeAttribute(rawAttributes[attr]!));
    }
  }
  const scope: Scope = declared ? { bindings: declared, parent: parentScope } : parentScope;
  const attributes = new Map<string, string>();
  for (const attr in rawAttributes) {
    if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
    const attrColon = attr.indexOf(':');
    if (attrColon !== -1 && namespaceOf(scope, attr.slice(0, attrColon)) === undefined) {
      throw new XmlTreeError(
        `namespace prefix '${attr.slice(0, attrColon)}' of attribute '${attr}' is not declared`,
        path,
      );
    }
    attributes.set(attr, normalizeAttribute(rawAttributes[attr]!));
  }
  const namespace = namespaceOf(scope, prefix);
  if (namespace === undefined)
    throw new XmlTreeError(`namespace prefix '${prefix}' of element <${qname}> is not declared`, path);

  const children: XmlElement[] = [];
  let text = '';
  for (const child of node[qname] as OrderedNode[]) {
    if ('#text' in child) text += decodeReferences(String(child['#text']));
    else if ('#cdata' in child) text += cdataText(child['#cdata']);
    else if (isReservedInstruction(child)) throw new XmlTreeError(RESERVED_TARGET_PROBLEM, path);
    else if (instructionTarget(child) === undefined) children.push(toElement(child, scope, depth + 1, path));
  }
  return { name, namespace: namespace === '' ? undefined : namespace, attributes, children, text: text.trim() };
}

function cdataText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((piece) => String((piece as OrderedNode)['#text'] ?? '')).join('');
}

/** Attribute-value normalisation (§3.3.3): literal tabs and line feeds become spaces, then references are decoded. */
const normalizeAttribute = (raw: string): string => decodeReferences(raw.replace(/[\t\n]/g, ' ')).trim();
