/**
 * Issue 12, through the door: every lgc-xml example and every mutation of
 * test/support/lgc-xml-mutations.ts, made unique, is posted to POST /prescriptions and judged by the
 * independent `xmllint --schema profiles/vendor-schemas/lgc-xml.xsd` (Debian's libxml2). XSD-valid ⇔ the
 * gateway does not refuse it for structure: a valid example or mutation is stored (201), an invalid
 * example that the XSD accepts is refused by a business rule only (the mapper maps it). XSD-invalid ⇔
 * refused with 422, or 400 when not well-formed: never 201, and each issue names an XPath.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OperationOutcome } from 'fhir/r4';
import { mapper } from '../../mappers/lgc-xml';
import { prescriberBearer } from '../support/auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { LGC_XML_MUTATIONS } from '../support/lgc-xml-mutations';
import { mapWithSchema } from '../support/map-result';
import { postPrescription } from '../support/post-prescription';
import { example, uniquify, vendorExamples, type VendorExample } from '../support/vendor-fixtures';
import { xmllintCli } from '../support/xmllint-cli';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(async () => {
  await gw.close();
});

/** A unique copy of `base` (fresh message id, number, INS), changed by `edit`, with the bearer of its prescriber. */
async function uniqueCopy(base: VendorExample, edit: (xml: string) => string = (xml) => xml) {
  const unique = uniquify(base);
  const body = Buffer.from(edit(unique.body.toString(base.encoding)), base.encoding);
  // An example whose RPPS is the fault under test is posted by a valid prescriber: it is refused before the signer is.
  return { body, auth: await prescriberBearer(unique.prescriberRpps ?? '99900023138') };
}

function assertRefusedAtXPaths(status: number, body: unknown, output: string): void {
  assert.ok(status === 422 || status === 400, `XSD-invalid (${output.trim()}), answered ${status}`);
  const outcome = body as OperationOutcome;
  assert.equal(outcome.resourceType, 'OperationOutcome');
  assert.ok(outcome.issue.length > 0);
  if (status === 422)
    for (const issue of outcome.issue)
      assert.match(issue.expression?.[0] ?? '', /^\/Prescription/, JSON.stringify(issue));
}

describe('POST /prescriptions (lgc-xml) agrees with xmllint --schema', () => {
  for (const base of vendorExamples().filter((e) => e.format === 'lgc-xml')) {
    test(`example ${base.name}`, async () => {
      const { body, auth } = await uniqueCopy(base);
      const xsd = xmllintCli(body);
      const res = await postPrescription(gw.app, auth, 'lgc-xml', body);
      if (!xsd.valid) return assertRefusedAtXPaths(res.status, res.body, xsd.output);
      if (base.valid) return assert.equal(res.status, 201, res.text);
      // An invalid example the XSD accepts breaks a business rule: 422, and its structure is not what is refused.
      assert.equal(res.status, 422, res.text);
      assert.ok((await mapWithSchema(mapper, body)).ok);
    });
  }

  for (const mutation of LGC_XML_MUTATIONS) {
    test(mutation.name, async () => {
      const { body, auth } = await uniqueCopy(example('lgc-xml', mutation.base), mutation.edit);
      const xsd = xmllintCli(body);
      const res = await postPrescription(gw.app, auth, 'lgc-xml', body);
      if (xsd.valid) assert.equal(res.status, 201, res.text);
      else assertRefusedAtXPaths(res.status, res.body, xsd.output);
    });
  }

  test('an export carrying xsi:schemaLocation, as any XSD-valid export may, is stored', async () => {
    const withHint = LGC_XML_MUTATIONS.filter((m) => /^xsi:(noNamespaceS|s)chemaLocation on/.test(m.name));
    assert.equal(withHint.length, 4);
    for (const mutation of withHint) {
      const { body, auth } = await uniqueCopy(example('lgc-xml', mutation.base), mutation.edit);
      assert.ok(xmllintCli(body).valid, mutation.name);
      const res = await postPrescription(gw.app, auth, 'lgc-xml', body);
      assert.equal(res.status, 201, `${mutation.name}: ${res.text}`);
    }
  });
});
