/**
 * The vendor example payloads of profiles/vendor-examples/<format>/: `valid-*` ones are stored
 * (201), `invalid-*` ones refused with the faulty field named (422). The API documentation shows
 * them as the request examples of POST /prescriptions and $process-message; the tests post the
 * same files (test/support/vendor-fixtures.ts), so the documented examples are the tested ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { VendorFormat } from '../../domain/prescription';

const VENDOR_EXAMPLES_DIR = path.join(__dirname, '..', '..', 'profiles', 'vendor-examples');

/** The folder of one format's examples. */
export const vendorExamplesDir = (format: VendorFormat): string => path.join(VENDOR_EXAMPLES_DIR, format);

export interface VendorExample {
  format: VendorFormat;
  /** The file name, e.g. `valid-drugs-only.json`. */
  name: string;
  valid: boolean;
  /** The file's text, decoded as its XML declaration says (lgc-xml may be ISO-8859-1). */
  body: string;
  encoding: BufferEncoding;
}

/** How the file is encoded: Latin-1 when its XML declaration says ISO-8859-1, else UTF-8. */
export const encodingOf = (bytes: Buffer): BufferEncoding =>
  /^<\?xml[^>]*encoding=["']ISO-8859-1["']/i.test(bytes.subarray(0, 200).toString('latin1')) ? 'latin1' : 'utf8';

/** Every example of the given formats, in file name order within each format. */
export function readVendorExamples(formats: readonly VendorFormat[]): VendorExample[] {
  return formats.flatMap((format) => {
    const dir = vendorExamplesDir(format);
    return readdirSync(dir)
      .sort()
      .map((name) => {
        const bytes = readFileSync(path.join(dir, name));
        const encoding = encodingOf(bytes);
        return { format, name, valid: name.startsWith('valid-'), body: bytes.toString(encoding), encoding };
      });
  });
}
