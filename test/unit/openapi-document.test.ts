/**
 * What the OpenAPI document says, checked against the code that does it: the number pattern against
 * the number reader, the epu-json schema as documented against the vendor schema the mapper uses,
 * the examples of the scan and consent routes against their readers, and every schema against
 * JSON Schema 2020-12 (strict: a misspelt keyword fails). /openapi.json as served, its routes and its
 * vendor examples are checked by test/integration/openapi.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readNumberSegment } from '../../domain/prescription-number';
import { parseQrPayload } from '../../documents/qr-code';
import { readPatientChoice } from '../../fhir/dispensing/consent';
import { openApiDocument } from '../../gateway/openapi/document';
import { EXAMPLE_NUMBER, NUMBER_SEGMENT_PATTERN } from '../../gateway/openapi/schemas';
import { isValidEpuJson } from '../../profiles/epu-json-schema';
import { freshNumber, vendorExamples } from '../support/vendor-fixtures';

const doc: any = openApiDocument({ serverUrl: 'https://gateway.test' });
const DOC_ID = 'urn:ordo-gateway:openapi';

/** The document's schemas, compiled as JSON Schema 2020-12, strict: OpenAPI's own `example` is the only extra keyword. */
function compiledComponents(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false });
  addFormats(ajv, ['date', 'date-time']);
  ajv.addKeyword('example');
  ajv.addKeyword('components');
  ajv.addSchema({ $id: DOC_ID, components: { schemas: doc.components.schemas } });
  return ajv;
}
const schemaOf = (ajv: Ajv2020, name: string) => {
  const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
  assert.ok(validate, name);
  return validate;
};

test('every schema of the document compiles as strict JSON Schema 2020-12', () => {
  const ajv = compiledComponents();
  for (const name of Object.keys(doc.components.schemas)) schemaOf(ajv, name);
});

describe('the documented number pattern takes what the number reader takes', () => {
  const pattern = new RegExp(NUMBER_SEGMENT_PATTERN);
  const ours = freshNumber();
  const samples = [
    ours,
    ours.toLowerCase(),
    `${ours.slice(0, 6)}-${ours.slice(6, 12)}-${ours.slice(12)}`,
    `${ours.slice(0, 9)} ${ours.slice(9)}`,
    ` ${ours} `,
    'ABCDEFGHIJKLMNOPQR',
    EXAMPLE_NUMBER,
    ours.slice(1),
    `${ours}7`,
    `${ours.slice(0, 17)}é`,
    `${ours.slice(0, 17)}_`,
    '',
    '-'.repeat(18),
  ];
  for (const sample of samples) {
    test(JSON.stringify(sample), () => {
      assert.equal(pattern.test(sample), readNumberSegment(encodeURIComponent(sample)).ok);
    });
  }
});

test('the documented epu-json schema accepts and refuses exactly as the vendor schema does', () => {
  const validate = schemaOf(compiledComponents(), 'EpuJson');
  const payloads = vendorExamples()
    .filter((e) => e.format === 'epu-json')
    .flatMap((e) => {
      const json = JSON.parse(e.body);
      return [
        { name: e.name, json },
        { name: `${e.name} without patient`, json: { ...json, patient: undefined } },
        { name: `${e.name} with a line of an unknown type`, json: { ...json, lignes: [{ type: 'autre' }] } },
      ];
    });
  const outcomes = payloads.map(({ name, json }) => {
    const payload = JSON.parse(JSON.stringify(json));
    const expected = isValidEpuJson(payload);
    assert.equal(validate(payload), expected, name);
    return expected;
  });
  assert.ok(outcomes.includes(true) && outcomes.includes(false), 'both verdicts are exercised');
});

describe('the examples of the other request bodies are read by the gateway', () => {
  const content = (path: string) => doc.paths[path].post.requestBody.content;

  test('POST /prescriptions/scan: a bare number and a QR content', () => {
    const scan = content('/prescriptions/scan');
    const bare = parseQrPayload(scan['text/plain'].example);
    assert.ok(bare.ok && bare.value.source === 'number' && bare.value.number === EXAMPLE_NUMBER);
    const qr = parseQrPayload(JSON.stringify(scan['application/json'].example));
    assert.ok(qr.ok && qr.value.source === 'qr' && qr.value.number === EXAMPLE_NUMBER, JSON.stringify(qr));
  });

  test('POST /prescriptions/{number}/consent: the patient’s choice', () => {
    const validate = schemaOf(compiledComponents(), 'PatientChoice');
    for (const media of Object.values(content('/prescriptions/{number}/consent')) as any[]) {
      assert.ok(readPatientChoice(media.example).ok, JSON.stringify(media.example));
      assert.ok(validate(media.example), JSON.stringify(media.example));
    }
  });
});
