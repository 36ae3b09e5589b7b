/**
 * The epu-json 1.0 JSON Schema (draft 2020-12, copied from the vendor material into
 * profiles/vendor-schemas), compiled once at module load with ajv + ajv-formats.
 * Besides the whole-payload validator, error reports use the schema without its lines plus each
 * line type's definition as its own validator: the schema's `oneOf` over line types makes ajv
 * report every branch's errors, so a line is judged against the one branch its `type` selects.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from './vendor-schemas/epu-json.schema.json';

export type { ErrorObject };

/** The schema as the vendor material gives it (draft 2020-12): the API documentation shows it (gateway/openapi). */
export const EPU_JSON_SCHEMA: Readonly<Record<string, unknown>> = schema;

const OPTIONS = {
  strict: true,
  strictRequired: false, // the schema's anyOf branches name properties declared by the parent
  useDefaults: false, // never mutate the payload; the mapper applies defaults
} as const;

function compiler(allErrors: boolean): Ajv2020 {
  const ajv = new Ajv2020({ ...OPTIONS, allErrors });
  addFormats(ajv, ['date', 'date-time']);
  ajv.addSchema(schema);
  return ajv;
}

/**
 * Two compilations: stopping at the first error makes the accept path about twice as fast; a
 * rejected payload is then validated again with every error collected, so that the vendor sees
 * all problems at once.
 */
const firstErrorAjv = compiler(false);
const allErrorsAjv = compiler(true);

function schemaValidator(ajv: Ajv2020, id: string, fragment = ''): ValidateFunction {
  const validate = ajv.getSchema(`${id}${fragment}`);
  if (!validate) throw new Error(`epu-json schema has no ${fragment || 'root'}`);
  return validate as ValidateFunction;
}

/** True when the payload follows the schema. Fast; gives no usable errors. */
export const isValidEpuJson: ValidateFunction = schemaValidator(firstErrorAjv, schema.$id);

/**
 * For error reports: the same schema with each line accepted as is (`items: true`); lines are
 * judged one by one against their own type (lineSchemaErrors). Collecting every error of the
 * `oneOf` over line types costs far more than the payload is worth (every branch reports on every
 * line: seconds for a hostile body of thousands of `{}` lines) and says nothing useful.
 */
const ENVELOPE_ID = `${schema.$id}:envelope`;
allErrorsAjv.addSchema({
  ...schema,
  $id: ENVELOPE_ID,
  properties: { ...schema.properties, lignes: { ...schema.properties.lignes, items: true } },
});
const validateEnvelope: ValidateFunction = schemaValidator(allErrorsAjv, ENVELOPE_ID);

/** Every schema error outside the lines' own members (lines: see lineSchemaErrors). */
export function envelopeSchemaErrors(payload: unknown): ErrorObject[] {
  return validateEnvelope(payload) ? [] : [...(validateEnvelope.errors ?? [])];
}

/** Line `type` value → the `$defs` entry that describes such a line. */
const EPU_LINE_DEFINITIONS = {
  medicament: 'medicament',
  dispositifMedical: 'dispositifMedical',
  acteBiologieMedicale: 'acteBiologieMedicale',
  acteInfirmier: 'acteParamedical',
  acteKinesitherapie: 'acteParamedical',
  actePedicurie: 'acteParamedical',
  acteOrthophonie: 'acteParamedical',
  acteOrthoptie: 'acteParamedical',
} as const;
export type EpuLineType = keyof typeof EPU_LINE_DEFINITIONS;

export const EPU_LINE_TYPES = Object.keys(EPU_LINE_DEFINITIONS) as EpuLineType[];

const LINE_VALIDATORS: Readonly<Record<EpuLineType, ValidateFunction>> = Object.fromEntries(
  EPU_LINE_TYPES.map((type) => [
    type,
    schemaValidator(allErrorsAjv, schema.$id, `#/$defs/${EPU_LINE_DEFINITIONS[type]}`),
  ]),
) as Record<EpuLineType, ValidateFunction>;

export const isEpuLineType = (value: unknown): value is EpuLineType =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(EPU_LINE_DEFINITIONS, value);

/** Errors of one line against the definition of its own type (instance paths relative to the line). */
export function lineSchemaErrors(type: EpuLineType, line: unknown): ErrorObject[] {
  const validate = LINE_VALIDATORS[type];
  return validate(line) ? [] : [...(validate.errors ?? [])];
}
