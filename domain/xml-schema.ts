/**
 * What an XML Schema validator says of a document, in terms a mapper can phrase for the sender:
 * the validator (an edge: platform/xsd) finds, the format's mapper (mappers/lgc-xml) names the
 * vendor path. Validator-neutral: nothing here depends on how the validator words its output.
 */

/** An element or attribute name: namespace URI ('' when in no namespace) and local name. */
export interface XmlName {
  namespace: string;
  name: string;
}

export type XsdFindingKind =
  /** The element's content ended before a required child; `expected` lists what could come. */
  | 'missing-element'
  /** The element may not come here; `expected` lists what could come instead (empty: nothing more may). */
  | 'unexpected-element'
  /** A required attribute is absent. */
  | 'missing-attribute'
  /** An attribute the element's type does not declare. */
  | 'unexpected-attribute'
  /** A text or attribute value breaks its simple type (pattern, enumeration, length, range, type). */
  | 'value'
  /** Text or child elements where the content model allows none. */
  | 'content'
  /** The root element is not one the schema declares. */
  | 'root'
  /** The validator's parser refused the document: not well-formed XML for it. */
  | 'not-well-formed'
  /** Anything else, the validator's own internal errors included. */
  | 'other';

export interface XsdFinding {
  kind: XsdFindingKind;
  /** The line the validator gives: where the element's start tag ends (1-based; CRLF, CR and LF each end a line). */
  line?: number;
  /** The element the finding is about. */
  element?: XmlName;
  /** The attribute, for attribute findings (and values of attributes). */
  attribute?: XmlName;
  /** For element findings: the elements that could have come. */
  expected?: XmlName[];
  /** The validator's own sentence, without its location prefix. */
  message: string;
}

/**
 * `valid`: the document conforms. `invalid`: it does not, and why. `unjudged`: the validator gave no
 * verdict (it ran past its deadline or out of memory, and was stopped), `reason` says which.
 */
export type XsdVerdict =
  { status: 'valid' } | { status: 'invalid'; findings: XsdFinding[] } | { status: 'unjudged'; reason: string };
