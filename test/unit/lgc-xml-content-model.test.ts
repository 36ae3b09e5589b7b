/**
 * mappers/lgc-xml/content-model.ts is what the lgc-xml XSD says about where elements go, written as data
 * to phrase the XSD's findings: here it is held against profiles/vendor-schemas/lgc-xml.xsd itself, so
 * that the two cannot drift apart (issue 12).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONTENT_MODELS, FIELD_RULES, ROOT_NAME, type ElementModel } from '../../mappers/lgc-xml/content-model';
import { readXml, type XmlElement } from '../../mappers/shared/xml-reader';
import { LGC_XML_XSD } from '../support/xmllint-cli';

const XS = 'http://www.w3.org/2001/XMLSchema';

function readSchema(): XmlElement {
  const read = readXml(readFileSync(LGC_XML_XSD));
  assert.ok(read.ok);
  return read.value;
}

/** Every element path of the XSD with its content model (when it has child elements) and its attributes. */
function schemaPaths(schema: XmlElement): Map<string, { model?: ElementModel; attributes: string[] }> {
  const complexTypes = new Map(
    schema.children.filter((c) => c.name === 'complexType').map((c) => [c.attributes.get('name')!, c]),
  );
  const paths = new Map<string, { model?: ElementModel; attributes: string[] }>();
  const visit = (element: XmlElement, path: string): void => {
    assert.equal(element.namespace, XS);
    const typeName = element.attributes.get('type');
    const type =
      element.children.find((c) => c.name === 'complexType') ??
      (typeName === undefined ? undefined : complexTypes.get(typeName));
    const attributes = (type?.children ?? [])
      .filter((c) => c.name === 'attribute')
      .map((a) => a.attributes.get('name')!);
    const group = type?.children.find((c) => c.name === 'sequence' || c.name === 'all');
    if (!group) {
      paths.set(path, { attributes });
      return;
    }
    const declared = group.children.filter((c) => c.name === 'element');
    const model: ElementModel = {
      group: group.name as ElementModel['group'],
      children: declared.map((c) => ({
        name: c.attributes.get('name')!,
        min: Number(c.attributes.get('minOccurs') ?? 1),
        max: Number(c.attributes.get('maxOccurs') ?? 1),
      })),
    };
    paths.set(path, { model, attributes });
    for (const child of declared) visit(child, `${path}/${child.attributes.get('name')}`);
  };
  const root = schema.children.find((c) => c.name === 'element' && c.attributes.get('name') === ROOT_NAME)!;
  visit(root, ROOT_NAME);
  return paths;
}

test('the content models are the XSD’s: the same children, order, group and occurrences, element by element', () => {
  const fromXsd = new Map(
    [...schemaPaths(readSchema())].filter(([, e]) => e.model).map(([path, e]) => [path, e.model!] as const),
  );
  assert.deepEqual(Object.fromEntries(fromXsd), CONTENT_MODELS);
});

test('every rule is keyed by an element or attribute the XSD declares', () => {
  const paths = schemaPaths(readSchema());
  for (const key of Object.keys(FIELD_RULES)) {
    const attribute = /^(.*)\/@(.*)$/.exec(key);
    if (attribute) assert.ok(paths.get(attribute[1]!)?.attributes.includes(attribute[2]!), key);
    else assert.ok(paths.has(key), key);
  }
});
