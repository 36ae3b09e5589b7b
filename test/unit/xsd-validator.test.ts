/**
 * platform/xsd: libxml2's xmllint (WebAssembly) kept running in a worker thread — verdicts in order
 * across runs, the deadline, a schema that does not compile, closing — and the reading of its output.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProblemError } from '../../domain/problem';
import type { XsdVerdict } from '../../domain/xml-schema';
import { xmllintVerdict } from '../../platform/xsd/xmllint-output';
import { XmllintValidator } from '../../platform/xsd/xmllint-validator';
import { example } from '../support/vendor-fixtures';
import { LGC_XML_XSD } from '../support/xmllint-cli';

const SCHEMA = readFileSync(LGC_XML_XSD, 'utf8');
const drugsOnly = example('lgc-xml', 'valid-drugs-only.xml').body;
const VALID = Buffer.from(drugsOnly);
const INVALID = Buffer.from(drugsOnly.replace('sex="F"', 'sex=" F"'));
/** Three labels of 'x' and 25 spaces: libxml2's pattern matcher takes about a second on each. */
const SLOW = Buffer.from(drugsOnly.replace(/<Label>[^<]*</g, `<Label>x${' '.repeat(25)}<`));

const started: XmllintValidator[] = [];
const start = async (options: Parameters<typeof XmllintValidator.start>[1]) => {
  const validator = await XmllintValidator.start(SCHEMA, options);
  started.push(validator);
  return validator;
};
after(async () => {
  await Promise.all(started.map((v) => v.close()));
});

const statusOf = (verdict: XsdVerdict) => verdict.status;

describe('the xmllint thread', () => {
  test('many documents at once get their own verdicts, in order, across runs (the schema compiled every 3 documents)', async () => {
    const validator = await start({ documentsPerRun: 3 });
    const documents = Array.from({ length: 20 }, (_, i) => (i % 3 === 1 ? INVALID : VALID));
    const verdicts = await Promise.all(documents.map((d) => validator.validate(d)));
    assert.deepEqual(
      verdicts.map(statusOf),
      documents.map((d) => (d === INVALID ? 'invalid' : 'valid')),
    );
    const invalid = verdicts[1]!;
    assert.ok(invalid.status === 'invalid');
    assert.deepEqual(invalid.findings[0]!.attribute, { namespace: '', name: 'sex' });
  });

  test('a document past the deadline is left unjudged; the documents behind it are judged by a new thread', async () => {
    // Shorter than a thread's start (a few hundred ms): the deadline of the documents behind the slow one counts
    // from when the new thread is ready, not from its start (it used to, and then gave the validator up).
    const validator = await start({ deadlineMs: 100 });
    const [before, slow, behind, later] = await Promise.all([
      validator.validate(VALID),
      validator.validate(SLOW),
      validator.validate(INVALID),
      validator.validate(VALID),
    ]);
    assert.equal(before.status, 'valid');
    assert.ok(slow.status === 'unjudged', JSON.stringify(slow));
    assert.match(slow.reason, /^xmllint did not finish within \d+ ms$/);
    assert.equal(behind.status, 'invalid');
    assert.equal(later.status, 'valid');
    assert.equal((await validator.validate(VALID)).status, 'valid');
  });

  test('a schema that does not compile fails the start, with the reason', async () => {
    const broken = SCHEMA.replace('type="HeaderType"', 'type="NoSuchType"');
    await assert.rejects(XmllintValidator.start(broken), (error: unknown) => {
      assert.ok(error instanceof ProblemError);
      assert.equal(error.kind, 'internal');
      assert.match(error.message, /the XML Schema did not compile: .*NoSuchType/s);
      return true;
    });
  });

  test('closing: waiting documents fail as unavailable, and so does any later one', async () => {
    const validator = await XmllintValidator.start(SCHEMA);
    const unavailable = (error: unknown) => error instanceof ProblemError && error.kind === 'unavailable';
    const waiting = assert.rejects(validator.validate(SLOW), unavailable);
    await validator.close();
    await waiting;
    await assert.rejects(validator.validate(VALID), unavailable);
  });
});

describe("reading xmllint's report", () => {
  const FILE = '/doc.xml';

  test('"validates" alone is valid; findings carry line, element, attribute, expected elements', () => {
    assert.deepEqual(xmllintVerdict(FILE, ['/doc.xml validates']), { status: 'valid' });
    const verdict = xmllintVerdict(FILE, [
      "/doc.xml:12: Schemas validity error : Element '{urn:x}Items': This element is not expected. Expected is ( {urn:x}Consent ).",
      "/doc.xml:26: Schemas validity error : Element 'Patient', attribute 'sex': [facet 'enumeration'] The value 'X' is not an element of the set {'M', 'F', 'U'}.",
      "/doc.xml:30: Schemas validity error : Element '{urn:x}INS': The attribute 'root' is required but missing.",
      '/doc.xml fails to validate',
    ]);
    assert.ok(verdict.status === 'invalid');
    assert.deepEqual(
      verdict.findings.map((f) => [f.kind, f.line, f.element?.name, f.attribute?.name, f.expected?.map((e) => e.name)]),
      [
        ['unexpected-element', 12, 'Items', undefined, ['Consent']],
        ['value', 26, 'Patient', 'sex', undefined],
        ['missing-attribute', 30, 'INS', 'root', undefined],
      ],
    );
    assert.equal(verdict.findings[0]!.element?.namespace, 'urn:x');
  });

  test('a value with line breaks continues on the next lines; a parser error quotes the source, which is not a finding', () => {
    const verdict = xmllintVerdict(FILE, [
      "/doc.xml:27: Schemas validity error : Element 'LastName': [facet 'pattern'] The value 'ES",
      "SAI' is not accepted by the pattern '.*\\S.*'.",
      '/doc.xml:3: parser error : Opening and ending tag mismatch: a line 1 and b',
      '<a></b>',
      '      ^',
      '/doc.xml fails to validate',
    ]);
    assert.ok(verdict.status === 'invalid');
    assert.deepEqual(
      verdict.findings.map((f) => [f.kind, f.message]),
      [
        ['value', "[facet 'pattern'] The value 'ES\nSAI' is not accepted by the pattern '.*\\S.*'."],
        ['not-well-formed', 'Opening and ending tag mismatch: a line 1 and b'],
      ],
    );
  });

  test('out of memory: not judged', () => {
    const verdict = xmllintVerdict(FILE, ['/doc.xml:33: error: libxml2: out of memory', '<E/><E/>', '   ^']);
    assert.deepEqual(verdict, { status: 'unjudged', reason: 'xmllint ran out of memory' });
  });

  test('no "validates" and nothing else said is not valid', () => {
    const verdict = xmllintVerdict(FILE, []);
    assert.ok(verdict.status === 'invalid');
    assert.equal(verdict.findings[0]!.kind, 'other');
  });
});
