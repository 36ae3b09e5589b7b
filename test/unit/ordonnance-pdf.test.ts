/**
 * Renders every canonical fixture and reads the PDFs back with poppler-utils (pdftotext, pdftoppm,
 * pdfinfo: Debian package poppler-utils) as a pharmacist's software or eye would.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { renderOrdonnancePdf } from '../../documents/ordonnance-pdf';
import { bodyFlow } from '../../documents/pdf/body-blocks';
import {
  DATA_PROTECTION_MENTION,
  dispensingViewMention,
  doseUnit,
  durationText,
  frenchDate,
  structuredPosologyText,
} from '../../documents/pdf/french';
import { BODY_BOTTOM, FOOTER } from '../../documents/pdf/layout';
import { paginate, type Measured } from '../../documents/pdf/pagination';
import { qrPayload, qrPng } from '../../documents/qr-code';
import type { Prescription } from '../../domain/prescription';
import {
  ALL_CANONICAL_FIXTURES,
  biologyOnly,
  drugsOnly,
  locum,
  manyLines,
  mixedAld,
  type CanonicalFixture,
} from '../fixtures/canonical';

const GENERATED_AT = new Date('2026-11-20T10:00:00Z');
const workDir = mkdtempSync(join(tmpdir(), 'ordonnance-pdf-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** Collapse runs of whitespace: pdftotext -layout pads columns and wraps long lines. */
const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();

interface Rendered {
  pdf: Buffer;
  file: string;
  /** pdftotext -layout, one entry per page. */
  pages: string[];
}

let fileCounter = 0;
async function render(p: Prescription, number: string, generatedAt = GENERATED_AT): Promise<Rendered> {
  const pdf = await renderOrdonnancePdf(p, number, { qrPng: await qrPng(p, number), generatedAt });
  const file = join(workDir, `ordonnance-${++fileCounter}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  return { pdf, file, pages: text.split('\f').filter((page) => page.trim() !== '') };
}

const renderFixture = (f: CanonicalFixture) => render(f.prescription, f.number);
const rendered = new Map<CanonicalFixture, Rendered>();
const ald = { ...manyLines.prescription, context: { ...manyLines.prescription.context, ald: true } };
let aldManyPages: Rendered;

before(async () => {
  for (const fixture of ALL_CANONICAL_FIXTURES) rendered.set(fixture, await renderFixture(fixture));
  aldManyPages = await render(ald, manyLines.number);
});

const doc = (f: CanonicalFixture): Rendered => rendered.get(f)!;
const allText = (r: Rendered): string => flat(r.pages.join(' '));

function assertIncludes(haystack: string, needle: string, where: string): void {
  assert.ok(haystack.includes(needle), `${where}: "${needle}" not found`);
}

/** Expected posology wording: the prescriber's text, else the phrasing of the structured form. */
function printedPosology(line: Prescription['lines'][number]): string | undefined {
  if (line.kind !== 'drug') return undefined;
  return (
    line.posology.text ?? (line.posology.structured ? structuredPosologyText(line.posology.structured) : undefined)
  );
}

describe('renderOrdonnancePdf: content of every fixture', () => {
  for (const fixture of ALL_CANONICAL_FIXTURES) {
    describe(fixture.description, () => {
      const p = fixture.prescription;

      it('prints the patient, birth date and prescription date on page 1', () => {
        const page1 = flat(doc(fixture).pages[0]!);
        assertIncludes(page1, `${p.patient.family} ${p.patient.given}`, 'page 1');
        assertIncludes(page1, frenchDate(p.patient.birthDate), 'page 1');
        assertIncludes(page1, `le ${frenchDate(p.authoredOn.slice(0, 10))}`, 'page 1');
        assert.ok(!page1.includes(p.patient.ins.value), 'the INS must not be printed');
      });

      it('prints the prescriber, RPPS and structure', () => {
        const page1 = flat(doc(fixture).pages[0]!);
        assertIncludes(page1, `Dr ${p.prescriber.given} ${p.prescriber.family}`, 'page 1');
        assertIncludes(page1, `RPPS ${p.prescriber.rpps}`, 'page 1');
        assertIncludes(page1, p.organization.name, 'page 1');
        assertIncludes(
          page1,
          p.organization.amNumber ? `N° AM ${p.organization.amNumber}` : `FINESS ${p.organization.finess}`,
          'page 1',
        );
      });

      it('prints every line label and posology', () => {
        const text = allText(doc(fixture));
        for (const line of p.lines) {
          assertIncludes(text, flat(line.label!), 'document');
          const posology = printedPosology(line);
          if (posology) assertIncludes(text, flat(posology), 'document');
        }
      });

      it('carries the number, the page number and both legal mentions on every page', () => {
        const pages = doc(fixture).pages;
        pages.forEach((page, index) => {
          const text = flat(page);
          const where = `page ${index + 1}`;
          assertIncludes(text, `e-prescription N°${fixture.number}`, where);
          assertIncludes(text, `Page ${index + 1}/${pages.length}`, where);
          assertIncludes(text, flat(dispensingViewMention(p.consent)), where);
          assertIncludes(text, `informé(s) le ${frenchDate(p.consent.informedOn)}`, where);
          assertIncludes(text, flat(DATA_PROTECTION_MENTION), where);
        });
      });

      it('keeps the body out of the footer on every page', () => {
        const footerWords = (page: number, pages: number) =>
          flat(
            [
              `e-prescription N°${fixture.number}`,
              `Page ${page}/${pages}`,
              dispensingViewMention(p.consent),
              DATA_PROTECTION_MENTION,
            ].join(' '),
          )
            .split(' ')
            .sort();
        const pages = wordsByPage(doc(fixture).file);
        pages.forEach((words, index) => {
          const below = words
            .filter((w) => w.yMax > BODY_BOTTOM)
            .map((w) => w.text)
            .sort();
          assert.deepEqual(below, footerWords(index + 1, pages.length), `page ${index + 1}: text below the body area`);
          assert.ok(
            words.filter((w) => w.yMax > BODY_BOTTOM).every((w) => w.yMin >= FOOTER.top),
            `page ${index + 1}`,
          );
        });
      });
    });
  }
});

describe('renderOrdonnancePdf: mentions', () => {
  it('marks the non-substitutable drug with its reason, renewals and quantities', () => {
    const text = allText(doc(drugsOnly));
    assertIncludes(text, 'Non substituable (MTE)', 'drugs-only');
    assertIncludes(text, 'Quantité : 3 boîtes — À renouveler 1 fois', 'drugs-only');
    assertIncludes(text, 'Quantité : 1 boîte — À renouveler 5 fois', 'drugs-only');
    assertIncludes(text, 'Durée de traitement : 3 mois', 'drugs-only');
    assert.equal(text.match(/Non substituable/g)?.length, 1);
    assert.ok(!text.includes('Hors AMM'));
  });

  it('prints the ALD zones, lines in the upper one, and keeps accents', () => {
    const text = allText(doc(mixedAld));
    const upper =
      'Prescriptions relatives au traitement de l’affection de longue durée reconnue (liste ou hors liste) (AFFECTION EXONÉRANTE)';
    const lower = 'Prescriptions SANS RAPPORT avec l’affection de longue durée (MALADIES INTERCURRENTES)';
    assertIncludes(text, upper, 'mixed');
    assertIncludes(text, lower, 'mixed');
    const lastLine = text.indexOf('Prélèvement sanguin veineux à domicile');
    assert.ok(
      text.indexOf(upper) < text.indexOf('LANTUS') && lastLine < text.indexOf(lower),
      'lines belong in the upper zone',
    );
    for (const word of [
      'Dr Hélène MODELE',
      'Prélèvement',
      '30 séances, 1 fois par jour, à domicile, à partir du 21/10/2026',
      '1 séance, à domicile',
    ]) {
      assertIncludes(text, word, 'mixed');
    }
    for (const heading of ['Médicaments', 'Dispositifs médicaux', 'Soins infirmiers'])
      assertIncludes(text, heading, 'mixed');
    assertIncludes(text, 'Code LPP : 1101720 — Quantité : 1', 'mixed');
    assertIncludes(text, 'Cotation NGAP : AMI 1.5', 'mixed');
  });

  it('prints no ALD zone without ALD', () => {
    for (const fixture of [drugsOnly, biologyOnly, locum, manyLines])
      assert.ok(!allText(doc(fixture)).includes('AFFECTION EXONÉRANTE'));
  });

  it('prints biology acts with their NABM codes under their heading', () => {
    const text = allText(doc(biologyOnly));
    assertIncludes(text, 'Analyses de biologie médicale', 'biology');
    for (const code of ['1104', '0552', '0996', '0592', '1610']) assertIncludes(text, `Code NABM : ${code}`, 'biology');
  });

  it('names the replaced practitioner and prints the patient’s objection in the locum case', () => {
    const text = allText(doc(locum));
    assertIncludes(text, 'Dr Béatrice ESSAI-REMPLAÇANTE', 'locum');
    assertIncludes(text, 'Remplaçant(e) du Dr Alain FICTIF (RPPS 99900023138)', 'locum');
    assertIncludes(text, 'CŒURDEROY Anaïs', 'locum');
    assertIncludes(
      text,
      'a (ont) été informé(s) le 05/11/2026 et s’oppose(nt) à ce que je puisse consulter ce qui a été délivré',
      'locum',
    );
    assert.ok(!text.includes('ne s’oppose(nt) pas'));
    assertIncludes(text, 'Accident du travail ou maladie professionnelle du 28/10/2026', 'locum');
    assertIncludes(text, '1 comprimé le matin à jeun avec un verre d’eau', 'locum');
    assertIncludes(text, 'Non substituable (MTE)', 'locum');
    assertIncludes(text, 'Code LPP : 9999023 — Quantité : 1 — Durée : 3 semaines', 'locum');
    assertIncludes(text, '10 séances, 2 à 3 fois par semaine, à partir du 09/11/2026', 'locum');
  });

  it('prints urgency, prevention, non-reimbursable and off-label mentions', () => {
    const text = allText(doc(manyLines));
    for (const mention of [
      'URGENT',
      'Prescription non remboursable',
      'Prescription dans le cadre de la prévention',
      'Hors AMM',
      'Non substituable (CIF)',
    ]) {
      assertIncludes(text, mention, 'many-lines');
    }
    assert.ok(!allText(doc(drugsOnly)).includes('URGENT'));
  });

  it('phrases structured posologies in French', () => {
    const text = allText(doc(manyLines));
    assertIncludes(text, '1,5 comprimé, 2 fois par jour, pendant 2 jours', 'many-lines');
    assertIncludes(text, '2 comprimés, 3 fois par jour, pendant 3 mois', 'many-lines');
    assertIncludes(text, '18 UI, 3 fois par jour, pendant 3 mois', 'many-lines');
  });
});

describe('renderOrdonnancePdf: pages', () => {
  it('spreads 43 lines over several pages, repeating who and which prescription', () => {
    const pages = doc(manyLines).pages;
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    for (const [index, page] of pages.entries()) {
      if (index === 0) continue;
      const top = flat(page.split('\n').slice(0, 3).join(' '));
      assertIncludes(top, 'DUPONT-ESSAI Marcel', `page ${index + 1} top`);
      assertIncludes(top, `e-prescription N°${manyLines.number}`, `page ${index + 1} top`);
    }
    assertIncludes(flat(pages[1]!), 'Médicaments (suite)', 'page 2');
    // Signature once, on the last page.
    assert.equal(allText(doc(manyLines)).match(/Signature du prescripteur/g)?.length, 1);
    assertIncludes(flat(pages.at(-1)!), 'Signature du prescripteur', 'last page');
  });

  it('repeats the ALD zone title on continuation pages and ends with the lower zone', () => {
    const pages = aldManyPages.pages.map(flat);
    assert.ok(pages.length >= 3);
    for (const [index, page] of aldManyPages.pages.entries()) {
      if (index === 0) continue;
      // Below the two-line reminder, the body opens with the upper zone title again, unless only
      // the lower zone is left for this page.
      const firstBodyLine = page
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')[2]!;
      if (firstBodyLine.startsWith('Prescriptions SANS RAPPORT')) continue;
      assert.ok(
        firstBodyLine.startsWith('Prescriptions relatives au traitement'),
        `page ${index + 1} opens with "${firstBodyLine}"`,
      );
      assertIncludes(pages[index]!, '(AFFECTION EXONÉRANTE) (suite)', `page ${index + 1}`);
    }
    assertIncludes(pages.at(-1)!, 'MALADIES INTERCURRENTES', 'last page');
    assert.ok(pages.slice(0, -1).every((page) => !page.includes('MALADIES INTERCURRENTES')));
  });

  it('is A4', () => {
    assert.match(
      execFileSync('pdfinfo', [doc(drugsOnly).file], { encoding: 'utf8' }),
      /Page size:\s+595\.28 x 841\.89 pts \(A4\)/,
    );
  });
});

describe('renderOrdonnancePdf: QR code', () => {
  for (const fixture of [drugsOnly, manyLines]) {
    it(`prints a scannable QR of at least 30 mm on every page (${fixture.description})`, () => {
      const { file, pages } = doc(fixture);
      for (let page = 1; page <= pages.length; page++) {
        const { text, widthMm } = scanFooterQr(file, page);
        assert.equal(text, qrPayload(fixture.prescription, fixture.number), `page ${page}`);
        assert.ok(widthMm >= 30, `QR symbol ${widthMm.toFixed(1)} mm wide on page ${page}`);
      }
    });
  }
});

describe('renderOrdonnancePdf: determinism', () => {
  it('gives the same bytes for the same input', async () => {
    const again = await renderFixture(mixedAld);
    assert.ok(again.pdf.equals(doc(mixedAld).pdf));
  });

  it('records generatedAt as the creation date, and only that changes', async () => {
    const later = await render(mixedAld.prescription, mixedAld.number, new Date('2027-01-02T03:04:05Z'));
    assert.match(
      execFileSync('pdfinfo', ['-isodates', later.file], { encoding: 'utf8' }),
      /CreationDate:\s+2027-01-02T03:04:05/,
    );
    assert.ok(!later.pdf.equals(doc(mixedAld).pdf));
    assert.deepEqual(later.pages, doc(mixedAld).pages);
  });

  it('defaults the creation date to authoredOn', async () => {
    const pdf = await renderOrdonnancePdf(drugsOnly.prescription, drugsOnly.number, {
      qrPng: await qrPng(drugsOnly.prescription, drugsOnly.number),
    });
    const file = join(workDir, 'default-date.pdf');
    writeFileSync(file, pdf);
    assert.match(
      execFileSync('pdfinfo', ['-isodates', file], { encoding: 'utf8' }),
      /CreationDate:\s+2026-10-14T07:32:00/,
    );
  });
});

describe('French phrasing', () => {
  it('phrases a structured posology', () => {
    assert.equal(
      structuredPosologyText({ dosePerIntake: 20, unit: 'UI', intakesPerDay: 1, duration: { value: 1, unit: 'mo' } }),
      '20 UI, 1 fois par jour, pendant 1 mois',
    );
    assert.equal(
      structuredPosologyText({ dosePerIntake: 0.5, unit: 'comprimé', intakesPerDay: 2 }),
      '0,5 comprimé, 2 fois par jour',
    );
    assert.equal(structuredPosologyText({ duration: { value: 10, unit: 'd' } }), 'pendant 10 jours');
  });

  it('puts dose units in the plural from 2, except abbreviations', () => {
    assert.equal(doseUnit(2, 'comprimé'), 'comprimés');
    assert.equal(doseUnit(1.5, 'gélule'), 'gélule');
    assert.equal(doseUnit(2, 'cuillère à café'), 'cuillères à café');
    assert.equal(doseUnit(3, 'bouffée'), 'bouffées');
    for (const unit of ['UI', 'mg', 'ml', 'µg', 'mg/kg']) assert.equal(doseUnit(5, unit), unit);
  });

  it('phrases durations', () => {
    assert.deepEqual(
      [
        durationText({ value: 1, unit: 'd' }),
        durationText({ value: 2, unit: 'wk' }),
        durationText({ value: 3, unit: 'mo' }),
        durationText({ value: 1, unit: 'a' }),
        durationText({ value: 2, unit: 'a' }),
      ],
      ['1 jour', '2 semaines', '3 mois', '1 an', '2 ans'],
    );
  });

  it('groups lines by type in a fixed order whatever the input order', () => {
    const headings = bodyFlow(manyLines.prescription)
      .map((e) => e.block)
      .filter((b) => b.kind === 'heading')
      .map((b) => (b.kind === 'heading' ? b.text : ''));
    assert.deepEqual(headings, [
      'Médicaments',
      'Dispositifs médicaux',
      'Analyses de biologie médicale',
      'Soins infirmiers',
      'Kinésithérapie',
      'Pédicurie-podologie',
      'Orthophonie',
      'Orthoptie',
    ]);
  });
});

describe('paginate', () => {
  const entry = (
    block: string,
    height: number,
    keepWithNext = false,
    repeatAbove: string[] = [],
  ): Measured<string> => ({
    block,
    height,
    keepWithNext,
    repeatAbove: repeatAbove.map((b) => ({ block: b, height: 5 })),
  });
  const blocks = (pages: ReturnType<typeof paginate<string>>) =>
    pages.map((page) => page.map((p) => `${p.block}@${p.top}`));

  it('fills pages and repeats headers above a continued group', () => {
    const pages = paginate([entry('H', 10, true), entry('a', 40, false, ['H+']), entry('b', 40, false, ['H+'])], {
      firstPageHeight: 60,
      otherPagesHeight: 100,
    });
    assert.deepEqual(blocks(pages), [
      ['H@0', 'a@10'],
      ['H+@0', 'b@5'],
    ]);
  });

  it('moves a heading to the next page rather than leaving it alone at the bottom', () => {
    const pages = paginate([entry('a', 40), entry('H', 10, true), entry('b', 20)], {
      firstPageHeight: 60,
      otherPagesHeight: 100,
    });
    assert.deepEqual(blocks(pages), [['a@0'], ['H@0', 'b@10']]);
  });

  it('places an entry taller than a page on a page of its own', () => {
    const pages = paginate([entry('a', 10), entry('huge', 500), entry('b', 10)], {
      firstPageHeight: 100,
      otherPagesHeight: 100,
    });
    assert.deepEqual(blocks(pages), [['a@0'], ['huge@0'], ['b@0']]);
  });
});

interface Word {
  text: string;
  yMin: number;
  yMax: number;
}

/** Words and their boxes (points, origin top left) per page, from pdftotext -bbox. */
function wordsByPage(file: string): Word[][] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  const unescape = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  return html
    .split('<page ')
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(
        (m) => ({
          yMin: Number(m[1]),
          yMax: Number(m[2]),
          text: unescape(m[3]!),
        }),
      ),
    );
}

/** Rasterise the footer band of one page at 150 dpi and scan it as a handheld scanner would. */
function scanFooterQr(file: string, page: number): { text: string; widthMm: number } {
  const dpi = 150;
  const px = (pt: number) => Math.round((pt * dpi) / 72);
  const prefix = join(workDir, `qr-${++fileCounter}`);
  const crop = [
    '-x',
    '0',
    '-y',
    String(px(FOOTER.top - 10)),
    '-W',
    String(px(260)),
    '-H',
    String(px(FOOTER.height + 20)),
  ];
  execFileSync('pdftoppm', [
    '-png',
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    ...crop,
    file,
    prefix,
  ]);
  const image = PNG.sync.read(readFileSync(`${prefix}.png`));
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(found, `no QR code found on page ${page}`);
  const widthPx = found.location.topRightCorner.x - found.location.topLeftCorner.x;
  return { text: found.data, widthMm: (widthPx / dpi) * 25.4 };
}
