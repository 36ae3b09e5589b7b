/**
 * Issue 13, parts 4 to 6: every prescribing profession named as it should be (PDF read back with pdftotext,
 * CDA author code), the structure's type (vendor formats → FHIR → CDA), ALD per line (vendor formats → FHIR
 * → bizone PDF zones → CDA flags per entry, the CDA judged by the ANS XSD and eP-MED-DM schematron).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { Bundle, FhirResource, Organization, Practitioner, RequestGroup } from 'fhir/r4';
import { buildDmpDocument } from '../../documents/cda/dmp-document';
import { oidFromUuid } from '../../documents/cda/document-ids';
import { publicationIds } from '../../documents/dmp/ids';
import { buildProvideBundle } from '../../documents/dmp/provide-bundle';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { qrPng } from '../../documents/qr-code';
import { isBizone, lineIsAld } from '../../domain/ald';
import type { Prescription, VendorFormat } from '../../domain/prescription';
import { PRESCRIBING_PROFESSIONS, type Profession } from '../../domain/professions';
import { PROFESSION_WORDS } from '../../domain/profession-titles';
import { buildPrescriptionTransaction } from '../../fhir/build-transaction';
import { readPrescription, resolverFor } from '../../fhir/read-prescription';
import { CONTEXT_CODES, EXTENSIONS, TRE_G15_SYSTEM, TRE_R02_SYSTEM, TRE_R38_SYSTEM } from '../../fhir/systems';
import { pscClaims, type DevIdentity } from '../../dev/token-issuer';
import { principalFromClaims } from '../../gateway/security/claims';
import { DEFAULT_BIOLOGY_SAVOIR_FAIRE, DEFAULT_CLAIMS } from '../../gateway/security/config';
import { mapperForFormat } from '../../mappers/index';
import { checkPrescriptionRules } from '../../rules/intake';
import { biologyOnly, drugsOnly, mixedAld } from '../fixtures/canonical';
import { mapped, mapWithSchema } from '../support/map-result';
import { validateCda, type CdaValidationReport } from '../support/validate-cda';
import { vendorExamplesDir } from '../support/vendor-fixtures';

const NOW = new Date('2026-11-26T12:00:00Z');
const HL7 = 'urn:hl7-org:v3';
const UPPER = 'AFFECTION EXONÉRANTE';
const LOWER = 'MALADIES INTERCURRENTES';
const workDir = mkdtempSync(join(tmpdir(), 'prescribers-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
let files = 0;
async function pdfText(p: Prescription, number: string): Promise<string> {
  const pdf = await renderOrdonnancePdf(p, number, { qrPng: await qrPng(p, number), generatedAt: NOW });
  const file = join(workDir, `ordonnance-${++files}.pdf`);
  writeFileSync(file, pdf);
  return flat(execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
}

async function cdaOf(p: Prescription, number: string, index: number): Promise<string> {
  const qr = await qrPng(p, number);
  return buildDmpDocument({
    prescription: p,
    number,
    documentId: { root: oidFromUuid(`1d3c5e7a-9b0d-4f2e-8a6c-${String(index).padStart(12, '0')}`) },
    setId: { root: oidFromUuid(`2e4d6f8b-0c1e-4a3f-9b7d-${String(index).padStart(12, '0')}`) },
    version: 1,
    now: NOW,
    pdf: await renderOrdonnancePdf(p, number, { qrPng: qr, generatedAt: NOW }),
    qrPng: qr,
  }).xml;
}

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const authorCode = (xml: string): Element =>
  parse(xml).getElementsByTagNameNS(HL7, 'assignedAuthor')[0]!.getElementsByTagNameNS(HL7, 'code')[0]!;
const facilityCode = (xml: string): Element =>
  parse(xml).getElementsByTagNameNS(HL7, 'healthCareFacility')[0]!.getElementsByTagNameNS(HL7, 'code')[0]!;

/** The value (true/false) of each FR-En-rapport-avec-ALD observation, in document order. */
function aldObservations(xml: string): boolean[] {
  const values: boolean[] = [];
  const observations = parse(xml).getElementsByTagNameNS(HL7, 'observation');
  for (let i = 0; i < observations.length; i++) {
    const observation = observations[i]!;
    const code = observation.getElementsByTagNameNS(HL7, 'code')[0];
    if (code?.getAttribute('code') !== CONTEXT_CODES.ald) continue;
    values.push(observation.getElementsByTagNameNS(HL7, 'value')[0]!.getAttribute('value') === 'true');
  }
  return values;
}

const signedBy = (p: Prescription, profession: Profession): Prescription => ({
  ...p,
  prescriber: { ...p.prescriber, profession },
});

/** mixedAld with its paracetamol-free lines split: the blood draw and the test strips are not ALD lines. */
const bizone: Prescription = {
  ...mixedAld.prescription,
  organization: { name: 'Centre de santé municipal', finess: '330999012', facilityType: 'SA05' },
  lines: mixedAld.prescription.lines.map((line, i) => (i === 3 || i === 5 ? { ...line, ald: false } : line)),
};

describe('every prescribing profession is named as it should be', () => {
  const texts = new Map<Profession, string>();
  const cdas = new Map<Profession, string>();
  let reports: CdaValidationReport[];
  before(async () => {
    let i = 0;
    for (const profession of PRESCRIBING_PROFESSIONS) {
      // Without the doctor's free-text specialty of the example ("Médecine générale").
      const { specialty: _specialty, ...prescriber } = drugsOnly.prescription.prescriber;
      const p = signedBy({ ...drugsOnly.prescription, prescriber }, profession);
      texts.set(profession, await pdfText(p, drugsOnly.number));
      cdas.set(profession, await cdaOf(p, drugsOnly.number, ++i));
    }
    reports = await validateCda([...cdas.values()], {
      names: [...cdas.keys()].map((p) => `${p}.xml`),
      phase: '#ALL',
    });
  });

  it('covers doctors, dentists, midwives, nurses, physiotherapists, speech therapists, orthoptists, podiatrists', () => {
    assert.deepEqual(
      [...PRESCRIBING_PROFESSIONS].sort(),
      [
        'dentist',
        'doctor',
        'midwife',
        'nurse',
        'orthoptist',
        'physiotherapist',
        'podiatrist',
        'speech-therapist',
      ].sort(),
    );
  });

  for (const profession of PRESCRIBING_PROFESSIONS) {
    const words = PROFESSION_WORDS[profession];
    const doctorTitle = profession === 'doctor' || profession === 'dentist';
    it(`${profession}: the PDF prints ${doctorTitle ? '"Dr"' : 'no "Dr"'} and "${words.printed}"`, () => {
      const text = texts.get(profession)!;
      const { given, family } = drugsOnly.prescription.prescriber;
      assert.ok(text.includes(words.printed), `"${words.printed}" is printed`);
      if (doctorTitle) {
        assert.ok(text.includes(`Dr ${given} ${family}`), 'named Dr');
      } else {
        assert.ok(!/\bDr\b|Docteur/.test(text), `a ${profession} is never "Dr" nor "Docteur": ${text.slice(0, 300)}`);
        assert.ok(!text.includes('Médecin'), `a ${profession} is not a "Médecin"`);
        assert.ok(text.includes(`${given} ${family}`), 'named without a title');
      }
    });

    it(`${profession}: the CDA author code is ${words.authorCode!.code} and the document passes XSD and schematron`, () => {
      const code = authorCode(cdas.get(profession)!);
      assert.equal(code.getAttribute('code'), words.authorCode!.code);
      assert.equal(code.getAttribute('displayName'), words.authorCode!.displayName);
      assert.equal(code.getAttribute('codeSystem'), '1.2.250.1.213.1.1.4.5');
      if (profession !== 'doctor') assert.ok(!cdas.get(profession)!.includes('G15_10'), 'no G15_10 anywhere');
      const report = reports.find((r) => r.file === `${profession}.xml`)!;
      assert.deepEqual(report.xsdErrors, []);
      assert.deepEqual(report.schematronErrors, []);
    });
  }

  it('the DMP metadata names the author with the same profession code', async () => {
    const p = signedBy(drugsOnly.prescription, 'midwife');
    const bundle = buildProvideBundle({
      prescription: p,
      number: drugsOnly.number,
      kind: 'ep-med-dm',
      content: Buffer.from('<ClinicalDocument/>'),
      signature: Buffer.from('<ds:Signature/>'),
      ids: publicationIds({ sourceOid: '2.25.3', number: drugsOnly.number, version: 1 }),
      sourceOid: '2.25.3',
      submittedAt: NOW,
    });
    const json = JSON.stringify(bundle);
    assert.ok(json.includes('"code":"G15_50"'), 'authorSpecialty G15_50');
    assert.ok(!json.includes('"code":"G15_10"'));
  });

  it('a prescription stored before the profession was kept prints and documents as it did (Dr, G15_10)', async () => {
    const text = await pdfText(drugsOnly.prescription, drugsOnly.number);
    const { given, family } = drugsOnly.prescription.prescriber;
    assert.ok(text.includes(`Dr ${given} ${family}`));
    assert.equal(authorCode(await cdaOf(drugsOnly.prescription, drugsOnly.number, 90)).getAttribute('code'), 'G15_10');
  });

  it('a locum is "Remplaçant(e) de" the replaced practitioner, with the locum profession title', async () => {
    const replaced = { rpps: '99900023138', family: 'FICTIF', given: 'Alain' };
    const nurse = { ...signedBy(drugsOnly.prescription, 'nurse'), replacedPrescriber: replaced };
    assert.ok((await pdfText(nurse, drugsOnly.number)).includes('Remplaçant(e) de Alain FICTIF (RPPS 99900023138)'));
    const dentist = { ...signedBy(drugsOnly.prescription, 'dentist'), replacedPrescriber: replaced };
    assert.ok(
      (await pdfText(dentist, drugsOnly.number)).includes('Remplaçant(e) du Dr Alain FICTIF (RPPS 99900023138)'),
    );
  });
});

describe('ALD per line: the bizone ordonnance', () => {
  let text: string;
  let xml: string;
  let report: CdaValidationReport;
  before(async () => {
    text = await pdfText(bizone, mixedAld.number);
    xml = await cdaOf(bizone, mixedAld.number, 100);
    report = (await validateCda([xml], { names: ['bizone.xml'], phase: '#ALL' }))[0]!;
  });

  it('the ALD lines are in the upper zone, the others under the lower zone title', () => {
    assert.ok(isBizone(bizone));
    const upper = text.indexOf(UPPER);
    const lower = text.indexOf(LOWER);
    assert.ok(upper >= 0 && lower > upper, 'both zone titles, upper first');
    for (const label of ['LANTUS', 'GLUCOPHAGE', 'Lecteur de glycémie', 'Injection sous-cutanée d’insuline']) {
      const at = text.indexOf(label.replace('’', "'"));
      assert.ok(at > upper && at < lower, `${label} is in the upper zone`);
    }
    for (const label of ['Bandelettes', 'Prélèvement sanguin veineux']) {
      assert.ok(text.indexOf(label) > lower, `${label} is in the lower zone`);
    }
  });

  it('a prescription-level ALD without line flags keeps every line in the upper zone, the lower one empty', async () => {
    const all = await pdfText(mixedAld.prescription, mixedAld.number);
    const lower = all.indexOf(LOWER);
    assert.ok(lower > all.indexOf('Prélèvement sanguin veineux'), 'every line above the lower zone');
  });

  it('ALD lines without a prescription-level ALD make a bizone ordonnance too', async () => {
    const p: Prescription = {
      ...biologyOnly.prescription,
      lines: biologyOnly.prescription.lines.map((line, i) => (i === 0 ? { ...line, ald: true } : line)),
    };
    assert.equal(p.context.ald, false);
    const t = await pdfText(p, biologyOnly.number);
    assert.ok(t.indexOf(UPPER) >= 0 && t.indexOf(LOWER) > t.indexOf(UPPER));
  });

  it('the CDA says ALD per entry, is a bizone prescription (MED-1096), passes the XSD and the schematron', () => {
    // Drugs (LANTUS, GLUCOPHAGE), then devices (meter: ALD, strips: not).
    assert.deepEqual(aldObservations(xml), [true, true, true, false]);
    assert.ok(xml.includes('code="MED-1096"'));
    assert.equal(facilityCode(xml).getAttribute('code'), 'SA05');
    assert.equal(facilityCode(xml).getAttribute('displayName'), 'Centre de santé');
    assert.deepEqual(report.xsdErrors, []);
    assert.deepEqual(report.schematronErrors, []);
  });

  it('FHIR carries the ALD coding per request and reads the prescription back as it was', () => {
    const bundle = buildPrescriptionTransaction(signedBy(bizone, 'doctor'), {
      number: mixedAld.number,
      messageKey: `epu-json:99900000425:${bizone.messageId}`,
      payloadSha256: '0'.repeat(64),
      newUuid: (() => {
        let n = 0;
        return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      })(),
    });
    const requests = (bundle.entry ?? [])
      .map((e) => e.resource!)
      .filter((r) => ['MedicationRequest', 'DeviceRequest', 'ServiceRequest'].includes(r.resourceType));
    const aldOn = requests.map((r) =>
      ((r as { extension?: { url: string; valueCoding?: { code?: string } }[] }).extension ?? []).some(
        (e) => e.url === EXTENSIONS.prescriptionContext && e.valueCoding?.code === CONTEXT_CODES.ald,
      ),
    );
    assert.deepEqual(aldOn, [true, true, true, false, true, false]);
    assert.deepEqual(
      aldOn,
      bizone.lines.map((line) => lineIsAld(bizone, line)),
    );
    const practitioner = bundle.entry![1]!.resource as Practitioner;
    assert.deepEqual(practitioner.qualification?.[1]?.code.coding?.[0], {
      system: TRE_G15_SYSTEM,
      code: '10',
      display: 'Médecin',
    });
    // Shared resources stay matched by their identifier alone: a stored one without profession or type is reused.
    assert.equal(bundle.entry![1]!.request!.ifNoneExist, 'identifier=https://rpps.esante.gouv.fr|99900000425');
    const organization = bundle.entry!.find((e) => e.resource?.resourceType === 'Organization')!;
    assert.equal((organization.resource as Organization).type?.[0]?.coding?.[0]?.code, 'SA05');
    assert.equal(organization.request!.ifNoneExist, 'identifier=https://finess.esante.gouv.fr|330999012');
    // What counts for the prescription is on its RequestGroup.
    const group = bundle.entry!.find((e) => e.resource?.resourceType === 'RequestGroup')!.resource as RequestGroup;
    const coding = (url: string) => group.extension?.find((e) => e.url === url)?.valueCoding;
    assert.deepEqual(coding(EXTENSIONS.prescriberProfession), {
      system: TRE_G15_SYSTEM,
      code: '10',
      display: 'Médecin',
    });
    assert.deepEqual(coding(EXTENSIONS.facilityType), {
      system: TRE_R02_SYSTEM,
      code: 'SA05',
      display: 'Centre de santé',
    });
    const read = readPrescription(
      bundle.entry!.map((e) => e.resource!),
      resolverFor(bundle.entry as Bundle<FhirResource>['entry'] & object),
    );
    assert.ok(read.ok);
    assert.deepEqual(read.value.prescription, { ...signedBy(bizone, 'doctor'), number: mixedAld.number });
    // A shared Organization created with another type, or a Practitioner without profession: the RequestGroup decides.
    (organization.resource as Organization).type![0]!.coding![0]!.code = 'SA07';
    (bundle.entry![1]!.resource as Practitioner).qualification = undefined;
    const again = readPrescription(
      bundle.entry!.map((e) => e.resource!),
      resolverFor(bundle.entry as Bundle<FhirResource>['entry'] & object),
    );
    assert.ok(again.ok);
    assert.equal(again.value.prescription.organization.facilityType, 'SA05');
    assert.equal(again.value.prescription.prescriber.profession, 'doctor');
  });
});

describe('vendor formats: structure type and line ALD', () => {
  const FILES: Record<VendorFormat, string> = {
    'epu-json': 'valid-bizone-centre-sante.json',
    'lgc-xml': 'valid-bizone-centre-sante.xml',
    'fhir-message': 'valid-bizone-centre-sante.json',
  };
  for (const [format, file] of Object.entries(FILES) as [VendorFormat, string][]) {
    it(`${format}: the bizone example maps to a centre de santé with ALD and non-ALD lines, every rule passes`, async () => {
      const body = readFileSync(join(vendorExamplesDir(format), file));
      const { prescription: p } = mapped(await mapWithSchema(mapperForFormat(format)!, body));
      assert.equal(p.organization.facilityType, 'SA05');
      assert.equal(p.context.ald, true);
      assert.deepEqual(
        p.lines.map((line) => lineIsAld(p, line)),
        [true, true, false, true, true, true, false],
      );
      // Only the lines that differ from the default carry their own flag.
      assert.deepEqual(
        p.lines.map((line) => line.ald),
        [undefined, undefined, false, undefined, undefined, undefined, false],
      );
      assert.deepEqual(checkPrescriptionRules(p, NOW), []);
    });
  }

  it('the older examples have no structure type and no line flag: they map exactly as before', async () => {
    for (const format of ['epu-json', 'lgc-xml', 'fhir-message'] as const) {
      for (const file of ['valid-drugs-only', 'valid-mixed-drugs-device-nursing', 'valid-biology-only']) {
        const ext = format === 'lgc-xml' ? 'xml' : 'json';
        const body = readFileSync(join(vendorExamplesDir(format), `${file}.${ext}`));
        const { prescription: p } = mapped(await mapWithSchema(mapperForFormat(format)!, body));
        assert.equal(p.organization.facilityType, undefined, `${format}/${file}`);
        assert.ok(
          p.lines.every((line) => !('ald' in line)),
          `${format}/${file}`,
        );
      }
    }
  });

  it('an unknown structure type is refused at its path, in every format', async () => {
    const epu = JSON.parse(readFileSync(join(vendorExamplesDir('epu-json'), FILES['epu-json']), 'utf8'));
    epu.prescripteur.structure.secteurActivite = 'SA33';
    const epuResult = await mapWithSchema(mapperForFormat('epu-json')!, Buffer.from(JSON.stringify(epu)));
    assert.ok(!epuResult.ok);
    assert.ok(epuResult.problems.some((p) => p.path === '/prescripteur/structure/secteurActivite'));

    const xml = readFileSync(join(vendorExamplesDir('lgc-xml'), FILES['lgc-xml']), 'utf8').replace(
      'sector="SA05"',
      'sector="SA33"',
    );
    const xmlResult = await mapWithSchema(mapperForFormat('lgc-xml')!, Buffer.from(xml));
    assert.ok(!xmlResult.ok);
    assert.ok(xmlResult.problems.some((p) => p.path === '/Prescription/Prescriber/Practice/@sector'));

    const fhir = readFileSync(join(vendorExamplesDir('fhir-message'), FILES['fhir-message']), 'utf8').replace(
      '"code": "SA05"',
      '"code": "SA33"',
    );
    const fhirResult = await mapWithSchema(mapperForFormat('fhir-message')!, Buffer.from(fhir));
    assert.ok(!fhirResult.ok);
    assert.ok(
      fhirResult.problems.some((p) =>
        /Organization|entry\[\d+\]\.resource\.type\[0\]\.coding\[0\]\.code/.test(p.path ?? ''),
      ),
      JSON.stringify(fhirResult.problems),
    );
  });

  it('the structure type decides the CDA facility type; without one it is a cabinet individuel, as before', async () => {
    const finessOnly: Prescription = {
      ...drugsOnly.prescription,
      organization: { name: 'Hôpital', finess: '330781196' },
    };
    assert.equal(facilityCode(await cdaOf(finessOnly, drugsOnly.number, 200)).getAttribute('code'), 'SA07');
    assert.equal(facilityCode(await cdaOf(drugsOnly.prescription, drugsOnly.number, 201)).getAttribute('code'), 'SA07');
    const group: Prescription = {
      ...drugsOnly.prescription,
      organization: { ...drugsOnly.prescription.organization, facilityType: 'SA08' },
    };
    assert.equal(facilityCode(await cdaOf(group, drugsOnly.number, 202)).getAttribute('code'), 'SA08');
  });
});

describe('the specialty the token names (TRE_R38)', () => {
  const config = { claims: DEFAULT_CLAIMS, biologySavoirFaire: DEFAULT_BIOLOGY_SAVOIR_FAIRE };
  const principal = (identity: DevIdentity) => principalFromClaims({ sub: 's', ...pscClaims(identity) }, config);

  it('a spécialité ordinale savoir-faire (type S) is the principal’s specialty; another type is not', () => {
    assert.equal(
      principal({ role: 'prescriber', profession: 'doctor', rpps: '99900000110', specialty: 'SM54' }).specialty,
      'SM54',
    );
    assert.equal(principal({ role: 'prescriber', profession: 'dentist', rpps: '99900000110' }).specialty, undefined);
    const claims = pscClaims({ role: 'prescriber', profession: 'doctor', rpps: '99900000110', specialty: 'SM54' });
    const refPro = claims[DEFAULT_CLAIMS.refPro] as { exercices: Array<Record<string, unknown>> };
    refPro.exercices[0]!.codeTypeSavoirFaire = 'CAPA';
    assert.equal(principalFromClaims({ sub: 's', ...claims }, config).specialty, undefined);
  });

  it('the CDA author code is profession/specialty when the value set has it, the profession alone otherwise', async () => {
    const p = (specialtyCode: string): Prescription => ({
      ...drugsOnly.prescription,
      prescriber: { ...drugsOnly.prescription.prescriber, profession: 'doctor', specialtyCode },
    });
    const known = await cdaOf(p('SM54'), drugsOnly.number, 300);
    assert.equal(authorCode(known).getAttribute('code'), 'G15_10/SM54');
    assert.equal(authorCode(known).getAttribute('displayName'), 'Médecin - Médecine Générale (SM)');
    assert.equal(authorCode(await cdaOf(p('SM99'), drugsOnly.number, 301)).getAttribute('code'), 'G15_10');
    const [report] = await validateCda([known], { names: ['specialty.xml'], phase: '#ALL' });
    assert.deepEqual(report!.xsdErrors, []);
    assert.deepEqual(report!.schematronErrors, []);
  });

  it('is stored on the RequestGroup and read back', () => {
    const p: Prescription = {
      ...drugsOnly.prescription,
      prescriber: { ...drugsOnly.prescription.prescriber, profession: 'dentist', specialtyCode: 'SCD01' },
    };
    let n = 0;
    const bundle = buildPrescriptionTransaction(p, {
      number: drugsOnly.number,
      messageKey: `epu-json:${p.prescriber.rpps}:${p.messageId}`,
      payloadSha256: '0'.repeat(64),
      newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    });
    const group = bundle.entry!.find((e) => e.resource?.resourceType === 'RequestGroup')!.resource as RequestGroup;
    assert.deepEqual(group.extension?.find((e) => e.url === EXTENSIONS.prescriberSpecialty)?.valueCoding, {
      system: TRE_R38_SYSTEM,
      code: 'SCD01',
    });
    const read = readPrescription(
      bundle.entry!.map((e) => e.resource!),
      resolverFor(bundle.entry as Bundle<FhirResource>['entry'] & object),
    );
    assert.ok(read.ok);
    assert.deepEqual(read.value.prescription, { ...p, number: drugsOnly.number });
  });
});
