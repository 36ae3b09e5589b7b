/**
 * The vendor formats' XML Schemas (profiles/vendor-schemas/*.xsd), read from disk and compiled by one
 * xmllint validator each, once per process: every gateway app and use case of the process shares them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { XsdVerdict } from '../../domain/xml-schema';
import { XmllintValidator, type XmllintValidatorOptions } from './xmllint-validator';

const SCHEMA_DIR = path.join(__dirname, '..', '..', 'profiles', 'vendor-schemas');

/** Validates documents against the vendor schema named by its file in profiles/vendor-schemas. */
export interface VendorSchemaValidator {
  validate(schema: string, document: Uint8Array): Promise<XsdVerdict>;
}

const validators = new Map<string, Promise<XmllintValidator>>();

/** The process's validator of `schema`, started on first use (reading and compiling the schema). */
export function vendorSchema(schema: string, options?: XmllintValidatorOptions): Promise<XmllintValidator> {
  let validator = validators.get(schema);
  if (!validator) {
    if (path.basename(schema) !== schema || !schema.endsWith('.xsd')) throw new Error(`not a vendor schema: ${schema}`);
    validator = XmllintValidator.start(readFileSync(path.join(SCHEMA_DIR, schema), 'utf8'), options);
    // A schema that fails to start is not cached: the error reaches every caller, and a later call tries again.
    validator.catch(() => validators.delete(schema));
    validators.set(schema, validator);
  }
  return validator;
}

export const vendorSchemaValidator: VendorSchemaValidator = {
  validate: async (schema, document) => (await vendorSchema(schema)).validate(document),
};
