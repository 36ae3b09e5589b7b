/**
 * xmllint's report on one document (libxml2 2.13, `xmllint --schema s.xsd --noout <file>`: what it
 * writes to stderr) → an XsdVerdict. Its lines look like
 *   <file>:<line>: Schemas validity error : Element '{ns}Name', attribute 'a': <message>
 *   <file>:<line>: parser error : <message>      (then the source line and a caret)
 *   <file> validates | <file> fails to validate | <file> validation generated an internal error
 * A value holding a line break continues the message on the next lines.
 */
import type { XmlName, XsdFinding, XsdFindingKind, XsdVerdict } from '../../domain/xml-schema';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `{uri}local` or `local` → XmlName. */
export function readQName(qname: string): XmlName {
  const match = /^\{([^}]*)\}(.*)$/.exec(qname);
  return match ? { namespace: match[1]!, name: match[2]! } : { namespace: '', name: qname };
}

const ELEMENT_SUBJECT = /^Element '([^']*)'(?:, attribute '([^']*)')?: ([\s\S]*)$/;
const EXPECTED = / Expected is (?:one of )?\( (.*) \)\.$/;

const KINDS: ReadonlyArray<readonly [RegExp, XsdFindingKind]> = [
  [/^This element is not expected\./, 'unexpected-element'],
  [/^Missing child element\(s\)\./, 'missing-element'],
  [/^The attribute '[^']*' is required but missing\.$/, 'missing-attribute'],
  [/^The attribute '[^']*' is not allowed\.$/, 'unexpected-attribute'],
  [/^\[facet '|^'[\s\S]*' is not a valid value of the (?:local )?(?:atomic|list|union) type /, 'value'],
  [/^(?:Character|Element) content (?:other than whitespace )?is not allowed/, 'content'],
  [/^No matching global declaration available for the validation root\.$/, 'root'],
];

function validityFinding(line: number, text: string): XsdFinding {
  const subject = ELEMENT_SUBJECT.exec(text);
  if (!subject) return { kind: 'other', line, message: text };
  const [, element, attribute, message] = subject as unknown as [string, string, string | undefined, string];
  const kind = KINDS.find(([pattern]) => pattern.test(message))?.[1] ?? 'other';
  const required = kind === 'missing-attribute' ? /^The attribute '([^']*)'/.exec(message)?.[1] : attribute;
  const expected = EXPECTED.exec(message)?.[1];
  return {
    kind,
    line,
    element: readQName(element),
    ...(required !== undefined ? { attribute: readQName(required) } : {}),
    ...(kind === 'unexpected-element' || kind === 'missing-element'
      ? { expected: expected === undefined ? [] : expected.split(', ').map(readQName) }
      : {}),
    message,
  };
}

/**
 * The verdict on `file` from the lines xmllint wrote about it: valid only when it said "validates" and
 * reported nothing else.
 */
export function xmllintVerdict(file: string, lines: readonly string[]): XsdVerdict {
  // "<file>:<line>: error: libxml2: out of memory": the document was not judged, whatever else was said.
  if (lines.some((line) => /out of memory/i.test(line)))
    return { status: 'unjudged', reason: 'xmllint ran out of memory' };
  const located = new RegExp(`^${escape(file)}:(\\d+): (.*?) : `);
  // Reports, each with the lines that continue it: a value holding a line break continues a validity
  // message; a parser error is followed by the source line it quotes and a caret.
  const reports: Array<{ line: number; domain: string; text: string }> = [];
  let validates = false;
  for (const line of lines) {
    const match = located.exec(line);
    if (match) reports.push({ line: Number(match[1]), domain: match[2]!, text: line.slice(match[0].length) });
    else if (line === `${file} validates`) validates = true;
    else if (line.startsWith(`${file} `))
      continue; // "fails to validate", "validation generated an internal error"
    else if (reports.length > 0) reports[reports.length - 1]!.text += `\n${line}`;
  }
  const findings: XsdFinding[] = [];
  for (const { line, domain, text } of reports) {
    if (/validity error$/.test(domain)) findings.push(validityFinding(line, text));
    // parser error, namespace error…: libxml2 could not read the document. Warnings change nothing.
    else if (/error$/.test(domain)) findings.push({ kind: 'not-well-formed', line, message: text.split('\n')[0]! });
  }
  if (validates && findings.length === 0) return { status: 'valid' };
  if (findings.length === 0) {
    findings.push({ kind: 'other', message: lines.join('\n').trim() || 'xmllint reported nothing about the document' });
  }
  return { status: 'invalid', findings };
}
