/**
 * Every element of an lgc-xml document with its vendor XPath (1-based indexes on repeatable elements, and
 * on any element that repeats: /Prescription/Items/Item[3]/Quantity, /Prescription/Header/MessageId[2]) and
 * the lines of its start tag, so that a validator's finding (a line and an element name) names its path.
 */
import type { XmlElement } from '../shared/xml-reader';
import type { StartTag } from '../shared/xml-start-tags';
import { CONTENT_MODELS } from './content-model';

export interface LocatedElement {
  element: XmlElement;
  parent?: LocatedElement;
  /** The vendor XPath. */
  path: string;
  /** Local names from the root, without indexes: the key of CONTENT_MODELS and FIELD_RULES. */
  modelPath: string;
  /** The lines of its start tag; absent when the start tags could not be matched with the tree. */
  firstLine?: number;
  lastLine?: number;
}

/** The elements in document order (the order of their start tags). */
export function locateElements(root: XmlElement, tags: readonly StartTag[]): LocatedElement[] {
  const located: LocatedElement[] = [];
  const visit = (element: XmlElement, path: string, modelPath: string, parent?: LocatedElement): void => {
    const here: LocatedElement = { element, path, modelPath, ...(parent ? { parent } : {}) };
    located.push(here);
    const repeatable = new Set((CONTENT_MODELS[modelPath]?.children ?? []).filter((c) => c.max > 1).map((c) => c.name));
    const total = new Map<string, number>();
    for (const child of element.children) total.set(child.name, (total.get(child.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const child of element.children) {
      const position = (seen.get(child.name) ?? 0) + 1;
      seen.set(child.name, position);
      const indexed = repeatable.has(child.name) || (total.get(child.name) ?? 0) > 1;
      visit(child, `${path}/${child.name}${indexed ? `[${position}]` : ''}`, `${modelPath}/${child.name}`, here);
    }
  };
  visit(root, `/${root.name}`, root.name);
  // One start tag per element, in the same order; anything else would be a reader/scanner mismatch: no lines then.
  if (tags.length === located.length) {
    located.forEach((element, i) => {
      element.firstLine = tags[i]!.firstLine;
      element.lastLine = tags[i]!.lastLine;
    });
  }
  return located;
}
