/**
 * Bounded property-based fuzzing of the intake doors (issue 11), on the real HAPI: valid vendor
 * examples mutated — members dropped or set to null, wrong JSON types, control characters, lone
 * surrogates, huge or odd dates, random strings, XML special characters and broken declarations —
 * and posted to POST /prescriptions in each format and to POST /fhir/$process-message.
 *
 * Properties, for every input: never a 5xx; every refusal is a FHIR OperationOutcome with at least
 * one issue (for $process-message: a `fatal-error` response message carrying one); nothing is
 * stored for a refused input (the store's RequestGroup, Patient and Practitioner counts do not move).
 *
 * The seed is fixed (FUZZ_SEED changes it, FUZZ_RUNS sets the runs per door); a failure prints the
 * seed, fast-check's counterexample path and the mutations, so that it can be replayed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import type { Bundle, FhirResource, MessageHeader, OperationOutcome } from 'fhir/r4';
import type { VendorFormat } from '../../domain/prescription';
import type { FhirClient } from '../../store/fhir-client';
import { prescriberBearer } from '../support/auth';
import { testFhirClient } from '../support/env';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { uniquify, vendorExamples, type VendorExample } from '../support/vendor-fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let gw: TestGateway;
let store: FhirClient;
before(async () => {
  gw = await startTestGateway();
  store = await testFhirClient();
});
after(async () => {
  await gw.close();
});

// ---------------------------------------------------------------------------------------------
// What is stored: counts read past HAPI's search cache.

const COUNTED_TYPES = ['RequestGroup', 'Patient', 'Practitioner'] as const;

async function storedCounts(): Promise<string> {
  const totals = await Promise.all(
    COUNTED_TYPES.map(async (type) => {
      const { resource } = await store.request<Bundle>('GET', `${type}?_summary=count`, undefined, {
        headers: { 'cache-control': 'no-cache' },
      });
      return `${type}=${resource.total}`;
    }),
  );
  return totals.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Mutations, as plain data so that fast-check prints them

const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f'];
const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];
const ODD_JSON_DATES = [
  '9999-12-31',
  '9999-12-31T23:59:59Z',
  '0000-01-01',
  '0001-01-01T00:00:00Z',
  '1850-01-01',
  '1899-12-31T23:00:00+01:00',
  '+275760-09-13T00:00:00Z',
  '2026-02-30',
  '2026-13-01',
  '2026-10-14T24:00:00+02:00',
  '2026-10-14T09:32:00+25:00',
  '2026-10-14T09:32:60Z',
  '2026-10-14',
  '20261014',
  '',
];
const ODD_XML_DATES = [
  '31/12/9999',
  '01/01/1850',
  '00/00/0000',
  '29/02/2025',
  '32/01/2026',
  '1/1/2026',
  '99:99',
  '24:00',
];
const XML_SPECIALS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  ']]>',
  '&amp;',
  '&lt;x&gt;',
  '&#0;',
  '&#x1;',
  '&#xD800;',
  '&#xFFFE;',
  '&#x110000;',
  '&#x1F600;',
  '&#65;',
  '&unknown;',
  '<!-- c -->',
  '<![CDATA[<x>&]]>',
  '<?pi x?>',
  '<?xml version="1.0"?>',
  '<x/>',
];
const XML_DECLARATIONS = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml?>',
  '<?xml encoding="UTF-8" version="1.0"?>',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '<?xml version="1.0" encoding="UTF-8" standalone="maybe"?>',
  '<?XML version="1.0"?>',
  ' <?xml version="1.0"?>',
  '',
];

const texts = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...CONTROL_CHARACTERS, ...LONE_SURROGATES),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: 'binary-ascii', maxLength: 30 }),
    fc.constant('x'.repeat(20_000)),
  );

const jsonValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 12_345, true, false),
  fc.constantFrom([], {}, [null], { x: 1 }, [1, 'a'], { resourceType: 'Patient' }),
  fc.constantFrom(...ODD_JSON_DATES),
  texts(),
);

type JsonMutation =
  | { op: 'drop'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'insert-text'; at: number; position: number; text: string };

const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: jsonValues }),
  fc.record({ op: fc.constant('insert-text' as const), at: fc.nat(), position: fc.nat(), text: texts() }),
);

type XmlMutation =
  | { op: 'replace-text'; at: number; text: string }
  | { op: 'insert-text'; at: number; position: number; text: string }
  | { op: 'drop-element'; at: number }
  | { op: 'declaration'; declaration: string };

const xmlTexts: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...XML_SPECIALS, ...ODD_XML_DATES),
  fc
    .array(fc.constantFrom(...XML_SPECIALS, 'a', ' ', 'é'), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join('')),
  texts(),
);

const xmlMutation: fc.Arbitrary<XmlMutation> = fc.oneof(
  fc.record({ op: fc.constant('replace-text' as const), at: fc.nat(), text: xmlTexts }),
  fc.record({ op: fc.constant('insert-text' as const), at: fc.nat(), position: fc.nat(), text: xmlTexts }),
  fc.record({ op: fc.constant('drop-element' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('declaration' as const), declaration: fc.constantFrom(...XML_DECLARATIONS) }),
);

type Json = any; // mutations write any JSON anywhere
type Path = Array<string | number>;

/** Every member and item of a JSON value, parents before children (the root excluded). */
function pathsOf(value: Json, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [[...path, key], ...pathsOf(value[key], [...path, key])]);
}

const parentOf = (root: Json, path: Path): Json => path.slice(0, -1).reduce((node, key) => node[key], root);

function applyJson(root: Json, mutation: JsonMutation): void {
  const paths = pathsOf(root);
  if (mutation.op === 'insert-text') {
    const strings = paths.filter((p) => typeof parentOf(root, p)[p.at(-1)!] === 'string');
    if (strings.length === 0) return;
    const path = strings[mutation.at % strings.length]!;
    const parent = parentOf(root, path);
    const text = parent[path.at(-1)!] as string;
    const cut = mutation.position % (text.length + 1);
    parent[path.at(-1)!] = text.slice(0, cut) + mutation.text + text.slice(cut);
    return;
  }
  if (paths.length === 0) return;
  const path = paths[mutation.at % paths.length]!;
  const parent = parentOf(root, path);
  const key = path.at(-1)!;
  if (mutation.op === 'set') parent[key] = structuredClone(mutation.value);
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
}

/** Text nodes and attribute values: [start, end) of their content. */
function xmlSlots(xml: string): Array<[number, number]> {
  const slots: Array<[number, number]> = [];
  for (const m of xml.matchAll(/>([^<]*)</g)) slots.push([m.index + 1, m.index + 1 + m[1]!.length]);
  for (const m of xml.matchAll(/=\s*"([^"]*)"/g)) {
    const start = m.index + m[0].length - m[1]!.length - 1;
    slots.push([start, start + m[1]!.length]);
  }
  return slots;
}

function applyXml(xml: string, mutation: XmlMutation): string {
  switch (mutation.op) {
    case 'declaration':
      return xml.replace(/^<\?xml[^>]*\?>/, mutation.declaration);
    case 'drop-element': {
      const elements = [...xml.matchAll(/<([A-Za-z][\w:.-]*)\b[^<>]*?(?:\/>|>[^<]*<\/\1>)/g)];
      if (elements.length === 0) return xml;
      const m = elements[mutation.at % elements.length]!;
      return xml.slice(0, m.index) + xml.slice(m.index + m[0].length);
    }
    case 'replace-text':
    case 'insert-text': {
      const slots = xmlSlots(xml);
      const [start, end] = slots[mutation.at % slots.length]!;
      if (mutation.op === 'replace-text') return xml.slice(0, start) + mutation.text + xml.slice(end);
      const cut = start + (mutation.position % (end - start + 1));
      return xml.slice(0, cut) + mutation.text + xml.slice(cut);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The doors and what their answers must be

type Door = 'rest' | 'message';

/** A unique copy of the example (fresh message id, INS, number; for messaging a fresh Bundle.id and MessageHeader.id). */
function freshCopy(example: VendorExample, door: Door): string {
  const text = uniquify(example).body.toString(example.encoding);
  if (door === 'rest') return text;
  const json = JSON.parse(text) as Bundle<FhirResource>;
  json.id = randomUUID();
  const header = json.entry?.[0]?.resource as MessageHeader;
  header.id = randomUUID();
  return JSON.stringify(json);
}

const isOutcomeWithIssue = (resource: unknown): boolean =>
  (resource as OperationOutcome | undefined)?.resourceType === 'OperationOutcome' &&
  ((resource as OperationOutcome).issue?.length ?? 0) >= 1;

/** Whether the answer is a refusal, after checking that it is a well-formed one (or an acceptance). */
function judge(door: Door, res: Response): 'accepted' | 'refused' {
  assert.ok(res.status < 500, `a ${res.status}: ${res.text.slice(0, 500)}`);
  if (door === 'rest' && (res.status === 200 || res.status === 201)) return 'accepted';
  if (door === 'message' && res.status === 200) {
    const bundle = res.body as Bundle<FhirResource>;
    const header = bundle.entry?.[0]?.resource as MessageHeader | undefined;
    const code = header?.response?.code;
    if (code === 'ok') return 'accepted';
    assert.equal(code, 'fatal-error', `response code ${code}: ${res.text.slice(0, 500)}`);
    const details = bundle.entry?.find((e) => e.fullUrl === header?.response?.details?.reference)?.resource;
    assert.ok(isOutcomeWithIssue(details), `a fatal-error without an OperationOutcome: ${res.text.slice(0, 500)}`);
    return 'refused';
  }
  assert.ok(res.status >= 400, `status ${res.status}`);
  assert.ok(isOutcomeWithIssue(res.body), `a ${res.status} that is not an OperationOutcome: ${res.text.slice(0, 500)}`);
  return 'refused';
}

const DOORS: Array<{ name: string; format: VendorFormat; door: Door }> = [
  { name: 'POST /prescriptions, epu-json', format: 'epu-json', door: 'rest' },
  { name: 'POST /prescriptions, lgc-xml', format: 'lgc-xml', door: 'rest' },
  { name: 'POST /prescriptions, fhir-message', format: 'fhir-message', door: 'rest' },
  { name: 'POST /fhir/$process-message', format: 'fhir-message', door: 'message' },
];

for (const { name, format, door } of DOORS) {
  test(`${name}: mutated examples never get a 5xx, every refusal is an OperationOutcome, nothing refused is stored`, async () => {
    const examples = vendorExamples().filter((e) => e.format === format && e.valid);
    const signers = new Map<string, string>();
    for (const example of examples) signers.set(example.name, await prescriberBearer(uniquify(example).prescriberRpps));
    const mutations =
      format === 'lgc-xml'
        ? fc.array(xmlMutation, { minLength: 1, maxLength: 3 })
        : fc.array(jsonMutation, { minLength: 1, maxLength: 3 });
    const verdicts = { accepted: 0, refused: 0 };

    // Examples by name, so that a counterexample is short enough to read.
    const byName = new Map(examples.map((e) => [e.name, e]));
    const property = fc.asyncProperty(fc.constantFrom(...byName.keys()), mutations, async (exampleName, changes) => {
      const example = byName.get(exampleName)!;
      let body = freshCopy(example, door);
      if (format === 'lgc-xml') {
        for (const change of changes as XmlMutation[]) body = applyXml(body, change);
      } else {
        const json = JSON.parse(body) as Json;
        for (const change of changes as JsonMutation[]) applyJson(json, change);
        body = JSON.stringify(json);
      }
      const bytes = Buffer.from(body, example.encoding);
      const auth = signers.get(example.name)!;
      const before = await storedCounts();
      const res =
        door === 'rest'
          ? await postPrescription(gw.app, auth, format, bytes)
          : await request(gw.app)
              .post('/fhir/$process-message')
              .set('authorization', auth)
              .set('content-type', 'application/fhir+json')
              .send(body);
      const verdict = judge(door, res);
      verdicts[verdict]++;
      if (verdict === 'refused') assert.equal(await storedCounts(), before, `refused (${res.status}) but stored`);
    });

    try {
      await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
    } catch (err) {
      throw new Error(`fuzz failure with FUZZ_SEED=${SEED} (FUZZ_RUNS=${RUNS}): ${(err as Error).message}`, {
        cause: err,
      });
    }
    // The mutations must mostly be refused, but some harmless ones (a dropped optional member) pass.
    assert.ok(verdicts.refused > 0, JSON.stringify(verdicts));
  });
}
