/**
 * The epu-json 1.0 JSON Schema (draft 2020-12, copied from the vendor material into
 * profiles/vendor-schemas), compiled once at module load with ajv + ajv-formats.
 * Besides the whole-payload validators, each line type's definition is exposed as its own
 * validator: the schema's `oneOf` over line types makes ajv report every branch's errors, so the
 * mapper re-validates a faulty line against the one branch its `type` selects.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import schema from './vendor-schemas/epu-json.schema.json';

export type { ErrorObject };

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
 * Two compilations of the same schema: stopping at the first error makes the accept path about
 * twice as fast; a rejected payload is then validated again with every error collected, so that
 * the vendor sees all problems at once (the body is ≤ 1 MiB and lines ≤ 100, so that is bounded).
 */
const firstErrorAjv = compiler(false);
const allErrorsAjv = compiler(true);

function schemaValidator(ajv: Ajv2020, fragment = ''): ValidateFunction {
  const validate = ajv.getSchema(`${schema.$id}${fragment}`);
  if (!validate) throw new Error(`epu-json schema has no ${fragment || 'root'}`);
  return validate as ValidateFunction;
}

/** True when the payload follows the schema. Fast; gives no usable errors. */
export const isValidEpuJson: ValidateFunction = schemaValidator(firstErrorAjv);

/** Every schema error of a payload (`errors` is set after a false return). For rejected payloads. */
export const validateEpuJson: ValidateFunction = schemaValidator(allErrorsAjv);

/** Line `type` value → the `$defs` entry that describes such a line. */
export const EPU_LINE_DEFINITIONS = {
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
  EPU_LINE_TYPES.map((type) => [type, schemaValidator(allErrorsAjv, `#/$defs/${EPU_LINE_DEFINITIONS[type]}`)]),
) as Record<EpuLineType, ValidateFunction>;

export const isEpuLineType = (value: unknown): value is EpuLineType =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(EPU_LINE_DEFINITIONS, value);

/** Errors of one line against the definition of its own type (instance paths relative to the line). */
export function lineSchemaErrors(type: EpuLineType, line: unknown): ErrorObject[] {
  const validate = LINE_VALIDATORS[type];
  return validate(line) ? [] : [...(validate.errors ?? [])];
}
