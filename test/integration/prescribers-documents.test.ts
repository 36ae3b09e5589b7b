/**
 * Issue 13, parts 4 to 6, on the real HAPI: prescriptions signed by a dentist, a midwife and a nurse (tokens
 * of those professions, TRE_G15 40, 50, 60) are stored with their profession, printed with it (the served
 * ordonnance.pdf read back with pdftotext) and documented with it (the CDA built from what HAPI stores: its
 * author code); the bizone example of every vendor format renders both zones and its CDA passes the ANS XSD
 * and the eP-MED-DM schematron, with the structure's type (centre de santé) and ALD per entry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DOMParser } from '@xmldom/xmldom';
import type { RequestGroup } from 'fhir/r4';
import { buildDmpDocument } from '../../documents/cda/dmp-document';
import { oidFromUuid } from '../../documents/cda/document-ids';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { qrPng } from '../../documents/qr-code';
import type { VendorFormat } from '../../domain/prescription';
import type { Profession } from '../../domain/professions';
import { EXTENSIONS, TRE_G15_SYSTEM, TRE_R02_SYSTEM } from '../../fhir/systems';
import { readStoredPrescription } from '../../usecases/dmp/publish';
import { bearerFor } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postPrescription } from '../support/post-prescription';
import { syntheticRpps } from '../support/synthetic';
import { validateCda } from '../support/validate-cda';
import { example, uniquify } from '../support/vendor-fixtures';

const HL7 = 'urn:hl7-org:v3';
const NOW = new Date();
const workDir = mkdtempSync(join(tmpdir(), 'prescribers-it-'));
let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
  rmSync(workDir, { recursive: true, force: true });
});

const DOLIPRANE = {
  type: 'medicament',
  codeCIP13: '3400935955838',
  codeCIS: '60234100',
  libelle: 'DOLIPRANE 1000 mg, comprimé',
  posologie: { texte: '1 comprimé jusqu’à 3 fois par jour si douleur' },
  quantite: 1,
};
const COMPRESSES = {
  type: 'dispositifMedical',
  codeLPP: '6376090',
  libelle: 'Compresses non tissées non stériles ≥ 100 cm², boîte de 100',
  quantite: 2,
};
const BIOLOGY = { type: 'acteBiologieMedicale', code: '1104', libelle: 'Hémogramme (NFS) y compris plaquettes' };

const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
let files = 0;
function pdfText(pdf: Buffer): string {
  const file = join(workDir, `ordonnance-${++files}.pdf`);
  writeFileSync(file, pdf);
  return flat(execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
}

/** The ordonnance as the gateway serves it. */
async function servedPdf(number: string, auth: string): Promise<string> {
  const res = await request(gw.app)
    .get(`/prescriptions/${number}/ordonnance.pdf`)
    .set('authorization', auth)
    .buffer(true)
    .parse((response, callback) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => callback(null, Buffer.concat(chunks)));
    })
    .expect(200);
  return pdfText(res.body as Buffer);
}

/** The DMP CDA document built from what HAPI stores, as the publication worker builds it. */
async function storedCda(number: string, index: number): Promise<{ xml: string; header: RequestGroup }> {
  const { header, stored } = await readStoredPrescription(gw.deps.fhir, number);
  const qr = await qrPng(stored.prescription, stored.number);
  const document = buildDmpDocument({
    prescription: stored.prescription,
    number,
    documentId: { root: oidFromUuid(`3a5c7e9b-1d2f-4a6b-8c0d-${String(index).padStart(12, '0')}`) },
    setId: { root: oidFromUuid(`4b6d8f0a-2e3a-4b7c-9d1e-${String(index).padStart(12, '0')}`) },
    version: 1,
    now: NOW,
    pdf: await renderOrdonnancePdf(stored.prescription, stored.number, { qrPng: qr, generatedAt: NOW }),
    qrPng: qr,
  });
  return { xml: document.xml, header };
}

const codeOf = (xml: string, container: string): { code: string | null; displayName: string | null } => {
  const code = new DOMParser()
    .parseFromString(xml, 'text/xml')
    .getElementsByTagNameNS(HL7, container)[0]!
    .getElementsByTagNameNS(HL7, 'code')[0]!;
  return { code: code.getAttribute('code'), displayName: code.getAttribute('displayName') };
};

/**
 * A unique copy of the epu-json drugs-only example with other lines, signed by `profession` under an RPPS of
 * its own (the store keeps one Practitioner per RPPS: the example's RPPS is a doctor's in other tests).
 */
async function postAs(profession: Profession, lines?: unknown[], specialty?: string) {
  const unique = uniquify(example('epu-json', 'valid-drugs-only.json'));
  const json = JSON.parse(unique.body.toString());
  if (lines) json.lignes = lines;
  delete json.prescripteur.specialite; // the example's doctor specialty
  json.prescripteur.rpps = syntheticRpps();
  const auth = await bearerFor({
    role: 'prescriber',
    profession,
    rpps: json.prescripteur.rpps,
    ...(specialty ? { specialty } : {}),
  });
  const res = await postPrescription(gw.app, auth, 'epu-json', Buffer.from(JSON.stringify(json)));
  assert.equal(res.status, 201, res.text);
  return {
    number: res.body.number as string,
    auth,
    json,
    given: json.prescripteur.prenom,
    family: json.prescripteur.nom,
  };
}

describe('prescribers other than doctors', () => {
  const cases: Array<{ profession: Profession; lines?: unknown[]; g15: string; title: boolean; printed: string }> = [
    { profession: 'dentist', g15: '40', title: true, printed: 'Chirurgien-dentiste' },
    { profession: 'midwife', lines: [DOLIPRANE, COMPRESSES, BIOLOGY], g15: '50', title: false, printed: 'Sage-femme' },
    { profession: 'nurse', lines: [COMPRESSES], g15: '60', title: false, printed: 'Infirmier(e) diplômé(e) d’État' },
  ];
  cases.forEach(({ profession, lines, g15, title, printed }, i) => {
    test(`a ${profession}'s prescription (TRE_G15 ${g15}) is accepted, printed and documented with that profession`, async () => {
      const { number, auth, given, family } = await postAs(profession, lines);

      const text = await servedPdf(number, auth);
      assert.ok(text.includes(printed), `the PDF prints "${printed}"`);
      if (title) assert.ok(text.includes(`Dr ${given} ${family}`));
      else {
        assert.ok(!/\bDr\b|Docteur|Médecin/.test(text), `no "Dr", "Docteur" nor "Médecin" for a ${profession}`);
        assert.ok(text.includes(`${given} ${family}`));
      }

      const { xml, header } = await storedCda(number, i + 1);
      const stored = header.extension?.find((e) => e.url === EXTENSIONS.prescriberProfession)?.valueCoding;
      assert.deepEqual({ system: stored?.system, code: stored?.code }, { system: TRE_G15_SYSTEM, code: g15 });
      assert.equal(codeOf(xml, 'assignedAuthor').code, `G15_${g15}`);
      assert.ok(!xml.includes('G15_10'), 'never G15_10 "Médecin"');
      const [report] = await validateCda([xml], { names: [`${profession}.xml`], phase: '#ALL' });
      assert.deepEqual(report!.xsdErrors, []);
      // An act-free prescription is an eP-MED-DM document: every schematron rule applies.
      assert.deepEqual(report!.schematronErrors, []);
    });
  });
});

test("a midwife's replacement of her prescription is printed and stored with her profession too", async () => {
  const { number, auth, json } = await postAs('midwife', [DOLIPRANE, COMPRESSES]);
  const corrected = { ...json, idMessage: randomUUID(), lignes: [DOLIPRANE] };
  delete corrected.identifiantPrescription;
  const res = await request(gw.app)
    .post(`/prescriptions/${number}/replace`)
    .set('authorization', auth)
    .set('content-type', 'application/json')
    .send(JSON.stringify(corrected));
  assert.equal(res.status, 201, res.text);
  const text = await servedPdf(res.body.number as string, auth);
  assert.ok(text.includes('Sage-femme'), 'the replacement names the midwife');
  assert.ok(!/\bDr\b|Docteur|Médecin/.test(text), 'no "Dr", "Docteur" nor "Médecin" on it');
});

test('a doctor whose token names a specialty (TRE_R38 SM54) is documented as G15_10/SM54', async () => {
  const { number } = await postAs('doctor', undefined, 'SM54');
  const { xml, header } = await storedCda(number, 5);
  const stored = header.extension?.find((e) => e.url === EXTENSIONS.prescriberSpecialty)?.valueCoding;
  assert.equal(stored?.code, 'SM54');
  assert.deepEqual(codeOf(xml, 'assignedAuthor'), {
    code: 'G15_10/SM54',
    displayName: 'Médecin - Médecine Générale (SM)',
  });
});

describe('the bizone example of every vendor format', () => {
  const FILES: Record<VendorFormat, string> = {
    'epu-json': 'valid-bizone-centre-sante.json',
    'lgc-xml': 'valid-bizone-centre-sante.xml',
    'fhir-message': 'valid-bizone-centre-sante.json',
  };
  (Object.entries(FILES) as [VendorFormat, string][]).forEach(([format, file], i) => {
    test(`${format}: both ALD zones are printed, the CDA passes XSD and schematron with ALD per entry and SA05`, async () => {
      const unique = uniquify(example(format, file));
      const auth = await bearerFor({ role: 'prescriber', profession: 'doctor', rpps: unique.prescriberRpps! });
      const res = await postPrescription(gw.app, auth, format, unique.body);
      assert.equal(res.status, 201, res.text);
      const number = res.body.number as string;

      const text = await servedPdf(number, auth);
      const upper = text.indexOf('AFFECTION EXONÉRANTE');
      const lower = text.indexOf('MALADIES INTERCURRENTES');
      assert.ok(upper >= 0 && lower > upper, 'both zones');
      assert.ok(text.indexOf('LANTUS') > upper && text.indexOf('LANTUS') < lower, 'insulin in the upper zone');
      assert.ok(text.indexOf('DOLIPRANE') > lower, 'paracetamol in the lower zone');
      assert.ok(text.indexOf('Prélèvement sanguin veineux') > lower, 'the blood draw in the lower zone');

      const { xml, header } = await storedCda(number, 10 + i);
      const type = header.extension?.find((e) => e.url === EXTENSIONS.facilityType)?.valueCoding;
      assert.deepEqual({ system: type?.system, code: type?.code }, { system: TRE_R02_SYSTEM, code: 'SA05' });
      assert.deepEqual(codeOf(xml, 'healthCareFacility'), { code: 'SA05', displayName: 'Centre de santé' });
      assert.ok(xml.includes('code="MED-1096"'), 'a bizone prescription');
      const aldValues = [...xml.matchAll(/code="MED-574"[\s\S]*?<value xsi:type="BL" value="(true|false)"\/>/g)].map(
        (m) => m[1],
      );
      // LANTUS, GLUCOPHAGE (ALD), DOLIPRANE (not), meter and strips (ALD).
      assert.deepEqual(aldValues, ['true', 'true', 'false', 'true', 'true']);
      const [report] = await validateCda([xml], { names: [`bizone-${format}.xml`], phase: '#ALL' });
      assert.deepEqual(report!.xsdErrors, []);
      assert.deepEqual(report!.schematronErrors, []);
    });
  });
});
