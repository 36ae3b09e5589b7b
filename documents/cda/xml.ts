/**
 * A tiny XML element tree and its serializer: the CDA builders describe the document as nested
 * `el()` calls and get a string back. Conditional parts are written inline — `undefined`, `null`
 * and `false` children are dropped, as are `undefined` attributes — so each builder reads like the
 * XML it produces.
 */

export type XmlAttributeValue = string | number | boolean | undefined;
export type XmlChild = XmlElement | string | undefined | null | false | readonly XmlChild[];

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, XmlAttributeValue>>;
  readonly children: readonly (XmlElement | string)[];
}

export function el(
  name: string,
  attributes: Record<string, XmlAttributeValue> = {},
  ...children: XmlChild[]
): XmlElement {
  return { name, attributes, children: flatten(children) };
}

function flatten(children: readonly XmlChild[]): (XmlElement | string)[] {
  const out: (XmlElement | string)[] = [];
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) out.push(...flatten(child));
    else out.push(child as XmlElement | string);
  }
  return out;
}

// Characters XML 1.0 cannot carry at all (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/F):
// vendor text is copied as received, so drop them rather than produce a document no parser reads.
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const escapeText = (text: string): string =>
  text.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeAttribute = (value: string): string =>
  escapeText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

/**
 * With `indent` (the default), elements whose children are all elements are indented two spaces
 * a level; an element holding any text is written on one line, so no whitespace is added to mixed
 * (narrative) content. Without it, no whitespace at all is added.
 */
export function serializeXml(root: XmlElement, { declaration = true, indent = true } = {}): string {
  const out: string[] = declaration ? ['<?xml version="1.0" encoding="UTF-8"?>\n'] : [];
  if (indent) write(root, 0, out);
  else writeInline(root, out);
  out.push('\n');
  return out.join('');
}

function write(node: XmlElement, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  out.push(indent);
  if (!writeStartTag(node, out)) return;
  if (node.children.some((child) => typeof child === 'string')) {
    for (const child of node.children) writeInline(child, out);
  } else {
    for (const child of node.children) {
      out.push('\n');
      write(child as XmlElement, depth + 1, out);
    }
    out.push('\n', indent);
  }
  out.push('</', node.name, '>');
}

function writeInline(node: XmlElement | string, out: string[]): void {
  if (typeof node === 'string') {
    out.push(escapeText(node));
    return;
  }
  if (!writeStartTag(node, out)) return;
  for (const child of node.children) writeInline(child, out);
  out.push('</', node.name, '>');
}

/** Writes `<name attrs>` (or `<name attrs/>` for an empty element); false when the element is complete. */
function writeStartTag(node: XmlElement, out: string[]): boolean {
  out.push('<', node.name);
  for (const [name, value] of Object.entries(node.attributes)) {
    if (value === undefined) continue;
    out.push(' ', name, '="', escapeAttribute(String(value)), '"');
  }
  const hasContent = node.children.length > 0;
  out.push(hasContent ? '>' : '/>');
  return hasContent;
}
