/**
 * The schemas of the API documentation (components.schemas): the gateway's own JSON answers, minimal
 * FHIR resource shapes (the resources themselves follow FHIR R4 and the project's profiles, which HAPI
 * validates), and the vendor formats — epu-json by its own JSON Schema (profiles/vendor-schemas), its
 * `$defs` hoisted into components so that every OpenAPI tool resolves them.
 */
import { generatePrescriptionNumber } from '../../domain/prescription-number';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { EPU_JSON_SCHEMA } from '../../profiles/epu-json-schema';
import { MESSAGE_HANDLERS } from '../../usecases/messaging/handlers';
import type { JsonObject } from './types';

export const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/**
 * A number as a path segment: 18 characters of 0-9 A-Z, case-insensitive, spaces and dashes ignored
 * (domain/prescription-number.ts readPrescriptionNumber; test/unit/openapi-document.test.ts checks they agree).
 */
export const NUMBER_SEGMENT_PATTERN = '^[ -]*(?:[0-9A-Za-z][ -]*){18}$';

/** A well-formed number of ours, for the examples (fixed: the document is the same on every start). */
export const EXAMPLE_NUMBER = generatePrescriptionNumber({
  issuedOn: new Date('2026-11-26T00:00:00Z'),
  issuer: 1,
  random: Uint8Array.from([0x5a, 0x17, 0xc3, 0x9e, 0x04, 0xb2, 0x6d, 0xf1]),
});

const EPU_JSON = 'EpuJson';

/** The events $process-message handles: `prescription-create`, `dispense-record`, `patient-consent`. */
const MESSAGE_EVENT_CODES = Object.keys(MESSAGE_HANDLERS)
  .map((code) => `\`${code}\``)
  .join(', ');

/** `#/$defs/x` → `#/components/schemas/EpuJson.x`, everywhere in a schema. */
function hoistedRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(hoistedRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')
        ? [key, `#/components/schemas/${EPU_JSON}.${value.slice('#/$defs/'.length)}`]
        : [key, hoistedRefs(value)],
    ),
  );
}

/** The epu-json schema as components: `EpuJson` (the payload) and `EpuJson.<definition>`. */
function epuJsonSchemas(): Record<string, JsonObject> {
  const { $schema: _dialect, $id: id, $defs: defs = {}, ...root } = EPU_JSON_SCHEMA;
  const hoisted: Record<string, JsonObject> = {
    [EPU_JSON]: { ...(hoistedRefs(root) as JsonObject), $comment: `${String(id)} (profiles/vendor-schemas)` },
  };
  for (const [name, def] of Object.entries(defs as Record<string, unknown>))
    hoisted[`${EPU_JSON}.${name}`] = hoistedRefs(def) as JsonObject;
  return hoisted;
}

/** A FHIR R4 resource of one type, described by its type only. */
const fhirResourceOf = (type: string, description: string): JsonObject => ({
  type: 'object',
  description,
  required: ['resourceType'],
  properties: { resourceType: { const: type }, id: { type: 'string' } },
  additionalProperties: true,
});

const FHIR_SCHEMAS: Record<string, JsonObject> = {
  FhirResource: {
    type: 'object',
    description:
      'A FHIR R4 resource (http://hl7.org/fhir/R4/); stored ones follow the profiles of profiles/structure-definitions.',
    required: ['resourceType'],
    properties: {
      resourceType: { type: 'string' },
      id: { type: 'string' },
      meta: { type: 'object', properties: { versionId: { type: 'string' }, lastUpdated: { type: 'string' } } },
    },
    additionalProperties: true,
  },
  OperationOutcome: {
    type: 'object',
    description:
      'Why the request was refused or failed: one issue per problem, `expression` the path of the faulty field in the payload as sent (JSON pointer for epu-json, XPath for lgc-xml, FHIRPath for FHIR), `diagnostics` the rule (V1–V12…) and a sentence saying what is wrong. Never a stack trace; a server-side failure quotes the request id (X-Request-Id).',
    required: ['resourceType', 'issue'],
    properties: {
      resourceType: { const: 'OperationOutcome' },
      issue: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['severity', 'code'],
          properties: {
            severity: { enum: ['fatal', 'error', 'warning', 'information'] },
            code: {
              type: 'string',
              description:
                'FHIR issue type: invalid, structure, required, value, business-rule, forbidden, login, not-found, conflict, throttled, too-long, not-supported, transient, exception…',
            },
            diagnostics: { type: 'string' },
            expression: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    // What invalid-nir-key.json (profiles/vendor-examples/epu-json) is answered.
    example: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'value',
          diagnostics: 'V3: INS key is 34 but the NIR body 2770775999101 gives 33 (97 − body mod 97)',
          expression: ['/patient/ins/valeur'],
        },
      ],
    },
  },
  Bundle: {
    type: 'object',
    description: 'A FHIR R4 Bundle.',
    required: ['resourceType', 'type'],
    properties: {
      resourceType: { const: 'Bundle' },
      id: { type: 'string' },
      type: { enum: ['collection', 'searchset', 'message', 'transaction', 'transaction-response', 'batch', 'history'] },
      total: { type: 'integer' },
      link: {
        type: 'array',
        items: { type: 'object', properties: { relation: { type: 'string' }, url: { type: 'string' } } },
      },
      entry: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            fullUrl: {
              type: 'string',
              description:
                'A stored resource: `<PUBLIC_BASE_URL>/audit/fhir/<Type>/<id>`; a computed one (the dispensing summary): `urn:uuid:…`.',
            },
            resource: ref('FhirResource'),
          },
        },
      },
    },
    additionalProperties: true,
  },
  PrescriptionBundle: {
    allOf: [ref('Bundle')],
    description:
      'The prescription as a `collection` Bundle: its dispensing summary first (a `Parameters`), then the stored resources (RequestGroup, MedicationRequest/DeviceRequest/ServiceRequest, Patient, Practitioner, Organization, Consent) and the dispensing/execution records (MedicationDispense, SupplyDelivery, Procedure). For a prescriber whose patient objects to it, the records are withheld and the summary says so.',
  },
  DispensesBundle: {
    allOf: [ref('Bundle')],
    description:
      'A `collection` Bundle: the dispensing summary (a `Parameters`), then the dispensing/execution records.',
  },
  MessageBundle: {
    allOf: [ref('Bundle')],
    description: `A FHIR message: a Bundle of type \`message\` whose first entry is the MessageHeader (\`eventCoding\` ${MESSAGE_EVENT_CODES} of ${MESSAGE_EVENT_SYSTEM}).`,
  },
  ResponseMessage: {
    allOf: [ref('Bundle')],
    description:
      'The response message: a `message` Bundle whose MessageHeader.response has `identifier` = the request’s MessageHeader id and `code` `ok`, `fatal-error` (an OperationOutcome entry says why) or `transient-error` (send the same message later).',
  },
  CapabilityStatement: fhirResourceOf(
    'CapabilityStatement',
    'What the gateway’s FHIR endpoint does: messaging (the supported events) and the reliable-cache period.',
  ),
  Consent: fhirResourceOf(
    'Consent',
    'The patient’s choice about the prescriber seeing the dispensing, as stored (a new version; `dateTime` = when recorded; `provision.type` `deny` = the patient objects).',
  ),
};

const GATEWAY_SCHEMAS: Record<string, JsonObject> = {
  PrescriptionNumber: {
    type: 'string',
    pattern: '^[0-9A-Z]{18}$',
    description:
      '18 characters: the gateway’s numbers use Crockford’s base 32 (no I, L, O, U) and end with a Damm check character; a number generated by the practice software is any 18 characters of 0-9 A-Z.',
    example: EXAMPLE_NUMBER,
  },
  IntakeResult: {
    type: 'object',
    required: ['number', 'status', 'resources', 'links'],
    properties: {
      number: ref('PrescriptionNumber'),
      replaces: {
        ...ref('PrescriptionNumber'),
        description: 'A replacement only: the number of the prescription it replaces (now deactivated).',
      },
      status: { type: 'string', description: 'The prescription’s status as stored (`active`).', example: 'active' },
      resources: {
        type: 'object',
        description: 'The ids, on the FHIR store, of the stored requests, one per line.',
        required: ['MedicationRequest', 'DeviceRequest', 'ServiceRequest'],
        properties: Object.fromEntries(
          ['MedicationRequest', 'DeviceRequest', 'ServiceRequest'].map((t) => [
            t,
            { type: 'array', items: { type: 'string' } },
          ]),
        ),
      },
      links: {
        type: 'object',
        required: ['qr', 'pdf', 'fhir'],
        properties: {
          qr: { type: 'string', example: `/prescriptions/${EXAMPLE_NUMBER}/qr.png` },
          pdf: { type: 'string', example: `/prescriptions/${EXAMPLE_NUMBER}/ordonnance.pdf` },
          fhir: { type: 'string', example: `/prescriptions/${EXAMPLE_NUMBER}` },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { const: 'ok' } },
  },
  Ready: {
    type: 'object',
    required: ['status', 'fhir', 'redis'],
    properties: { status: { const: 'ready' }, fhir: { const: 'up' }, redis: { const: 'up' } },
  },
  LgcXml: {
    type: 'string',
    description:
      'An lgc-xml 1.0 document (namespace urn:example:lgc:prescription:1; XSD: profiles/vendor-schemas/lgc-xml.xsd), UTF-8 or ISO-8859-1 as its XML declaration says; no DTD, no entities.',
  },
  PatientChoice: {
    description:
      'The patient’s (new) choice, one per request, as the epu-json member or a FHIR Consent (`policyRule` topic `consultation-delivrance` — the default — or `alimentation-dmp`; `provision.type` `deny` = the patient objects, `permit`): the prescriber seeing the dispensing, or an objection to the DMP feed. An objection to the DMP feed withdraws what was published (logical deletion, PDSm) and is final: `false` / `permit` is refused for it.',
    oneOf: [
      {
        type: 'object',
        required: ['oppositionConsultationDelivrance'],
        additionalProperties: false,
        properties: { oppositionConsultationDelivrance: { type: 'boolean' } },
      },
      {
        type: 'object',
        required: ['oppositionAlimentationDMP'],
        additionalProperties: false,
        properties: { oppositionAlimentationDMP: { type: 'boolean', enum: [true] } },
      },
      ref('Consent'),
    ],
  },
  DispenseSubmission: {
    description:
      'What was dispensed or executed: a FHIR `collection` Bundle of records, or one record — MedicationDispense (drugs), SupplyDelivery (devices), Procedure (acts, one per session) — each naming the prescription line it executes (README “Dispensing and execution”); or a line not delivered (MedicationDispense `declined`, Procedure `not-done`, with a coded reason), or the correction of a stored record (sent back alone with status `entered-in-error`) (README “Counter outcomes”).',
    oneOf: [ref('Bundle'), ref('FhirResource')],
  },
};

export function componentSchemas(): Record<string, JsonObject> {
  return { ...GATEWAY_SCHEMAS, ...FHIR_SCHEMAS, ...epuJsonSchemas() };
}
