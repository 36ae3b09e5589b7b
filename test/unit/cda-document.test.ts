/**
 * The DMP CDA documents: built from every canonical fixture, then checked by the Java validator
 * (CDA_extended.xsd + the CI-SIS eP-MED-DM 2024.01 schematron, all phases) in ONE run for the
 * whole file — the official ANS examples and deliberately broken documents go in the same run,
 * so the zero-error results below are known to come from a validator that does report errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { DrugLine, Prescription } from '../../domain/prescription';
import { buildActPrescriptionDocument } from '../../documents/cda/act-prescription';
import { buildDmpDocument, type DmpDocument } from '../../documents/cda/dmp-document';
import { oidFromUuid, partId } from '../../documents/cda/document-ids';
import { buildEpMedDmDocument } from '../../documents/cda/ep-med-dm';
import { hl7DateTime, hl7InstantInParis, validityPeriod } from '../../documents/cda/hl7-time';
import { addMonths } from '../../domain/calendar';
import { ucumDoseUnit } from '../../documents/cda/sections/dose-units';
import type { CdaDocumentInput } from '../../documents/cda/types';
import { validateCda, type CdaValidationReport } from '../support/validate-cda';
import { el, serializeXml } from '../../documents/cda/xml';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { qrPng } from '../../documents/qr-code';
import {
  ALL_CANONICAL_FIXTURES,
  biologyOnly,
  locum,
  manyLines,
  mixedAld,
  type CanonicalFixture,
} from '../fixtures/canonical';

const HL7 = 'urn:hl7-org:v3';
const NOW = new Date('2026-11-20T09:30:00Z');
const EXAMPLES_DIR = join(__dirname, '..', '..', 'profiles', 'ans-cda', 'examples');
const OFFICIAL_EXAMPLES = ['eP-MED-DM_2024.01_PosoStruct.xml', 'eP-MED-DM_2024.01_PosoNonStruct.xml'];

interface Built {
  fixture: CanonicalFixture;
  input: CdaDocumentInput;
  document: DmpDocument;
  name: string;
}

async function inputFor(fixture: CanonicalFixture, index: number): Promise<CdaDocumentInput> {
  const qr = await qrPng(fixture.prescription, fixture.number);
  return {
    prescription: fixture.prescription,
    number: fixture.number,
    documentId: { root: oidFromUuid(`6f1c2a7e-0b4d-4c8e-9a31-${String(index).padStart(12, '0')}`) },
    setId: { root: oidFromUuid(`0c9b8e4f-5a2d-4f7b-8e16-${String(index).padStart(12, '0')}`) },
    version: 1,
    now: NOW,
    pdf: await renderOrdonnancePdf(fixture.prescription, fixture.number, { qrPng: qr, generatedAt: NOW }),
    qrPng: qr,
  };
}

/** Deliberately wrong documents: each must be caught, or the zero counts prove nothing. */
function brokenDocuments(valid: string): Record<string, string> {
  const patientTelecom = '<telecom nullFlavor="NASK"/>';
  assert.ok(valid.includes(patientTelecom));
  const firstAld =
    /<entryRelationship typeCode="COMP">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="1\.3\.6\.1\.4\.1\.19376\.1\.5\.3\.1\.4\.13"\/>\s*<templateId root="1\.2\.250\.1\.213\.1\.1\.3\.48"\/>\s*<templateId root="1\.2\.250\.1\.213\.1\.1\.3\.48\.13"\/>[\s\S]*?<\/entryRelationship>/;
  assert.match(valid, firstAld);
  return {
    'broken-no-patient-telecom.xml': valid.replace(patientTelecom, ''),
    'broken-drug-without-ald.xml': valid.replace(firstAld, ''),
    // On a line of its own (line 3: declaration, then the unindented document, then this).
    'broken-misplaced-element.xml': valid.replace('<realmCode code="FR"/>', '<realmCode code="FR"/>\n<bogus/>\n'),
    'broken-doctype.xml':
      '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n<x>&e;</x>\n',
  };
}

let built: Built[];
const reports = new Map<string, CdaValidationReport>();

before(async () => {
  built = await Promise.all(
    ALL_CANONICAL_FIXTURES.map(async (fixture, i) => {
      const input = await inputFor(fixture, i + 1);
      return { fixture, input, document: buildDmpDocument(input), name: `fixture-${i + 1}.xml` };
    }),
  );
  const broken = brokenDocuments(builtFor(mixedAld).document.xml);
  const documents: Record<string, string> = {
    ...Object.fromEntries(built.map((b) => [b.name, b.document.xml])),
    ...Object.fromEntries(OFFICIAL_EXAMPLES.map((name) => [name, readFileSync(join(EXAMPLES_DIR, name), 'utf8')])),
    ...broken,
  };
  const names = Object.keys(documents);
  const results = await validateCda(Object.values(documents), { names, phase: '#ALL' });
  for (const report of results) reports.set(report.file, report);
});

const builtFor = (fixture: CanonicalFixture): Built => {
  const found = built.find((b) => b.fixture === fixture);
  assert.ok(found, `no document built for ${fixture.description}`);
  return found;
};

function reportFor(name: string): CdaValidationReport {
  const report = reports.get(name);
  assert.ok(report, `no validation report for ${name}`);
  return report;
}

const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');
const all = (node: Document | Element, name: string): Element[] => Array.from(node.getElementsByTagNameNS(HL7, name));
const children = (node: Element, name: string): Element[] =>
  Array.from(node.childNodes).filter(
    (c): c is Element => c.nodeType === c.ELEMENT_NODE && (c as Element).localName === name,
  );
const child = (node: Element, name: string): Element => {
  const found = children(node, name)[0];
  assert.ok(found, `no <${name}> under <${node.localName}>`);
  return found;
};
const sectionWithTemplate = (doc: Document, root: string): Element | undefined =>
  all(doc, 'section').find((s) => children(s, 'templateId').some((t) => t.getAttribute('root') === root));
const observationValue = (entry: Element, template: string): string | null => {
  const observation = children(entry, 'entryRelationship')
    .flatMap((r) => children(r, 'observation'))
    .find((o) => children(o, 'templateId').some((t) => t.getAttribute('root') === template));
  return observation ? child(observation, 'value').getAttribute('value') : null;
};

describe('validator baseline', () => {
  for (const name of OFFICIAL_EXAMPLES) {
    it(`ANS example ${name} has no XSD and no schematron error`, () => {
      const report = reportFor(name);
      assert.deepEqual(report.xsdErrors, []);
      assert.deepEqual(report.schematronErrors, []);
    });
  }

  it('reports the missing patient telecom as a schematron error', () => {
    const report = reportFor('broken-no-patient-telecom.xml');
    assert.deepEqual(report.xsdErrors, []);
    assert.equal(report.schematronErrors.length, 1);
    assert.match(report.schematronErrors[0]!.message, /télécom du patient/);
  });

  it('reports a drug entry without its ALD observation as a schematron error', () => {
    const report = reportFor('broken-drug-without-ald.xml');
    assert.ok(report.schematronErrors.some((e) => /FR-En-rapport-avec-ALD/.test(e.message)));
  });

  it('reports an element out of place as an XSD error with its line', () => {
    const [error, ...rest] = reportFor('broken-misplaced-element.xml').xsdErrors;
    assert.equal(rest.length, 0);
    assert.equal(error!.line, 3);
    assert.match(error!.message, /bogus/);
  });

  it('refuses a DOCTYPE (no external entity is ever read)', () => {
    const report = reportFor('broken-doctype.xml');
    assert.match(report.xsdErrors[0]!.message, /DOCTYPE/);
    assert.deepEqual(report.schematronErrors, []);
  });
});

describe('eP-MED-DM document of each fixture with drugs or devices', () => {
  it('covers the fixtures the brief names', () => {
    const kinds = new Map(built.map((b) => [b.fixture, b.document.kind]));
    assert.equal(kinds.get(mixedAld), 'ep-med-dm');
    assert.equal(kinds.get(locum), 'ep-med-dm');
    assert.equal(kinds.get(biologyOnly), 'act-prescription');
  });

  for (const fixture of ALL_CANONICAL_FIXTURES.filter((f) => f.prescription.lines.some((l) => l.kind !== 'act'))) {
    describe(fixture.description, () => {
      it('passes CDA_extended.xsd and the eP-MED-DM schematron with zero errors', () => {
        const report = reportFor(builtFor(fixture).name);
        assert.deepEqual(report.xsdErrors, []);
        assert.deepEqual(report.schematronErrors, []);
        assert.deepEqual(report.schematronWarnings, []);
      });

      it('identifies the document, the patient, the prescriber and the prescription', () => {
        const { input, document } = builtFor(fixture);
        const p = fixture.prescription;
        const doc = parse(document.xml);
        const root = doc.documentElement as unknown as Element;
        assert.equal(child(root, 'id').getAttribute('root'), input.documentId.root);
        assert.equal(child(root, 'setId').getAttribute('root'), input.setId.root);
        assert.equal(child(root, 'versionNumber').getAttribute('value'), '1');
        assert.equal(child(root, 'code').getAttribute('code'), '57833-6');
        assert.equal(child(root, 'effectiveTime').getAttribute('value'), hl7InstantInParis(NOW));
        const patientId = child(child(child(root, 'recordTarget'), 'patientRole'), 'id');
        assert.deepEqual(
          [patientId.getAttribute('root'), patientId.getAttribute('extension')],
          [p.patient.ins.oid, p.patient.ins.value],
        );
        const authorId = child(child(child(root, 'author'), 'assignedAuthor'), 'id');
        assert.deepEqual(
          [authorId.getAttribute('root'), authorId.getAttribute('extension')],
          ['1.2.250.1.71.4.2.1', `8${p.prescriber.rpps}`],
        );
        const event = child(child(root, 'documentationOf'), 'serviceEvent');
        assert.deepEqual(
          [child(event, 'id').getAttribute('root'), child(event, 'id').getAttribute('extension')],
          ['1.2.250.1.215.500.1.1', fixture.number],
        );
        const validity = validityPeriod(p.authoredOn);
        assert.equal(child(child(event, 'effectiveTime'), 'low').getAttribute('value'), validity.low);
        assert.equal(child(child(event, 'effectiveTime'), 'high').getAttribute('value'), validity.high);
      });

      it('has one FR-Traitement-prescrit entry per drug line, with its codes, renewals, quantity, substitution and context', () => {
        const doc = parse(builtFor(fixture).document.xml);
        const p = fixture.prescription;
        const drugs = p.lines.filter((l): l is DrugLine => l.kind === 'drug');
        const section = sectionWithTemplate(doc, '1.2.250.1.213.1.1.2.171');
        if (drugs.length === 0) {
          assert.equal(section, undefined);
          return;
        }
        assert.ok(section);
        const entries = children(section, 'entry').map((e) => child(e, 'substanceAdministration'));
        assert.equal(entries.length, drugs.length);
        entries.forEach((entry, i) => {
          const drug = drugs[i]!;
          const material = child(child(child(entry, 'consumable'), 'manufacturedProduct'), 'manufacturedMaterial');
          const code = child(material, 'code');
          assert.equal(code.getAttribute('code'), drug.cis ?? drug.cip13 ?? null);
          if (drug.cis && drug.cip13) assert.equal(child(code, 'translation').getAttribute('code'), drug.cip13);
          assert.equal(child(entry, 'repeatNumber').getAttribute('value'), String(drug.renewals));
          const relationships = children(entry, 'entryRelationship');
          const supply = relationships.flatMap((r) => children(r, 'supply'))[0];
          assert.equal(supply ? child(supply, 'quantity').getAttribute('value') : undefined, drug.quantity?.toString());
          const substitution = child(relationships.flatMap((r) => children(r, 'act'))[0]!, 'code').getAttribute('code');
          assert.equal(substitution, drug.nonSubstitutable ? 'N' : 'EC');
          assert.equal(observationValue(entry, '1.2.250.1.213.1.1.3.48.13'), String(p.context.ald));
          assert.equal(
            observationValue(entry, '1.2.250.1.213.1.1.3.48.14'),
            String(p.context.workAccidentDate !== undefined),
          );
          assert.equal(observationValue(entry, '1.2.250.1.213.1.1.3.48.12'), String(drug.offLabel));
          const structured = drug.posology.structured;
          const dose = children(entry, 'doseQuantity')[0];
          assert.equal(dose?.getAttribute('value') ?? undefined, structured?.dosePerIntake?.toString());
        });
      });

      it('has one FR-Dispositif-medical entry per device line', () => {
        const doc = parse(builtFor(fixture).document.xml);
        const devices = fixture.prescription.lines.filter((l) => l.kind === 'device');
        const section = sectionWithTemplate(doc, '1.2.250.1.213.1.1.2.222');
        if (devices.length === 0) {
          assert.equal(section, undefined);
          return;
        }
        assert.ok(section);
        const supplies = children(section, 'entry').map((e) => child(e, 'supply'));
        assert.equal(supplies.length, devices.length);
        supplies.forEach((supply, i) => {
          const device = devices[i]!;
          const code = child(child(child(child(supply, 'participant'), 'participantRole'), 'playingDevice'), 'code');
          assert.equal(code.getAttribute('code') ?? undefined, device.lpp);
          if (!device.lpp) assert.equal(code.getAttribute('nullFlavor'), 'NA');
          assert.equal(child(supply, 'repeatNumber').getAttribute('value'), '0');
        });
      });

      it('embeds the QR code PNG and the ordonnance PDF unchanged', () => {
        const { input, document } = builtFor(fixture);
        const doc = parse(document.xml);
        const media = all(doc, 'observationMedia');
        const byType = new Map(
          media.map((m) => [child(m, 'value').getAttribute('mediaType'), child(m, 'value').textContent ?? '']),
        );
        assert.ok(Buffer.from(byType.get('image/png')!, 'base64').equals(input.qrPng));
        assert.ok(Buffer.from(byType.get('application/pdf')!, 'base64').equals(input.pdf));
        assert.ok(sectionWithTemplate(doc, '1.2.250.1.213.1.1.2.223'));
        assert.ok(sectionWithTemplate(doc, '1.2.250.1.213.1.1.2.243'));
      });

      it('lists the act lines of a mixed ordonnance in a narrative comment section', () => {
        const doc = parse(builtFor(fixture).document.xml);
        const acts = fixture.prescription.lines.filter((l) => l.kind === 'act');
        const section = sectionWithTemplate(doc, '1.2.250.1.213.1.1.2.73');
        if (acts.length === 0) {
          assert.equal(section, undefined);
          return;
        }
        const text = child(section!, 'text').textContent ?? '';
        for (const act of acts) assert.ok(text.includes(act.label!), `act "${act.label}" missing from the narrative`);
        assert.equal(children(section!, 'entry').length, 0);
      });
    });
  }

  it('marks an ALD ordonnance as "bizone" and an urgent one as urgent', () => {
    const subtypes = (fixture: CanonicalFixture): string[] =>
      all(parse(builtFor(fixture).document.xml), 'serviceEvent')
        .filter((e) => e.getAttribute('classCode') === 'INFO')
        .map((e) => child(e, 'code').getAttribute('code')!);
    assert.deepEqual(subtypes(mixedAld), ['MED-1096']);
    assert.deepEqual(subtypes(manyLines), ['MED-1095']);
    assert.deepEqual(subtypes(locum), []);
  });

  it('names the replaced practitioner when a locum prescribes, and dates the work accident', () => {
    const doc = parse(builtFor(locum).document.xml);
    const participant = all(doc, 'participant').find((p) => p.getAttribute('typeCode') === 'REF');
    assert.ok(participant);
    const id = child(child(participant, 'associatedEntity'), 'id');
    assert.equal(id.getAttribute('extension'), `8${locum.prescription.replacedPrescriber!.rpps}`);
    assert.match(
      doc.documentElement!.textContent ?? '',
      /Accident du travail ou maladie professionnelle du 28\/10\/2026/,
    );
  });
});

describe('act prescription document (acts only)', () => {
  it('passes CDA_extended.xsd', () => {
    assert.deepEqual(reportFor(builtFor(biologyOnly).name).xsdErrors, []);
  });

  it('fails the eP-MED-DM schematron only on what makes a document eP-MED-DM, not on the shared header rules', () => {
    const expected = [
      /"1\.3\.6\.1\.4\.1\.19376\.1\.9\.1\.1\.1" est obligatoire/, // IHE PRE conformance
      /"1\.3\.6\.1\.4\.1\.19376\.1\.5\.3\.1\.1\.1" est obligatoire/, // IHE PCC conformance
      /"1\.2\.250\.1\.213\.1\.1\.1\.27" est obligatoire/, // eP-MED-DM templateId (message names an old OID)
      /@code="57833-6"/,
      /section FR-Prescription-medicaments/,
    ];
    const messages = reportFor(builtFor(biologyOnly).name).schematronErrors.map((e) => e.message);
    assert.equal(messages.length, expected.length, messages.join('\n'));
    for (const pattern of expected)
      assert.ok(
        messages.some((m) => pattern.test(m)),
        `expected an error matching ${pattern}`,
      );
  });

  it('is typed 57832-8, lists every act and carries the PDF copy', () => {
    const { document, input } = builtFor(biologyOnly);
    assert.equal(document.typeCode, '57832-8');
    const doc = parse(document.xml);
    assert.equal(child(doc.documentElement as unknown as Element, 'code').getAttribute('code'), '57832-8');
    const text = doc.documentElement!.textContent ?? '';
    for (const line of biologyOnly.prescription.lines) assert.ok(line.kind === 'act' && text.includes(line.label!));
    const pdf = all(doc, 'observationMedia')
      .map((m) => child(m, 'value'))
      .find((v) => v.getAttribute('mediaType') === 'application/pdf');
    assert.ok(Buffer.from(pdf!.textContent ?? '', 'base64').equals(input.pdf));
  });
});

describe('builders', () => {
  it('are pure: the same input gives the same bytes', async () => {
    const input = await inputFor(mixedAld, 1);
    assert.equal(buildEpMedDmDocument(input), buildEpMedDmDocument({ ...input }));
  });

  it('refuse the wrong kind of ordonnance', () => {
    assert.throws(() => buildEpMedDmDocument({ ...builtFor(biologyOnly).input }), /at least one drug or device/);
    assert.throws(() => buildActPrescriptionDocument({ ...builtFor(mixedAld).input }), /eP-MED-DM/);
  });

  it('escape markup and drop characters XML cannot carry from vendor text', () => {
    const p: Prescription = structuredClone(mixedAld.prescription);
    const drug = p.lines.find((l): l is DrugLine => l.kind === 'drug')!;
    drug.label = 'A <b>&"bold"\u0007 label';
    const xml = buildEpMedDmDocument({ ...builtFor(mixedAld).input, prescription: p });
    assert.ok(xml.includes('A &lt;b&gt;&amp;"bold" label'));
    assert.ok(xml.includes('displayName="A &lt;b&gt;&amp;&quot;bold&quot; label"'));
    assert.ok(!xml.includes('\u0007'));
  });

  it('use the document id as root of the part ids, or extend its extension', () => {
    assert.deepEqual(partId({ root: '2.25.7' }, 2, 1), { root: '2.25.7.2.1' });
    assert.deepEqual(partId({ root: '1.2.3', extension: 'DOC-9' }, 5), { root: '1.2.3', extension: 'DOC-9.5' });
    assert.throws(() => partId({ root: '1.2.3' }), RangeError);
  });
});

describe('HL7 values', () => {
  it('turn a UUID into a 2.25 OID (ITU-T X.667 example)', () => {
    assert.equal(oidFromUuid('f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), '2.25.329800735698586629295641978511506172918');
    assert.throws(() => oidFromUuid('not-a-uuid'), RangeError);
  });

  it('keep the prescriber offset in date-times and write instants in Paris time', () => {
    assert.equal(hl7DateTime('2026-10-20T16:05:00+02:00'), '20261020160500+0200');
    assert.equal(hl7DateTime('2026-10-20T14:05Z'), '20261020140500+0000');
    assert.equal(hl7InstantInParis(new Date('2026-07-01T10:00:00Z')), '20260701120000+0200');
    assert.equal(hl7InstantInParis(new Date('2026-12-01T10:00:00Z')), '20261201110000+0100');
    assert.throws(() => hl7DateTime('20/10/2026'), RangeError);
  });

  it('end the validity three calendar months after the prescription date, clamped to the month end', () => {
    assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
    assert.equal(addMonths('2027-11-30', 3), '2028-02-29');
    assert.equal(addMonths('2026-10-20', 3), '2027-01-20');
    assert.deepEqual(validityPeriod('2026-10-20T23:30:00+02:00'), { low: '20261020233000+0200', high: '20270120' });
  });

  it('express dose units in UCUM', () => {
    assert.equal(ucumDoseUnit('comprimés'), '{tablet}');
    assert.equal(ucumDoseUnit('UI'), '[iU]');
    assert.equal(ucumDoseUnit('mg'), 'mg');
    assert.equal(ucumDoseUnit('cuillère à café'), '{cuillere_a_cafe}');
    assert.equal(ucumDoseUnit(undefined), '1');
    // A word that names an inherited member of a plain object is a word like any other.
    assert.equal(ucumDoseUnit('constructor'), '{constructor}');
    assert.equal(ucumDoseUnit('__proto__'), '{__proto__}');
  });

  it('serialize an element tree with indentation only where no text is mixed in', () => {
    const xml = serializeXml(
      el('a', { x: '1', y: undefined }, el('b', {}, 'text ', el('i', {}, 'it')), false, el('c')),
      {
        declaration: false,
      },
    );
    assert.equal(xml, '<a x="1">\n  <b>text <i>it</i></b>\n  <c/>\n</a>\n');
  });

  it('serialize an element tree without any added whitespace when asked', () => {
    const xml = serializeXml(el('a', { x: '1' }, el('b', {}, 'text ', el('i', {}, 'it')), el('c')), {
      declaration: false,
      indent: false,
    });
    assert.equal(xml, '<a x="1"><b>text <i>it</i></b><c/></a>\n');
  });
});
