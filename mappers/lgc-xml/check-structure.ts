/**
 * Checks an lgc-xml element tree against the data in structure-spec.ts, the way an XSD validator
 * would: namespace, required/optional/repeated children, order inside sequences, unknown elements
 * and attributes, simple-type values. Reports every violation with an XPath (1-based indexes on
 * repeatable elements: /Prescription/Items/Item[3]/Quantity, /Prescription/Patient/@sex).
 */
import type { Problem } from '../../domain/problem';
import type { RuleCode } from '../../domain/rule-codes';
import type { XmlElement } from '../shared/xml-reader';
import { LGC_NAMESPACE, PRESCRIPTION, ROOT_NAME, type ChildSpec, type ElementSpec } from './structure-spec';

type Report = (problem: Problem) => void;

export function checkStructure(root: XmlElement): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (p) => problems.push(p);
  const path = `/${root.name}`;
  if (root.name !== ROOT_NAME) {
    report({
      code: 'structure',
      rule: 'V2',
      path,
      message: `the root element must be <${ROOT_NAME}>, found <${root.name}>`,
    });
  } else if (root.namespace !== LGC_NAMESPACE) {
    report({ code: 'structure', rule: 'V2', path, message: namespaceMessage(root) });
  } else {
    checkElement(root, PRESCRIPTION, path, report);
  }
  return problems;
}

function namespaceMessage(element: XmlElement): string {
  const found = element.namespace === undefined ? 'no namespace' : `namespace '${element.namespace}'`;
  return `element <${element.name}> must be in namespace '${LGC_NAMESPACE}' (whatever its prefix), found ${found}`;
}

/** `rule`: the README rule the element's own value breaks when wrong (from its ChildSpec). */
function checkElement(
  element: XmlElement,
  spec: ElementSpec,
  path: string,
  report: Report,
  rule: RuleCode = 'V2',
): void {
  checkAttributes(element, spec, path, report);
  if (spec.text) {
    const child = element.children[0];
    if (child) {
      report({
        code: 'structure',
        rule: 'V2',
        path: `${path}/${child.name}`,
        message: `<${element.name}> must contain text only, found element <${child.name}>`,
      });
    } else if (!spec.text.test(element.text)) {
      report({
        code: 'value',
        rule,
        path,
        message: `<${element.name}> must be ${spec.text.expected}, got '${clip(element.text)}'`,
      });
    }
    return;
  }
  if (element.text !== '') {
    report({
      code: 'structure',
      rule: 'V2',
      path,
      message: `<${element.name}> may not contain text, found '${clip(element.text)}'`,
    });
  }
  const children = childPaths(element, spec, path, report);
  // Any child with the right local name counts as present: a misplaced or wrongly namespaced
  // element is reported as such, not also as missing.
  const present = new Set(element.children.map((child) => child.name));
  if (spec.sequence) checkSequence(element, spec.sequence, children, present, path, report);
  else if (spec.all) checkAll(element, spec.all, children, present, path, report);
  else for (const { child, childPath } of children) report(unknownElement(element, child, childPath, []));
}

function checkAttributes(element: XmlElement, spec: ElementSpec, path: string, report: Report): void {
  const declared = spec.attributes ?? {};
  for (const [name, value] of element.attributes) {
    const attribute = Object.prototype.hasOwnProperty.call(declared, name) ? declared[name] : undefined;
    const attrPath = `${path}/@${name}`;
    if (!attribute) {
      const allowed = Object.keys(declared);
      report({
        code: 'structure',
        rule: 'V2',
        path: attrPath,
        message: `unknown attribute '${name}' on <${element.name}> (${allowed.length ? `allowed: ${allowed.join(', ')}` : 'it takes no attributes'})`,
      });
    } else if (!attribute.type.test(value)) {
      report({
        code: 'value',
        rule: attribute.rule ?? 'V2',
        path: attrPath,
        message: `attribute '${name}' of <${element.name}> must be ${attribute.type.expected}, got '${clip(value)}'`,
      });
    }
  }
  for (const [name, attribute] of Object.entries(declared)) {
    if (attribute.required && !element.attributes.has(name)) {
      report({
        code: 'required',
        rule: attribute.rule ?? 'V2',
        path: `${path}/@${name}`,
        message: `<${element.name}> has no '${name}' attribute, which is required`,
      });
    }
  }
}

interface PlacedChild {
  child: XmlElement;
  childPath: string;
}

/** Children in the format's namespace with their XPath; children in another namespace are reported. */
function childPaths(element: XmlElement, spec: ElementSpec, path: string, report: Report): PlacedChild[] {
  const repeatable = new Set(
    [...(spec.sequence ?? []), ...(spec.all ?? [])].filter((c) => c.max > 1).map((c) => c.name),
  );
  const total = new Map<string, number>();
  for (const child of element.children) total.set(child.name, (total.get(child.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  const placed: PlacedChild[] = [];
  for (const child of element.children) {
    const position = (seen.get(child.name) ?? 0) + 1;
    seen.set(child.name, position);
    const indexed = repeatable.has(child.name) || (total.get(child.name) ?? 0) > 1;
    const childPath = `${path}/${child.name}${indexed ? `[${position}]` : ''}`;
    if (child.namespace !== LGC_NAMESPACE)
      report({ code: 'structure', rule: 'V2', path: childPath, message: namespaceMessage(child) });
    else placed.push({ child, childPath });
  }
  return placed;
}

function unknownElement(
  parent: XmlElement,
  child: XmlElement,
  childPath: string,
  allowed: readonly ChildSpec[],
): Problem {
  const names = allowed.map((c) => c.name);
  return {
    code: 'structure',
    rule: 'V2',
    path: childPath,
    message: `unknown element <${child.name}> in <${parent.name}> (${names.length ? `allowed: ${names.join(', ')}` : 'it takes no child elements'})`,
  };
}

const missing = (parent: XmlElement, spec: ChildSpec, path: string, before?: string): Problem => ({
  code: 'required',
  rule: spec.rule ?? 'V2',
  path: `${path}/${spec.name}${spec.max > 1 ? '[1]' : ''}`,
  message: `<${parent.name}> has no <${spec.name}> element, which is required${before ? ` (before <${before}>)` : ''}`,
});

const tooMany = (parent: XmlElement, spec: ChildSpec, childPath: string): Problem => ({
  code: 'structure',
  rule: spec.rule ?? 'V2',
  path: childPath,
  message: `<${parent.name}> may contain at most ${spec.max} <${spec.name}> element${spec.max > 1 ? 's' : ''}`,
});

function checkSequence(
  parent: XmlElement,
  sequence: readonly ChildSpec[],
  children: PlacedChild[],
  present: ReadonlySet<string>,
  path: string,
  report: Report,
): void {
  const counts = sequence.map(() => 0);
  let current = 0;
  for (const { child, childPath } of children) {
    let index = current;
    while (index < sequence.length && sequence[index]!.name !== child.name) index++;
    if (index === sequence.length) {
      const earlier = sequence.findIndex((c) => c.name === child.name);
      if (earlier === -1) {
        report(unknownElement(parent, child, childPath, sequence));
      } else {
        report({
          code: 'structure',
          rule: 'V2',
          path: childPath,
          message: `<${child.name}> is out of order in <${parent.name}>: the order is ${sequence.map((c) => c.name).join(', ')}`,
        });
      }
      continue;
    }
    for (let skipped = current; skipped < index; skipped++) {
      const spec = sequence[skipped]!;
      if (counts[skipped]! < spec.min && !present.has(spec.name)) report(missing(parent, spec, path, child.name));
    }
    current = index;
    const spec = sequence[index]!;
    counts[index]!++;
    if (counts[index]! === spec.max + 1) report(tooMany(parent, spec, childPath));
    if (counts[index]! <= spec.max) checkElement(child, spec.element, childPath, report, spec.rule);
  }
  for (let rest = current; rest < sequence.length; rest++) {
    const spec = sequence[rest]!;
    if (counts[rest]! < spec.min && !present.has(spec.name)) report(missing(parent, spec, path));
  }
}

function checkAll(
  parent: XmlElement,
  group: readonly ChildSpec[],
  children: PlacedChild[],
  present: ReadonlySet<string>,
  path: string,
  report: Report,
): void {
  const counts = new Map<string, number>();
  for (const { child, childPath } of children) {
    const spec = group.find((c) => c.name === child.name);
    if (!spec) {
      report(unknownElement(parent, child, childPath, group));
      continue;
    }
    const count = (counts.get(spec.name) ?? 0) + 1;
    counts.set(spec.name, count);
    if (count === spec.max + 1) report(tooMany(parent, spec, childPath));
    if (count <= spec.max) checkElement(child, spec.element, childPath, report, spec.rule);
  }
  for (const spec of group)
    if ((counts.get(spec.name) ?? 0) < spec.min && !present.has(spec.name)) report(missing(parent, spec, path));
}

const clip = (value: string): string => (value.length > 60 ? `${value.slice(0, 57)}...` : value);
