/**
 * Vendor example payloads, made unique per test run: a fresh message id, INS and number, so that
 * the idempotency and uniqueness rules of the gateway never see data from an earlier run.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { generatePrescriptionNumber } from '../../domain/prescription-number';
import type { VendorFormat } from '../../domain/prescription';
import { isValidRpps } from '../../domain/identifiers';
import { mapperForFormat } from '../../mappers/index';
import { readVendorExamples, vendorExamplesDir, type VendorExample } from '../../gateway/openapi/vendor-examples';
import { isPendingSchemaCheck } from '../../mappers/mapper';
import { syntheticIns } from './synthetic';

export const CONTENT_TYPES: Record<VendorFormat, string> = {
  'epu-json': 'application/json',
  'lgc-xml': 'application/xml',
  'fhir-message': 'application/fhir+json',
};

export { vendorExamplesDir, type VendorExample };

/** The examples of profiles/vendor-examples, read as the API documentation reads them. */
export const vendorExamples = (): VendorExample[] => readVendorExamples(Object.keys(CONTENT_TYPES) as VendorFormat[]);

/** One example by format and file name; the test fails when there is no such file. */
export const example = (format: VendorFormat, name: string): VendorExample => {
  const found = vendorExamples().find((e) => e.format === format && e.name === name);
  assert.ok(found, `${format}/${name} exists`);
  return found;
};

export const freshNumber = (): string =>
  generatePrescriptionNumber({ issuedOn: new Date(), issuer: 1000, random: randomBytes(8) });

/**
 * The same example with a new message id and prescription number, and a new INS for valid
 * examples (an invalid one keeps its INS: it may be the very fault under test). The body comes
 * back as bytes in the example's own encoding.
 */
export function uniquify(example: VendorExample): {
  body: Buffer;
  ins: string;
  number: string | undefined;
  prescriberRpps: string | undefined;
} {
  const ins = example.valid ? syntheticIns() : { value: originalIns(example) ?? '', oid: '' };
  const number = freshNumber();
  const id = randomUUID();
  let body = example.body;
  const keepIns = !example.valid;
  switch (example.format) {
    case 'epu-json': {
      const json = JSON.parse(body);
      json.idMessage = id;
      if (json.patient?.ins && !keepIns) json.patient.ins.valeur = ins.value;
      if (json.identifiantPrescription !== undefined) json.identifiantPrescription = number;
      body = JSON.stringify(json);
      break;
    }
    case 'lgc-xml':
      body = body
        .replace(/<((?:\w+:)?)MessageId>[^<]*<\/(?:\w+:)?MessageId>/, `<$1MessageId>${id}</$1MessageId>`)
        .replace(/(<(?:\w+:)?INS\b[^>]*\bextension=")[^"]*"/, (m, start: string) =>
          keepIns ? m : `${start}${ins.value}"`,
        )
        .replace(
          /<((?:\w+:)?)EPrescriptionNumber>[^<]*<\/(?:\w+:)?EPrescriptionNumber>/,
          `<$1EPrescriptionNumber>${number}</$1EPrescriptionNumber>`,
        );
      break;
    case 'fhir-message': {
      const json = JSON.parse(body);
      json.identifier.value = `urn:uuid:${id}`;
      for (const entry of json.entry ?? []) {
        const r = entry.resource;
        if (r?.resourceType === 'Patient' && !keepIns)
          for (const i of r.identifier ?? [])
            if (String(i.system).startsWith('urn:oid:1.2.250.1.213.1.4.')) i.value = ins.value;
        if (r?.groupIdentifier) r.groupIdentifier.value = number;
        if (r?.requisition) r.requisition.value = number;
      }
      body = JSON.stringify(json);
      break;
    }
  }
  const carried = body.includes(number);
  const bytes = Buffer.from(body, example.encoding);
  return {
    body: bytes,
    ins: ins.value,
    number: carried ? number : undefined,
    prescriberRpps: prescriberRppsOf(example.format, bytes),
  };
}

/**
 * The RPPS of the prescriber who signs a payload (the locum when there is one), read with the
 * format's own mapper: the identity a test must authenticate as to submit it. Undefined when the
 * payload cannot be mapped or its RPPS is not valid (invalid examples). Who signs does not depend on the
 * XSD's verdict: an lgc-xml payload is mapped as if the XSD had found it valid.
 */
function prescriberRppsOf(format: VendorFormat, body: Buffer): string | undefined {
  const parsed = mapperForFormat(format)?.parse(body);
  const mapped = parsed && isPendingSchemaCheck(parsed) ? parsed.complete({ status: 'valid' }) : parsed;
  const rpps =
    mapped && !isPendingSchemaCheck(mapped) && mapped.ok ? mapped.value.prescription.prescriber.rpps : undefined;
  return rpps && isValidRpps(rpps) ? rpps : undefined;
}

/** The INS an example carries, whatever its format. */
function originalIns(example: VendorExample): string | undefined {
  const match =
    /"valeur"\s*:\s*"([0-9AB]{15})"/.exec(example.body) ??
    /INS\b[^>]*\bextension="([^"]*)"/.exec(example.body) ??
    /"system"\s*:\s*"urn:oid:1\.2\.250\.1\.213\.1\.4\.\d+"\s*,\s*"value"\s*:\s*"([^"]*)"/.exec(example.body);
  return match?.[1];
}

/** What supertest must be given so that the bytes go out unchanged (it serialises objects as JSON). */
export const wireBody = (format: VendorFormat, body: Buffer): string | Buffer =>
  format === 'lgc-xml' ? body : body.toString('utf8');
