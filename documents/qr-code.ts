/**
 * The "Code 2D" printed on the ordonnance: what it contains, how it is drawn, how a scan is read back.
 *
 * Content (docs/domain-digest.md §1.4, decoded from the only public sample, DevBox Code2D_remplacant.png):
 *   {"S":{"V":2},"D":{"ID":<number>,"P":{"N":<family>,"P":<given>,"D":<birth date>},
 *    "M":{"RPPS":<rpps>,"RPPS2":<rpps>,"AM":<numéro AM>}}}
 * Choices where the sample is silent (no normative text is public):
 *  - keys in the sample's order, no whitespace;
 *  - names right-padded with spaces to 90 characters as the sample does; a longer name is kept whole
 *    rather than truncated, since a pharmacist compares it with the patient's identity;
 *  - M.RPPS is the titular practitioner. For a locum (p.replacedPrescriber present) M.RPPS is the
 *    replaced practitioner and M.RPPS2 the locum who signs, matching DevBox's EpCode2D model where the
 *    second field is `rppsRemplacant`; M.RPPS2 is absent otherwise;
 *  - M.AM is the structure's numéro AM, omitted when the structure only has a FINESS.
 * Error correction: level M (the sample uses L; M survives a creased or smudged paper copy at the cost
 * of a slightly denser symbol), quiet zone of 4 modules as ISO/IEC 18004 requires.
 */
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { ok, rejected, type Outcome, type Problem } from '../domain/problem';
import type { IsoDate, Prescription } from '../domain/prescription';
import { isWellFormedNumber, normalizePrescriptionNumber } from '../domain/prescription-number';

export const QR_SCHEMA_VERSION = 2;
export const QR_NAME_WIDTH = 90;
export const QR_ERROR_CORRECTION = 'M' as const;
export const QR_QUIET_ZONE_MODULES = 4;
/** Pixels per module in the PNG: sharp enough to print at any size without resampling blur. */
const PNG_PIXELS_PER_MODULE = 8;

interface QrJson {
  S: { V: number };
  D: {
    ID: string;
    P: { N: string; P: string; D: IsoDate };
    M: { RPPS: string; RPPS2?: string; AM?: string };
  };
}

export function qrPayload(p: Prescription, number: string): string {
  const titular = p.replacedPrescriber ?? p.prescriber;
  const json: QrJson = {
    S: { V: QR_SCHEMA_VERSION },
    D: {
      ID: number,
      P: {
        N: p.patient.family.padEnd(QR_NAME_WIDTH, ' '),
        P: p.patient.given.padEnd(QR_NAME_WIDTH, ' '),
        D: p.patient.birthDate,
      },
      M: {
        RPPS: titular.rpps,
        ...(p.replacedPrescriber ? { RPPS2: p.prescriber.rpps } : {}),
        ...(p.organization.amNumber ? { AM: p.organization.amNumber } : {}),
      },
    },
  };
  return JSON.stringify(json);
}

const QR_OPTIONS = { errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_QUIET_ZONE_MODULES } as const;

/**
 * The PNG is 8-bit grayscale, no alpha, "Up" row filter: a QR code repeats each pixel row
 * PNG_PIXELS_PER_MODULE times, so most rows filter to zeros (~4 KB), and a PDF writer embeds such
 * an image as it is, where qrcode's own RGBA PNG has to be decoded and split (~25 ms of CPU more
 * per ordonnance, and as much again to encode it).
 */
export async function qrPng(p: Prescription, number: string): Promise<Buffer> {
  const { modules } = QRCode.create(qrPayload(p, number), { errorCorrectionLevel: QR_ERROR_CORRECTION });
  const side = (modules.size + 2 * QR_QUIET_ZONE_MODULES) * PNG_PIXELS_PER_MODULE;
  const pixels = Buffer.alloc(side * side, 0xff);
  for (let row = 0; row < modules.size; row++) {
    const top = (row + QR_QUIET_ZONE_MODULES) * PNG_PIXELS_PER_MODULE * side;
    // Draw one pixel row of the module row, then copy it down.
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      const left = top + (col + QR_QUIET_ZONE_MODULES) * PNG_PIXELS_PER_MODULE;
      pixels.fill(0x00, left, left + PNG_PIXELS_PER_MODULE);
    }
    for (let y = 1; y < PNG_PIXELS_PER_MODULE; y++) pixels.copy(pixels, top + y * side, top, top + side);
  }
  const image = new PNG({
    width: side,
    height: side,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
  });
  image.data = pixels;
  return PNG.sync.write(image, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 2 });
}

export function qrSvg(p: Prescription, number: string): Promise<string> {
  return QRCode.toString(qrPayload(p, number), { ...QR_OPTIONS, type: 'svg' });
}

/** What a scanner read: the full QR content, or only the number (typed in, or a scanner set up for it). */
export type ScannedCode =
  | {
      source: 'qr';
      number: string;
      patient: { family: string; given: string; birthDate: IsoDate };
      /** Titular practitioner (the replaced one for a locum). */
      rpps: string;
      /** The locum, when there is one. */
      rpps2?: string;
      am?: string;
    }
  | { source: 'number'; number: string };

const problem = (message: string, path?: string): Problem => ({
  code: 'invalid',
  rule: 'D12',
  message,
  ...(path ? { path } : {}),
});

/** A scanned text that cannot be read as a QR content or a number: a malformed request. */
const unreadable = (problems: Problem[]) => rejected(problems, 'malformed');

/** Read the raw text a pharmacist's scanner produced. */
export function parseQrPayload(text: string): Outcome<ScannedCode, 'malformed'> {
  const trimmed = text.trim();
  if (trimmed === '') return unreadable([problem('the scanned text is empty')]);
  if (!trimmed.startsWith('{')) {
    const number = normalizePrescriptionNumber(trimmed);
    if (isWellFormedNumber(number)) return ok({ source: 'number', number });
    return unreadable([
      problem(
        'the scanned text is neither the JSON content of an e-prescription QR code nor an 18-character prescription number',
      ),
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return unreadable([problem('the scanned text starts like JSON but is not valid JSON (truncated scan?)')]);
  }
  return readQrJson(json);
}

function readQrJson(json: unknown): Outcome<ScannedCode, 'malformed'> {
  const version = field(json, 'S', 'V');
  if (version !== QR_SCHEMA_VERSION) {
    return unreadable([
      problem(
        version === undefined
          ? `not an e-prescription QR code: S.V (schema version) is missing`
          : `unsupported e-prescription QR schema version ${JSON.stringify(version)}: only version ${QR_SCHEMA_VERSION} is known`,
        '/S/V',
      ),
    ]);
  }
  const problems: Problem[] = [];
  const text = (path: string[], rule: RegExp, expected: string): string | undefined => {
    const value = field(json, ...path);
    const pointer = '/' + path.join('/');
    if (typeof value !== 'string') {
      problems.push(problem(`${path.join('.')} is missing or not a string`, pointer));
      return undefined;
    }
    // Names are padded with spaces to a fixed width: the padding is not part of the name.
    const cleaned = value.trim();
    if (!rule.test(cleaned))
      problems.push(problem(`${path.join('.')} should be ${expected}, got "${cleaned}"`, pointer));
    return cleaned;
  };
  const optionalText = (path: string[], rule: RegExp, expected: string): string | undefined =>
    field(json, ...path) === undefined ? undefined : text(path, rule, expected);

  const number = text(['D', 'ID'], /^[0-9A-Z]{18}$/, '18 characters from 0-9 A-Z');
  const family = text(['D', 'P', 'N'], /\S/, 'a non-blank surname');
  const given = text(['D', 'P', 'P'], /\S/, 'a non-blank first name');
  const birthDate = text(['D', 'P', 'D'], /^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
  const rpps = text(['D', 'M', 'RPPS'], /^\d{11}$/, 'an 11-digit RPPS number');
  const rpps2 = optionalText(['D', 'M', 'RPPS2'], /^\d{11}$/, 'an 11-digit RPPS number');
  const am = optionalText(['D', 'M', 'AM'], /^\d{9}$/, 'a 9-digit numéro AM');

  if (problems.length > 0) return unreadable(problems);
  return ok({
    source: 'qr',
    number: number!,
    patient: { family: family!, given: given!, birthDate: birthDate! },
    rpps: rpps!,
    ...(rpps2 !== undefined ? { rpps2 } : {}),
    ...(am !== undefined ? { am } : {}),
  });
}

/** Walk down nested objects; undefined as soon as a step is not an object or lacks the key. */
function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
