/**
 * Cost of hostile bodies (npm run bench:hostile): payloads built to make a parser or a
 * validator work hard — deep nesting, huge error reports, entity tricks, namespace floods.
 * Each must be refused, and the table shows what refusing it costs (lgc-xml: the XSD validation
 * included, for the bodies that are well-formed). No server needed.
 */
import { mapper as epuJson } from '../../mappers/epu-json';
import { mapper as lgcXml } from '../../mappers/lgc-xml';
import type { VendorMapper } from '../../mappers/mapper';
import { vendorSchemaValidator } from '../../platform/xsd/vendor-schemas';
import { mapPayload } from '../../usecases/intake/map-payload';
import { printTable } from '../support/stats';

const ROOT = '<?xml version="1.0"?><Prescription xmlns="urn:example:lgc:prescription:1" schemaVersion="1.0">';
const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>
<Prescription xmlns="urn:example:lgc:prescription:1" schemaVersion="1.0">&lol9;</Prescription>`;

const CASES: Array<[string, VendorMapper, string]> = [
  [
    'epu-json: 170,000 empty lines (512 KiB)',
    epuJson,
    `{"lignes":[${Array.from({ length: 170_000 }, () => '{}').join(',')}]}`,
  ],
  ['epu-json: nesting 100,000 deep', epuJson, `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ['lgc-xml: billion laughs', lgcXml, laughs],
  ...(['<!--', '<![CDATA[', '<?x '] as const).map((o): [string, VendorMapper, string] => [
    `lgc-xml: 512 KiB of unterminated ${o}`,
    lgcXml,
    ROOT + o.repeat(Math.floor((512 * 1024) / o.length)),
  ]),
  ['lgc-xml: 100,000 &amp; references', lgcXml, `${ROOT}${'&amp;'.repeat(100_000)}</Prescription>`],
  [
    'lgc-xml: 15,000 namespace declarations × 5,000 children',
    lgcXml,
    ROOT.replace(
      'schemaVersion',
      `${Array.from({ length: 15_000 }, (_, i) => `xmlns:p${i}="urn:x"`).join(' ')} schemaVersion`,
    ) +
      '<a xmlns="urn:x"/>'.repeat(5000) +
      '</Prescription>',
  ],
];

async function main(): Promise<void> {
  await mapPayload(lgcXml, Buffer.from(ROOT), vendorSchemaValidator); // the XSD validator started first
  const rows = [];
  for (const [name, mapper, text] of CASES) {
    const body = Buffer.from(text);
    const started = performance.now();
    const result = await mapPayload(mapper, body, vendorSchemaValidator);
    const ms = performance.now() - started;
    if (result.ok) throw new Error(`${name}: a hostile body was accepted`);
    rows.push([name, (body.length / 1024).toFixed(0), result.kind, result.problems.length, ms]);
  }
  printTable('hostile bodies: each refused; time to refuse it', ['case', 'KiB', 'refused as', 'issues', 'ms'], rows);
}

void main();
