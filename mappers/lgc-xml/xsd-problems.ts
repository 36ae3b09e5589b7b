/**
 * The XSD validator's findings on an lgc-xml document → Problems at the vendor's XPath, in words a vendor
 * developer understands: "<Patient> has no <BirthDate> element, which is required", "attribute 'sex' of
 * <Patient>: the value ' F' is not one of 'M', 'F', 'U'…". The verdict is the validator's; this only
 * says where and what (content-model.ts gives the order and occurrences of children, and the rules).
 */
import type { RuleCode } from '../../domain/rule-codes';
import type { Problem } from '../../domain/problem';
import type { XmlName, XsdFinding } from '../../domain/xml-schema';
import { CONTENT_MODELS, FIELD_RULES, LGC_NAMESPACE, ROOT_NAME, type ChildModel } from './content-model';
import type { LocatedElement } from './located-elements';

const LONGEST_QUOTED_VALUE = 60;
const LONGEST_MESSAGE = 600;

/** The validator's sentence with names of the format's namespace unqualified and long values clipped. */
function cleaned(message: string): string {
  const text = message
    .replaceAll(`{${LGC_NAMESPACE}}`, '')
    .replace(/'([^']{61,})'/g, (_, value: string) => `'${value.slice(0, LONGEST_QUOTED_VALUE - 3)}...'`);
  return text.length > LONGEST_MESSAGE ? `${text.slice(0, LONGEST_MESSAGE - 1)}…` : text;
}

const tag = (name: XmlName | string): string =>
  typeof name === 'string'
    ? `<${name}>`
    : name.namespace === LGC_NAMESPACE || name.namespace === ''
      ? `<${name.name}>`
      : `<{${name.namespace}}${name.name}>`;

const inFormat = (name: XmlName): boolean => name.namespace === LGC_NAMESPACE;

function namespaceMessage(element: LocatedElement): string {
  const found = element.element.namespace === undefined ? 'no namespace' : `namespace '${element.element.namespace}'`;
  return `element <${element.element.name}> must be in namespace '${LGC_NAMESPACE}' (whatever its prefix), found ${found}`;
}

const ruleOf = (modelPath: string): RuleCode => FIELD_RULES[modelPath] ?? 'V2';

/** The format's children of `parent` named `name` (elements in another namespace do not count). */
const childrenNamed = (parent: LocatedElement, name: string) =>
  parent.element.children.filter((c) => c.name === name && c.namespace === LGC_NAMESPACE);

/** The attribute as written in the document ('xsi:nil'), for a finding's attribute name. */
function writtenAttribute(element: LocatedElement, attribute: XmlName): string {
  if (attribute.namespace === '') return attribute.name;
  const prefixed = [...element.element.attributes.keys()].find((key) => key.endsWith(`:${attribute.name}`));
  return prefixed ?? attribute.name;
}

const orList = (names: readonly XmlName[]): string =>
  names.length === 0 ? 'nothing more' : names.map((n) => tag(n)).join(names.length > 2 ? ', ' : ' or ');

function missing(parent: LocatedElement, child: ChildModel, before?: LocatedElement): Problem {
  const index = child.max > 1 ? `[${childrenNamed(parent, child.name).length + 1}]` : '';
  return {
    code: 'required',
    rule: ruleOf(`${parent.modelPath}/${child.name}`),
    path: `${parent.path}/${child.name}${index}`,
    message: `${tag(parent.element.name)} has no ${tag(child.name)} element, which is required${before ? ` (before ${tag(before.element.name)})` : ''}`,
  };
}

/** The first child the schema requires here, among those the validator expected, that the parent lacks. */
function requiredAbsent(parent: LocatedElement, expected: readonly XmlName[]): ChildModel | undefined {
  const model = CONTENT_MODELS[parent.modelPath];
  return expected
    .filter(inFormat)
    .map((name) => model?.children.find((c) => c.name === name.name))
    .find((c): c is ChildModel => c !== undefined && c.min > 0 && childrenNamed(parent, c.name).length < c.min);
}

function missingElement(finding: XsdFinding, parent: LocatedElement): Problem {
  const absent = requiredAbsent(parent, finding.expected ?? []);
  if (absent) return missing(parent, absent);
  return {
    code: 'structure',
    rule: 'V2',
    path: parent.path,
    message: `${tag(parent.element.name)} ends too early: expected ${orList(finding.expected ?? [])}`,
  };
}

function unexpectedElement(finding: XsdFinding, at: LocatedElement): Problem {
  const structure = (message: string, rule: RuleCode = 'V2'): Problem => ({
    code: 'structure',
    rule,
    path: at.path,
    message,
  });
  const parent = at.parent;
  if (at.element.namespace !== LGC_NAMESPACE) return structure(namespaceMessage(at));
  if (!parent) return structure(`the root element must be <${ROOT_NAME}>, found <${at.element.name}>`);
  const model = CONTENT_MODELS[parent.modelPath];
  const declared = model?.children.find((c) => c.name === at.element.name);
  const parentTag = tag(parent.element.name);
  if (!model || !declared) {
    const allowed = model ? `allowed: ${model.children.map((c) => c.name).join(', ')}` : 'it takes no child elements';
    return structure(`unknown element ${tag(at.element.name)} in ${parentTag} (${allowed})`);
  }
  const position = childrenNamed(parent, declared.name).indexOf(at.element) + 1;
  if (position > declared.max) {
    const plural = declared.max > 1 ? 's' : '';
    return structure(
      `${parentTag} may contain at most ${declared.max} ${tag(declared.name)} element${plural}`,
      ruleOf(`${parent.modelPath}/${declared.name}`),
    );
  }
  const absent = requiredAbsent(parent, finding.expected ?? []);
  if (absent) return missing(parent, absent, at);
  const order = model.children.map((c) => c.name).join(', ');
  return structure(
    `${tag(at.element.name)} is out of order in ${parentTag}: expected ${orList(finding.expected ?? [])} here; the order is ${order}`,
  );
}

/**
 * libxml2's value sentences, said the way this gateway says them elsewhere ("must be …, got '…'"); the
 * first group of those marked `quoted` is the value.
 */
const VALUE_SENTENCES: ReadonlyArray<{ pattern: RegExp; quoted: boolean; say(...groups: string[]): string }> = [
  {
    pattern: /^\[facet 'enumeration'\] The value '([\s\S]*)' is not an element of the set \{(.*)\}\.$/,
    quoted: true,
    say: (value, set) => `must be one of ${set}, got '${value}'`,
  },
  {
    pattern: /^\[facet 'pattern'\] The value '([\s\S]*)' is not accepted by the pattern '(.*)'\.$/,
    quoted: true,
    say: (value, pattern) => `must match the XSD pattern ${pattern}, got '${value}'`,
  },
  {
    pattern: /^\[facet 'maxInclusive'\] The value '([\s\S]*)' is greater than the maximum value allowed \('(.*)'\)\.$/,
    quoted: true,
    say: (value, max) => `must be at most ${max}, got '${value}'`,
  },
  {
    pattern: /^'([\s\S]*)' is not a valid value of the (?:local )?atomic type '(.*)'\.$/,
    quoted: true,
    say: (value, type) => `must be a valid ${type}, got '${value}'`,
  },
  {
    pattern:
      /^\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed maximum length of '(\d+)'\.$/,
    quoted: false,
    say: (length, max) => `must be at most ${max} characters long, got ${length}`,
  },
  {
    pattern:
      /^\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed minimum length of '(\d+)'\.$/,
    quoted: false,
    say: (length, min) => `must be at least ${min} character${min === '1' ? '' : 's'} long, got ${length}`,
  },
];

function valueSentence(message: string): { sentence: string; value?: string } {
  for (const { pattern, quoted, say } of VALUE_SENTENCES) {
    const groups = pattern.exec(message)?.slice(1);
    if (groups) return { sentence: cleaned(say(...groups)), ...(quoted ? { value: groups[0] } : {}) };
  }
  return { sentence: `: ${cleaned(message)}` };
}

function valueProblem(finding: XsdFinding, at: LocatedElement): Problem {
  const attribute = finding.attribute ? writtenAttribute(at, finding.attribute) : undefined;
  const subject = attribute ? `attribute '${attribute}' of ${tag(at.element.name)}` : tag(at.element.name);
  const { sentence, value } = valueSentence(finding.message);
  const padded =
    value !== undefined && value !== value.trim() && value.trim() !== ''
      ? ': the spaces or line breaks around the value are part of it, remove them'
      : '';
  return {
    code: 'value',
    rule: ruleOf(attribute ? `${at.modelPath}/@${attribute}` : at.modelPath),
    path: attribute ? `${at.path}/@${attribute}` : at.path,
    message: `${subject} ${sentence}${padded}`,
  };
}

function problemAt(finding: XsdFinding, at: LocatedElement, elements: readonly LocatedElement[]): Problem {
  const element = tag(at.element.name);
  switch (finding.kind) {
    case 'root':
      return {
        code: 'structure',
        rule: 'V2',
        path: at.path,
        message:
          at.element.name === ROOT_NAME
            ? namespaceMessage(at)
            : `the root element must be <${ROOT_NAME}> in namespace '${LGC_NAMESPACE}', found <${at.element.name}>`,
      };
    case 'missing-element':
      return missingElement(finding, at);
    case 'unexpected-element':
      return unexpectedElement(finding, at);
    case 'missing-attribute': {
      const name = finding.attribute?.name ?? '?';
      return {
        code: 'required',
        rule: ruleOf(`${at.modelPath}/@${name}`),
        path: `${at.path}/@${name}`,
        message: `${element} has no '${name}' attribute, which is required`,
      };
    }
    case 'unexpected-attribute': {
      const name = finding.attribute ? writtenAttribute(at, finding.attribute) : '?';
      return {
        code: 'structure',
        rule: 'V2',
        path: `${at.path}/@${name}`,
        message: `unknown attribute '${name}' on ${element}: the XSD does not declare it`,
      };
    }
    case 'value':
      return valueProblem(finding, at);
    case 'content': {
      // An element inside a text-only element is named by its own path.
      const child = /^Element content/.test(finding.message) ? elements.find((e) => e.parent === at) : undefined;
      return {
        code: 'structure',
        rule: 'V2',
        path: (child ?? at).path,
        message: `${element}: ${cleaned(finding.message)}`,
      };
    }
    default: {
      const gaveUp = /^Internal error/.test(finding.message)
        ? ' (libxml2, the XSD validator, gives up on some values, such as a long run of spaces in a text)'
        : '';
      return {
        code: 'structure',
        rule: 'V2',
        path: at.path,
        message: `${element}: ${cleaned(finding.message)}${gaveUp}`,
      };
    }
  }
}

/**
 * The element a finding is about: by the line of its start tag and its name. `undefined` when no element
 * fits; `ambiguous` when several do (two elements named alike on one line).
 */
function locate(finding: XsdFinding, elements: readonly LocatedElement[]): LocatedElement | 'ambiguous' | undefined {
  const named = (e: LocatedElement): boolean =>
    !finding.element ||
    (e.element.name === finding.element.name && (e.element.namespace ?? '') === finding.element.namespace);
  const onLine = elements.filter(
    (e) =>
      named(e) &&
      finding.line !== undefined &&
      e.firstLine !== undefined &&
      e.firstLine <= finding.line &&
      finding.line <= e.lastLine!,
  );
  // Several start tags may span the finding's line: the one that ends on it is the one libxml2 means.
  const endingThere = onLine.filter((e) => e.lastLine === finding.line);
  const candidates = endingThere.length > 0 ? endingThere : onLine;
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) return 'ambiguous';
  const byName = finding.element ? elements.filter(named) : [];
  return byName.length === 1 ? byName[0] : byName.length > 1 ? 'ambiguous' : undefined;
}

/**
 * One problem per finding, at most one per element and attribute (libxml2 may say several things about
 * one value: its length and its pattern). `undefined` when some finding cannot be told from another
 * element's, unless `pickFirst`: then the first candidate is named.
 */
export function xsdProblems(
  findings: readonly XsdFinding[],
  elements: readonly LocatedElement[],
  { pickFirst }: { pickFirst: boolean },
): Problem[] | undefined {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    let at = locate(finding, elements);
    if (at === 'ambiguous') {
      if (!pickFirst) return undefined;
      at = elements.find((e) => !finding.element || e.element.name === finding.element.name);
    }
    if (!at) {
      problems.push({ code: 'structure', rule: 'V2', message: cleaned(finding.message) });
      continue;
    }
    const key = `${at.path} ${finding.attribute?.name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problemAt(finding, at, elements));
  }
  return problems;
}
