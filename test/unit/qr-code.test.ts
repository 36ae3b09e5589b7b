import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { parseQrPayload, qrPayload, qrPng, qrSvg, type ScannedCode } from '../../documents/qr-code';
import type { Prescription } from '../../domain/prescription';
import { ALL_CANONICAL_FIXTURES, drugsOnly, locum, manyLines, mixedAld } from '../fixtures/canonical';

const pad90 = (s: string) => s.padEnd(90, ' ');

/** The DevBox sample of docs/domain-digest.md §1.4, rebuilt character for character. */
const SAMPLE_TEXT =
  '{"S":{"V":2},"D":{"ID":"03UE8SP00UGBYH4JF7",' +
  `"P":{"N":"${pad90('NESSI')}","P":"${pad90('Ruth')}","D":"1977-07-14"},` +
  '"M":{"RPPS":"99900023138","RPPS2":"99900007487","AM":"991000696"}}}';

function scanPng(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  assert.ok(found, 'no QR code found in the PNG');
  return found.data;
}

/**
 * Error-correction level read from the format information next to the top-left finder pattern
 * (ISO/IEC 18004 §7.9): jsQR does not report it.
 */
function errorCorrectionLevelOf(png: Buffer): 'L' | 'M' | 'Q' | 'H' {
  const image = PNG.sync.read(png);
  const dark = (x: number, y: number) => image.data[(y * image.width + x) * 4]! < 128;
  // The finder pattern's top-left corner is the first dark pixel on the diagonal; it is 7 modules wide.
  let corner = 0;
  while (!dark(corner, corner)) corner++;
  let run = 0;
  while (dark(corner + run, corner)) run++;
  const moduleSize = run / 7;
  const module = (col: number, row: number) =>
    dark(Math.floor(corner + (col + 0.5) * moduleSize), Math.floor(corner + (row + 0.5) * moduleSize)) ? 1 : 0;
  const positions: Array<[number, number]> = [
    [0, 8],
    [1, 8],
    [2, 8],
    [3, 8],
    [4, 8],
    [5, 8],
    [7, 8],
    [8, 8],
    [8, 7],
    [8, 5],
    [8, 4],
    [8, 3],
    [8, 2],
    [8, 1],
    [8, 0],
  ];
  const bits = positions.reduce((acc, [col, row]) => (acc << 1) | module(col, row), 0) ^ 0x5412;
  return (['M', 'L', 'H', 'Q'] as const)[(bits >> 13) & 0b11]!;
}

const parsed = (text: string): ScannedCode => {
  const result = parseQrPayload(text);
  assert.ok(result.ok, result.ok ? '' : result.problems.map((p) => p.message).join('; '));
  return result.value;
};

const rejection = (text: string): string => {
  const result = parseQrPayload(text);
  assert.equal(result.ok, false, `expected "${text.slice(0, 40)}" to be rejected`);
  return result.ok ? '' : result.problems.map((p) => p.message).join('; ');
};

describe('qrPayload', () => {
  it('reproduces the published locum sample byte for byte', () => {
    const sample: Prescription = {
      ...locum.prescription,
      patient: { ...locum.prescription.patient, family: 'NESSI', given: 'Ruth', birthDate: '1977-07-14' },
    };
    assert.equal(qrPayload(sample, '03UE8SP00UGBYH4JF7'), SAMPLE_TEXT);
  });

  it('the rebuilt sample is what docs/qr-sample.png holds', () => {
    assert.equal(scanPng(readFileSync(join(__dirname, '../../docs/qr-sample.png'))), SAMPLE_TEXT);
  });

  it('puts the signing prescriber in RPPS and no RPPS2 when there is no locum', () => {
    const json = JSON.parse(qrPayload(drugsOnly.prescription, drugsOnly.number));
    assert.deepEqual(json.D.M, { RPPS: '99900023138', AM: '991000696' });
    assert.deepEqual(Object.keys(json), ['S', 'D']);
    assert.deepEqual(Object.keys(json.D), ['ID', 'P', 'M']);
    assert.deepEqual(Object.keys(json.D.P), ['N', 'P', 'D']);
    assert.equal(json.D.P.N, pad90('ESSAI'));
    assert.equal(json.D.P.D, '1977-07-14');
  });

  it('omits AM when the structure only has a FINESS', () => {
    const json = JSON.parse(qrPayload(manyLines.prescription, manyLines.number));
    assert.deepEqual(json.D.M, { RPPS: '99900043219' });
  });

  it('keeps a name longer than the padding width whole', () => {
    const longName = 'A'.repeat(95);
    const p: Prescription = {
      ...drugsOnly.prescription,
      patient: { ...drugsOnly.prescription.patient, family: longName },
    };
    assert.equal(JSON.parse(qrPayload(p, drugsOnly.number)).D.P.N, longName);
  });
});

describe('qrPng / qrSvg', () => {
  for (const fixture of [drugsOnly, locum, mixedAld]) {
    it(`PNG decodes back to the payload (${fixture.description})`, async () => {
      const png = await qrPng(fixture.prescription, fixture.number);
      assert.equal(scanPng(png), qrPayload(fixture.prescription, fixture.number));
    });
  }

  it('the format reader tells the levels apart (checks the checker)', async () => {
    for (const level of ['L', 'M', 'Q', 'H'] as const) {
      const png = await QRCode.toBuffer('ordo-gateway', { errorCorrectionLevel: level, margin: 4, scale: 5 });
      assert.equal(errorCorrectionLevelOf(png), level);
    }
  });

  it('uses error-correction level M and a 4-module quiet zone', async () => {
    const png = await qrPng(locum.prescription, locum.number);
    assert.equal(errorCorrectionLevelOf(png), 'M');
    const image = PNG.sync.read(png);
    const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)!;
    const modules = 17 + 4 * found.version;
    const moduleSize = image.width / (modules + 8);
    assert.ok(Number.isInteger(moduleSize), `width ${image.width} is not (modules + 2×4) × an integer`);
    // Nothing dark in the 4-module margin.
    const margin = 4 * moduleSize;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (x >= margin && x < image.width - margin && y >= margin && y < image.height - margin) continue;
        assert.ok(image.data[(y * image.width + x) * 4]! > 128, `dark pixel in the quiet zone at ${x},${y}`);
      }
    }
  });

  it('SVG is an SVG of the same symbol', async () => {
    const svg = await qrSvg(drugsOnly.prescription, drugsOnly.number);
    assert.match(svg, /^<svg [^>]*viewBox="0 0 (\d+) \1"/);
    const png = await QRCode.toBuffer(qrPayload(drugsOnly.prescription, drugsOnly.number), {
      errorCorrectionLevel: 'M',
      margin: 4,
      scale: 1,
    });
    const side = PNG.sync.read(png).width;
    assert.match(svg, new RegExp(`viewBox="0 0 ${side} ${side}"`));
  });

  it('is deterministic', async () => {
    const [a, b] = await Promise.all([
      qrPng(mixedAld.prescription, mixedAld.number),
      qrPng(mixedAld.prescription, mixedAld.number),
    ]);
    assert.ok(a.equals(b));
  });
});

describe('parseQrPayload', () => {
  it('reads the published sample, trimming the padded names', () => {
    assert.deepEqual(parsed(SAMPLE_TEXT), {
      source: 'qr',
      number: '03UE8SP00UGBYH4JF7',
      patient: { family: 'NESSI', given: 'Ruth', birthDate: '1977-07-14' },
      rpps: '99900023138',
      rpps2: '99900007487',
      am: '991000696',
    });
  });

  it('round-trips every canonical fixture', () => {
    for (const { prescription: p, number } of ALL_CANONICAL_FIXTURES) {
      const code = parsed(qrPayload(p, number));
      assert.equal(code.source, 'qr');
      if (code.source !== 'qr') continue;
      assert.equal(code.number, number);
      assert.deepEqual(code.patient, {
        family: p.patient.family,
        given: p.patient.given,
        birthDate: p.patient.birthDate,
      });
      assert.equal(code.rpps, (p.replacedPrescriber ?? p.prescriber).rpps);
      assert.equal(code.rpps2, p.replacedPrescriber ? p.prescriber.rpps : undefined);
      assert.equal(code.am, p.organization.amNumber);
    }
  });

  it('tolerates whitespace and line ends around the scanned text', () => {
    assert.equal(parsed(`\r\n  ${SAMPLE_TEXT} \n`).number, '03UE8SP00UGBYH4JF7');
  });

  it('accepts a bare number, typed with spaces or dashes', () => {
    assert.deepEqual(parsed(' 03UE8SP00UGBYH4JF7\n'), { source: 'number', number: '03UE8SP00UGBYH4JF7' });
    assert.deepEqual(parsed('03ue-8sp0-0ugb-yh4j-f7'), { source: 'number', number: '03UE8SP00UGBYH4JF7' });
  });

  it('rejects other schema versions, saying which', () => {
    assert.match(rejection(SAMPLE_TEXT.replace('"V":2', '"V":3')), /schema version 3.*only version 2/);
    assert.match(rejection('{"S":{},"D":{}}'), /S\.V.*missing/);
  });

  it('rejects text that is neither JSON nor a number', () => {
    assert.match(rejection('https://example.org/ordonnance'), /neither .* nor an 18-character/);
    assert.match(rejection('03UE8SP00UGBYH4JF'), /18-character/);
    assert.match(rejection('   '), /empty/);
  });

  it('rejects a truncated scan as invalid JSON', () => {
    assert.match(rejection(SAMPLE_TEXT.slice(0, 120)), /not valid JSON/);
  });

  it('lists every missing or malformed field', () => {
    const broken = JSON.stringify({
      S: { V: 2 },
      D: { ID: 'short', P: { N: '   ', P: 'Ruth', D: '14/07/1977' }, M: { RPPS2: 12 } },
    });
    const message = rejection(broken);
    for (const expected of [
      'D.ID should be 18',
      'D.P.N should be a non-blank',
      'D.P.D should be a date',
      'D.M.RPPS is missing',
      'D.M.RPPS2 is missing or not a string',
    ]) {
      assert.ok(message.includes(expected), `"${expected}" not in: ${message}`);
    }
  });
});
