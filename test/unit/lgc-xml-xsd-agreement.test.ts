/**
 * Issue 12: the gateway's structure verdict on lgc-xml is the XSD's. Every lgc-xml example and every
 * mutation of test/support/lgc-xml-mutations.ts goes through the lgc-xml mapper with the gateway's XSD
 * validator (libxml2 in WebAssembly, platform/xsd) and through the independent `xmllint --schema
 * profiles/vendor-schemas/lgc-xml.xsd` (Debian's native libxml2): XSD-valid ⇔ mapped; XSD-invalid ⇔
 * refused (422 `invalid`, or 400 `malformed`) with each problem at an XPath of the document.
 * test/integration/lgc-xml-xsd.test.ts posts the same payloads to POST /prescriptions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapper } from '../../mappers/lgc-xml';
import { mapWithSchema } from '../support/map-result';
import { LGC_XML_MUTATIONS, mutatedBody } from '../support/lgc-xml-mutations';
import { vendorExamples } from '../support/vendor-fixtures';
import { xmllintCli } from '../support/xmllint-cli';

const cases = [
  ...vendorExamples()
    .filter((e) => e.format === 'lgc-xml')
    .map((e) => ({ name: `example ${e.name}`, body: Buffer.from(e.body, e.encoding) })),
  ...LGC_XML_MUTATIONS.map((m) => ({ name: m.name, body: mutatedBody(m) })),
];

describe('lgc-xml: the gateway agrees with xmllint --schema on every example and mutation', () => {
  test('the list is long and varied: at least 50 named mutations, both verdicts present', () => {
    assert.ok(LGC_XML_MUTATIONS.length >= 50, `${LGC_XML_MUTATIONS.length} mutations`);
    assert.equal(new Set(LGC_XML_MUTATIONS.map((m) => m.name)).size, LGC_XML_MUTATIONS.length, 'names are unique');
    const verdicts = cases.map((c) => xmllintCli(c.body).valid);
    assert.ok(verdicts.filter(Boolean).length >= 20 && verdicts.filter((v) => !v).length >= 50, 'both verdicts');
  });

  for (const { name, body } of cases) {
    test(name, async () => {
      const xsd = xmllintCli(body);
      const result = await mapWithSchema(mapper, body);
      if (xsd.valid) {
        assert.ok(result.ok, `XSD-valid, refused: ${JSON.stringify(!result.ok && result.problems)}`);
        return;
      }
      assert.ok(!result.ok, `XSD-invalid (${xsd.output.trim()}), mapped`);
      assert.ok(result.problems.length > 0);
      for (const problem of result.problems) {
        assert.match(problem.path ?? '', /^\/Prescription(\/|$|\[)/, JSON.stringify(problem));
        assert.ok(problem.message.length > 10, JSON.stringify(problem));
      }
    });
  }
});
