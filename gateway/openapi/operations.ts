/**
 * What the API documentation says about each route of the table (gateway/routes/table.ts), by route
 * id: THE place to document a route. A route added to the table without an entry here, or an entry
 * for no route, fails the type check; its method and path come from the table (document.ts).
 *
 * Written here: summary, description, query/header parameters, request body, success answers and
 * what the route's error statuses mean. Added from the table by document.ts: the path parameters
 * (parameters.ts), who may call it (the grants), the errors every authenticated route can give
 * (401, 403, 500, 503) and those of a route that reads a body (400, 413).
 */
import { CONFORMANCE_TYPES } from '../conformance/catalog';
import { PAYLOAD_LIMITS } from '../../domain/limits';
import type { VendorFormat } from '../../domain/prescription';
import { DOCUMENT_KINDS } from '../../documents/prescription-documents';
import { QR_SCHEMA_VERSION } from '../../documents/qr-code';
import { MAPPERS } from '../../mappers';
import {
  AUDITED_TYPES,
  MAX_COUNT,
  PAGING_PARAMETERS,
  PATIENT_IDENTIFIER_CHAIN,
  searchParametersOf,
} from '../audit/search-whitelist';
import { RELIABLE_CACHE_MINUTES } from '../messaging/reliable-cache';
import { DEAD_LETTER_QUEUES, JOB_ID_PATTERN } from '../../queue/dead-letters';
import { DEAD_LETTERS_SHOWN } from '../routes/dead-letters';
import type { RouteId } from '../routes/table';
import type { ErrorStatus } from './responses';
import { EXAMPLE_NUMBER, ref } from './schemas';
import type { JsonObject } from './types';
import type { VendorExample } from './vendor-examples';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The groups of operations, in the order the documentation shows them. */
export const TAGS = [
  {
    name: 'Prescriptions',
    description: 'Practice software and prescribers: submit, cancel, documents, the patient’s choice.',
  },
  {
    name: 'Dispensing',
    description: 'Pharmacies and other professionals: look up, record what was dispensed or done.',
  },
  { name: 'FHIR', description: 'The gateway’s FHIR endpoint: messaging.' },
  { name: 'Auditor API', description: 'Read-only access to the audit trail and the stored records, for auditors.' },
  { name: 'Operations', description: 'Queues and metrics, for operators.' },
  {
    name: 'Audit console',
    description:
      'The browser console at /console (auditors; operators for its operations page): its sign-in (OpenID Connect, authorization code + PKCE) opens a server-side session; the browser holds an HttpOnly SameSite=Strict cookie that the gateway accepts in place of the bearer token on the routes above.',
  },
  { name: 'Service', description: 'Liveness, readiness and this documentation: public.' },
] as const;
export type Tag = (typeof TAGS)[number]['name'];

export interface OperationDoc {
  tag: Tag;
  summary: string;
  description: string;
  /** A route that answers any method ('*'): the methods documented, at its path without the final `/*`. */
  methods?: readonly Method[];
  /** Query and header parameters (path parameters come from the path: parameters.ts). */
  parameters?: readonly JsonObject[];
  /** A path parameter that means something else here than in parameters.ts (same name, other values). */
  pathParameters?: Readonly<Record<string, JsonObject>>;
  requestBody?: JsonObject;
  /** The success answers, by status. */
  responses: Readonly<Record<string, JsonObject>>;
  /** The route's own error statuses, each with what it means here (`null`: the shared meaning). */
  errors?: Partial<Readonly<Record<ErrorStatus, string | null>>>;
  /** What each request example (components.examples name) answers on this route: tested by posting it. */
  exampleStatus?: Readonly<Record<string, number>>;
}

const FHIR_JSON = 'application/fhir+json';

/** A dead letter as GET /admin/dead-letters lists it (queue/dead-letters.ts DeadLetter). */
const DEAD_LETTER: JsonObject = {
  type: 'object',
  required: ['id', 'queue', 'action', 'reason', 'attempts'],
  properties: {
    id: { type: 'string' },
    queue: { type: 'string', enum: [...DEAD_LETTER_QUEUES] },
    number: { type: 'string', description: 'The prescription the job is about.' },
    action: { type: 'string', description: 'publish, deprecate, withdraw, or the audit event name.' },
    reason: { type: 'string' },
    attempts: { type: 'integer' },
    failedAt: { type: 'string', format: 'date-time' },
  },
};
const DEAD_LETTER_LIST: JsonObject = {
  type: 'object',
  properties: {
    queues: { type: 'array', items: { type: 'string' } },
    deadLetters: { type: 'array', items: DEAD_LETTER },
    counts: {
      type: 'object',
      description: 'How many dead letters each queue holds.',
      additionalProperties: { type: 'integer' },
    },
  },
};

/** POST /prescriptions and its dry run: the format, when the Content-Type does not say it. */
const VENDOR_FORMAT_HEADER: JsonObject = {
  name: 'X-Vendor-Format',
  in: 'header',
  required: false,
  description: 'The payload’s format, when its Content-Type does not say it.',
  schema: { type: 'string', enum: MAPPERS.map((m) => m.format) },
};
const CONFORMANCE_TYPE_PARAMETER: JsonObject = {
  name: 'type',
  in: 'path',
  required: true,
  description: 'A conformance resource type.',
  schema: { type: 'string', enum: [...CONFORMANCE_TYPES] },
};
const fhir = (schema: JsonObject): JsonObject => ({ [FHIR_JSON]: { schema } });
const HTML_CONTENT: JsonObject = { 'text/html': { schema: { type: 'string' } } };
const ok = (description: string, content?: JsonObject, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  ...(content ? { content } : {}),
});
const LOCATION = { Location: { $ref: '#/components/headers/Location' } };

/** The name of an example in components.examples: `<format>.<file name without extension>`. */
export const exampleName = (e: Pick<VendorExample, 'format' | 'name'>): string =>
  `${e.format}.${e.name.replace(/\.[^.]+$/, '')}`;

/** References to the examples, the valid ones first (the first is the one shown). */
const exampleRefs = (examples: readonly VendorExample[], outcome: (e: VendorExample) => string): JsonObject =>
  Object.fromEntries(
    [...examples.filter((e) => e.valid), ...examples.filter((e) => !e.valid)].map((e) => [
      exampleName(e),
      { $ref: `#/components/examples/${exampleName(e)}`, summary: `${e.name} → ${outcome(e)}` },
    ]),
  );

/** The schema of each vendor format's payload (a format added to mappers/ needs one here). */
const PAYLOAD_SCHEMAS: Readonly<Record<VendorFormat, JsonObject>> = {
  'epu-json': ref('EpuJson'),
  'lgc-xml': ref('LgcXml'),
  'fhir-message': ref('MessageBundle'),
};

const intakeStatus = (e: VendorExample): number => (e.valid ? 201 : 422);

/** POST /prescriptions: one media type per media type a mapper reads, with that format's schema and examples. */
function vendorPayloads(examples: readonly VendorExample[]): JsonObject {
  return Object.fromEntries(
    MAPPERS.flatMap((mapper) =>
      mapper.mediaTypes.map((media) => [
        media,
        {
          schema: PAYLOAD_SCHEMAS[mapper.format],
          examples: exampleRefs(
            examples.filter((e) => e.format === mapper.format),
            (e) => (e.valid ? '201 Created' : '422 (the faulty field named)'),
          ),
        },
      ]),
    ),
  );
}

const numberLookup = (what: string): string =>
  `${what} A number that matches nothing is \`404\`, or \`400\` naming the likely typo when it looks like one of ours mistyped; every lookup is paid from the caller’s lookup budget (\`429\` when spent).`;

export function operationDocs(examples: readonly VendorExample[]): Readonly<Record<RouteId, OperationDoc>> {
  const messages = examples.filter((e) => e.format === 'fhir-message');
  return {
    health: {
      tag: 'Service',
      summary: 'Liveness',
      description: 'The process answers. No token.',
      responses: { 200: ok('Alive.', { 'application/json': { schema: ref('Health') } }) },
    },
    ready: {
      tag: 'Service',
      summary: 'Readiness',
      description: 'The FHIR store and Redis both answer. No token.',
      responses: { 200: ok('Ready.', { 'application/json': { schema: ref('Ready') } }) },
      errors: { 503: 'The FHIR store or Redis does not answer: one issue for each.' },
    },
    'docs.openapi': {
      tag: 'Service',
      summary: 'This OpenAPI document',
      description: 'The OpenAPI 3.1 description of every route. No token.',
      responses: { 200: ok('The document.', { 'application/json': { schema: { type: 'object' } } }) },
    },
    'docs.page': {
      tag: 'Service',
      summary: 'API documentation page',
      description: 'This document, browsable (Swagger UI, served by the gateway itself). No token.',
      responses: { 200: ok('An HTML page.', { 'text/html': { schema: { type: 'string' } } }) },
    },
    'docs.asset': {
      tag: 'Service',
      summary: 'A file of the documentation page',
      description: 'The scripts, style sheet and icon of the documentation page. No token.',
      responses: { 200: ok('The file.', { 'text/css': {}, 'text/javascript': {}, 'image/png': {} }) },
      errors: { 404: 'No such file.' },
    },

    'prescription.create': {
      tag: 'Prescriptions',
      summary: 'Submit a prescription',
      description: [
        'A vendor payload → a stored FHIR prescription, its unique number, QR code and printable ordonnance; its publication to the patient’s DMP is queued (unless the patient objects).',
        `The format is told by \`Content-Type\` (${MAPPERS.map((m) => `${m.mediaTypes.map((t) => `\`${t}\``).join(', ')} ${m.format}`).join('; ')}) or by \`X-Vendor-Format\`. At most ${PAYLOAD_LIMITS.maxBytes.toLocaleString('en-US')} bytes and ${PAYLOAD_LIMITS.maxLines} lines.`,
        'The token’s RPPS must be the payload’s prescriber’s (the locum’s when there is one), and every line within what the token’s profession may prescribe.',
        'Idempotent: the same message (same prescriber and message id, same content) sent again answers `200` with the stored prescription; other content under the same message id is a `409`.',
        'The examples are the vendor examples of profiles/vendor-examples (each says what it answers).',
      ].join('\n\n'),
      parameters: [VENDOR_FORMAT_HEADER],
      requestBody: { required: true, content: vendorPayloads(examples) },
      responses: {
        201: ok(
          'Stored. `Location`: /prescriptions/{number}.',
          { 'application/json': { schema: ref('IntakeResult') } },
          LOCATION,
        ),
        200: ok(
          'The same message was already accepted: the stored prescription.',
          { 'application/json': { schema: ref('IntakeResult') } },
          LOCATION,
        ),
      },
      errors: {
        400: 'The payload cannot be read (not well-formed JSON or XML, wrong encoding, empty).',
        403: 'The token may not submit this payload: its RPPS is not the prescriber’s, or a line is outside what its profession may prescribe (one issue per refused line, `expression` the line in the payload).',
        409: 'The message id was already used with other content, or the vendor-supplied number belongs to another prescription.',
        415: 'Neither the Content-Type nor X-Vendor-Format names a format the gateway reads.',
        422: 'A rule of the vendor contract (V1–V12) is broken: one issue per problem, `expression` the path in the payload as sent (JSON pointer, XPath or FHIRPath).',
        429: 'A vendor-supplied number is a lookup too: the budget is spent.',
        502: null,
      },
      exampleStatus: Object.fromEntries(examples.map((e) => [exampleName(e), intakeStatus(e)])),
    },
    'prescription.validate': {
      tag: 'Prescriptions',
      summary: 'Check a prescription without storing it (dry run)',
      description: [
        'The same body, media types, token and checks as `POST /prescriptions` (mapping, V1–V12, the number’s form, the signer, the prescribing scope, the R4 schema of what would be stored), and nothing stored, no number consumed, no lookup spent.',
        'FHIR `$validate` convention: a payload the gateway can read is answered `200` whatever the verdict, with a `Parameters`: `outcome` (an OperationOutcome: every problem with its rule code in `details.coding`, or one information issue saying it is valid) and, when valid, `return` (the transaction Bundle that would be stored, the number zero-filled: it is assigned on POST). An issue of code `forbidden` means POST would answer 403, any other error 422. Not checked: whether the message id or a vendor-supplied number is already taken (that would be a lookup).',
      ].join('\n\n'),
      parameters: [VENDOR_FORMAT_HEADER],
      requestBody: { required: true, content: vendorPayloads(examples) },
      responses: {
        200: ok('The verdict: `Parameters` with `outcome` and, when valid, `return`.', fhir(ref('FhirResource'))),
      },
      errors: {
        400: 'The payload cannot be read (not well-formed JSON or XML, wrong encoding, empty).',
        415: 'Neither the Content-Type nor X-Vendor-Format names a format the gateway reads.',
      },
      exampleStatus: Object.fromEntries(examples.map((e) => [exampleName(e), 200])),
    },
    'prescription.scan': {
      tag: 'Dispensing',
      summary: 'Look up a scanned prescription',
      description: numberLookup(
        'The raw text a scanner read — the QR content (JSON) or a bare number — → the prescription, as `GET /prescriptions/{number}` answers it.',
      ),
      requestBody: {
        required: true,
        content: {
          'text/plain': { schema: { type: 'string' }, example: EXAMPLE_NUMBER },
          'application/json': {
            schema: { description: 'The QR content, or a JSON string holding what the scanner read.' },
            example: {
              S: { V: QR_SCHEMA_VERSION },
              D: {
                ID: EXAMPLE_NUMBER,
                P: { N: 'MARTIN', P: 'JEANNE', D: '1961-03-14' },
                M: { RPPS: '99900023138' },
              },
            },
          },
        },
      },
      responses: { 200: ok('The prescription.', fhir(ref('PrescriptionBundle'))) },
      errors: {
        400: 'The text is neither a QR content nor a prescription number, or names a likely typo.',
        404: 'No prescription has that number.',
        422: 'The QR content names another patient or prescriber than the stored prescription (it may have been altered).',
        429: null,
        502: null,
      },
    },
    'prescription.read': {
      tag: 'Dispensing',
      summary: 'Read a prescription',
      description: numberLookup(
        'The prescription as a FHIR `collection` Bundle: its dispensing summary first, then the stored resources and the dispensing/execution records. A prescriber reads only what they signed; a dispenser reads any by its number.',
      ),
      responses: { 200: ok('The prescription.', fhir(ref('PrescriptionBundle'))) },
      errors: {
        400: 'Not a prescription number, or a likely typo of one (the issue names it).',
        403: 'The route is not for the token’s role or profession, or a prescriber reads a prescription they did not sign.',
        404: 'No prescription has that number.',
        429: null,
        502: null,
      },
    },
    'dispense.record': {
      tag: 'Dispensing',
      summary: 'Record dispenses, deliveries or sessions',
      description: numberLookup(
        'What was dispensed (MedicationDispense), delivered (SupplyDelivery) or done (Procedure) for lines of the prescription. Recording the same records again (same identifiers) answers `200` with them as stored. ' +
          'Counter outcomes (README, Counter outcomes): a line not delivered is a MedicationDispense `declined` (or a Procedure `not-done`) with a coded reason, and consumes nothing; a dosage other than the prescribed one carries the prescriber’s agreement (extension ordo-ext-dosage-agreement); a stored record sent back alone with status `entered-in-error` (its id or identifier) corrects it within 24 hours: its quantity returns to the line and the QR code is reactivated if the prescription had been fully dispensed (`200` when it was already corrected).',
      ),
      requestBody: { required: true, content: fhir(ref('DispenseSubmission')) },
      responses: {
        201: ok(
          'Recorded: the new dispensing summary and the records as stored. `Location`: /prescriptions/{number}/dispenses.',
          fhir(ref('DispensesBundle')),
          LOCATION,
        ),
        200: ok('Every record was already recorded: the stored records.', fhir(ref('DispensesBundle')), LOCATION),
      },
      errors: {
        400: 'Not a prescription number, or the body is not readable JSON.',
        403: 'The professional may not execute that line type (pharmacist: drugs and devices; nurse: nursing acts…), or a correction comes from another structure than the one that recorded the record.',
        404: 'No prescription has that number, or a correction names a record the prescription does not have.',
        409: 'The prescription’s state does not allow it: deactivated, more than what remains, or another dispense won a race; or a correction more than 24 hours after the record was stored.',
        415: 'The body is not FHIR JSON (`application/fhir+json` or `application/json`).',
        422: 'The records are wrong whatever the state (line named, quantities, dates…).',
        429: null,
        502: null,
      },
    },
    'dispense.read': {
      tag: 'Dispensing',
      summary: 'What was dispensed (for the prescriber)',
      description: numberLookup(
        'The dispensing summary and records of a prescription, for its prescriber, unless the patient objects to it.',
      ),
      responses: { 200: ok('The dispensing summary and records.', fhir(ref('DispensesBundle'))) },
      errors: {
        400: 'Not a prescription number, or a likely typo of one.',
        403: 'Not the prescriber of this prescription, or the patient objects to the prescriber seeing the dispensing (the issue says so).',
        404: 'No prescription has that number.',
        429: null,
        502: null,
      },
    },
    'prescription.cancel': {
      tag: 'Prescriptions',
      summary: 'Cancel what was not dispensed',
      description: numberLookup('The prescriber cancels every line, or what remains of it, that was not dispensed.'),
      responses: {
        200: ok(
          'An OperationOutcome telling, line by line, what was cancelled and what could not be.',
          fhir(ref('OperationOutcome')),
        ),
      },
      errors: {
        400: 'Not a prescription number, or a likely typo of one.',
        403: 'Not the prescriber of this prescription.',
        404: 'No prescription has that number.',
        409: 'Nothing on the prescription can be cancelled.',
        429: null,
        502: null,
      },
    },
    'prescription.replace': {
      tag: 'Prescriptions',
      summary: 'Replace a prescription by a corrected one',
      description: [
        numberLookup(
          'The prescriber corrects a prescription nothing of which was dispensed: the body is a new prescription, in any format `POST /prescriptions` reads (same media types, `X-Vendor-Format`, checks and token rule), for the same patient.',
        ),
        'In ONE transaction, the new prescription is stored with its own number (its RequestGroup `replaces` the old one) and the old one is deactivated: its lookups answer status `replaced` and `replacedBy` (the new number), dispensing it is a `409` naming the new number. The DMP document of the new one replaces the old one’s (`relatesTo` `replaces`, the old one `superseded`).',
        'A fhir-message may instead go to `POST /prescriptions` or `$process-message` with the MessageHeader extension `ordo-ext-replaces` (see docs/vendor-formats.md). Idempotent like `POST /prescriptions`: the same message again answers `200` with the same new number.',
      ].join('\n\n'),
      parameters: [VENDOR_FORMAT_HEADER],
      requestBody: {
        required: true,
        content: Object.fromEntries(
          MAPPERS.flatMap((m) => m.mediaTypes.map((media) => [media, { schema: PAYLOAD_SCHEMAS[m.format] }])),
        ),
      },
      responses: {
        201: ok(
          'Stored, the old prescription deactivated. `Location`: /prescriptions/{new number}; `replaces` is the old number.',
          { 'application/json': { schema: ref('IntakeResult') } },
          LOCATION,
        ),
        200: ok(
          'The same message was already accepted: the replacement it made.',
          { 'application/json': { schema: ref('IntakeResult') } },
          LOCATION,
        ),
      },
      errors: {
        400: 'Not a prescription number in the URL, or the payload cannot be read.',
        403: 'Not the prescriber who signed the prescription replaced (A10), or the token may not submit this payload (as `POST /prescriptions`).',
        404: 'No prescription has that number.',
        409: 'The prescription was partly dispensed or executed, is no longer active, or was already replaced (D17: cancel what remains and prescribe anew); or a dispense or another replacement won a race; or the message id was used with other content.',
        415: 'Neither the Content-Type nor X-Vendor-Format names a format the gateway reads.',
        422: 'A rule of the vendor contract is broken, or the patient (INS) is not the replaced prescription’s (D17, `expression` the INS in the payload), or the message names another replaced number than the URL.',
        429: null,
        502: null,
      },
    },
    'consent.record': {
      tag: 'Prescriptions',
      summary: 'Record the patient’s choice: the dispensing view, or an objection to the DMP feed',
      description: numberLookup(
        'The patient’s (new) choice, one per request: the prescriber seeing what was dispensed (`oppositionConsultationDelivrance`), or an objection to the DMP feed (`oppositionAlimentationDMP: true`), which withdraws the documents already published (PDSm logical deletion, by the DMP worker) and stops any later publication; `GET /prescriptions/{number}` shows `dmpPublication.state` `withdrawing` then `withdrawn`. Answer: the new version of the stored Consent of that topic.',
      ),
      requestBody: {
        required: true,
        content: {
          [FHIR_JSON]: { schema: ref('PatientChoice'), example: { oppositionConsultationDelivrance: true } },
          'application/json': { schema: ref('PatientChoice'), example: { oppositionAlimentationDMP: true } },
        },
      },
      responses: { 200: ok('The stored Consent.', fhir(ref('Consent'))) },
      errors: {
        400: 'Not a prescription number, or the body is not readable JSON.',
        403: 'Neither the prescriber of this prescription nor a dispenser.',
        404: 'No prescription has that number.',
        409: 'The choice kept changing under concurrent updates: retry.',
        415: 'The body is not JSON (`application/fhir+json` or `application/json`).',
        422: 'Not one of `{"oppositionConsultationDelivrance": true|false}`, `{"oppositionAlimentationDMP": true}`, a Consent with `provision.type` deny or permit (deny only for `alimentation-dmp`).',
        429: null,
        502: null,
      },
    },
    'prescription.document': {
      tag: 'Prescriptions',
      summary: 'QR code or printable ordonnance',
      description: numberLookup('The QR code (PNG or SVG) or the A4 ordonnance (PDF), rendered from what is stored.'),
      responses: {
        200: ok(
          'The document (never cached: `Cache-Control: private, no-store`).',
          Object.fromEntries(
            [...new Set([...DOCUMENT_KINDS.values()].map((k) => k.contentType))].map((type) => [type, {}]),
          ),
        ),
      },
      errors: {
        400: 'Not a prescription number, or a likely typo of one.',
        403: 'The route is not for the token’s role or profession, or a prescriber reads a prescription they did not sign.',
        404: 'No prescription has that number, or no such document.',
        429: null,
        502: null,
      },
    },

    'fhir.metadata': {
      tag: 'FHIR',
      summary: 'CapabilityStatement',
      description:
        'The gateway’s FHIR endpoint: messaging through $process-message, with the MessageDefinitions it accepts, the profiles its resources are stored under and how to authenticate (the FHIR store itself is never exposed). Public, like every FHIR server’s /metadata.',
      responses: { 200: ok('The CapabilityStatement.', fhir(ref('CapabilityStatement'))) },
    },
    'fhir.conformance.search': {
      tag: 'FHIR',
      summary: 'Search the conformance resources',
      description:
        'The conformance resources the gateway defines, under one canonical base: StructureDefinitions (with snapshots), SearchParameters, MessageDefinitions, OperationDefinitions, CodeSystems, ValueSets. Public: point a validator at them. Any other type: 404.',
      pathParameters: { type: CONFORMANCE_TYPE_PARAMETER },
      parameters: ['url', '_id', 'name', 'version'].map((name) => ({
        name,
        in: 'query',
        required: false,
        schema: { type: 'string' },
      })),
      responses: { 200: ok('A `searchset` Bundle.', fhir(ref('Bundle'))) },
      errors: { 400: 'A search parameter not supported here.', 404: 'A type the gateway does not serve.' },
    },
    'fhir.conformance.read': {
      tag: 'FHIR',
      summary: 'Read a conformance resource',
      description: 'One conformance resource by id (e.g. `/fhir/MessageDefinition/prescription-create`).',
      pathParameters: {
        type: CONFORMANCE_TYPE_PARAMETER,
        id: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The resource’s id.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$', example: 'ordo-patient' },
        },
      },
      responses: { 200: ok('The resource.', fhir(ref('FhirResource'))) },
      errors: { 404: 'No such resource, or a type the gateway does not serve.' },
    },
    'fhir.process-message': {
      tag: 'FHIR',
      summary: 'FHIR messaging ($process-message)',
      description: [
        'A message Bundle (event `prescription-create` or `dispense-record`) → `200` with a response message whose MessageHeader.response has `identifier` = the request’s MessageHeader id and `code` `ok`, `fatal-error` (with the OperationOutcome) or `transient-error` (the store or Redis is down, or the sender’s lookups are throttled: send the same message later). The same checks as the REST routes apply (prescriber RPPS, prescribing scope, execution rights).',
        `Reliable: the same sender sending the same Bundle.id + MessageHeader.id with the same content again gets the original response (kept ${RELIABLE_CACHE_MINUTES / 60} h); the same ids with other content is a \`fatal-error\` conflict; another sender’s ids are never shared.`,
        'Only a body that is not a readable message gets a bare `400`/`415`. The examples are the fhir-message vendor examples.',
      ].join('\n\n'),
      requestBody: {
        required: true,
        content: Object.fromEntries(
          [FHIR_JSON, 'application/json'].map((media) => [
            media,
            {
              schema: ref('MessageBundle'),
              examples: exampleRefs(messages, (e) => `200, response code ${e.valid ? 'ok' : 'fatal-error'}`),
            },
          ]),
        ),
      },
      responses: { 200: ok('The response message.', fhir(ref('ResponseMessage'))) },
      errors: {
        400: 'The body is not a readable FHIR message Bundle.',
        415: 'The body is not FHIR JSON (`application/fhir+json` or `application/json`).',
      },
      exampleStatus: Object.fromEntries(messages.map((e) => [exampleName(e), 200])),
    },

    'audit.search': {
      tag: 'Auditor API',
      summary: 'Search the audit trail and the stored records',
      description: [
        'A read-only FHIR search on the store, for auditors, with the search parameters of each type whitelisted (no `_include`, `_revinclude`, `_has`, chains or `:missing`; modifiers `:not` and `:exact` only). Paging links and fullUrls point at /audit/fhir.',
        'Who read prescription N, when, from where: `GET /audit/fhir/AuditEvent?entity-identifier=urn:oid:1.2.250.1.215.500.1.1|N&subtype=read&_sort=date`.',
        `On every type: \`${PATIENT_IDENTIFIER_CHAIN}\` (the patient by INS, where the type has \`patient\`), \`_count\`, \`_sort\`, \`_summary\`, \`_total\`. Per type (the CapabilityStatement at /audit/fhir/metadata has them with their types):`,
        AUDITED_TYPES.map(
          (type) =>
            `- ${type}: ${Object.keys(searchParametersOf(type))
              .map((p) => `\`${p}\``)
              .join(', ')}`,
        ).join('\n'),
      ].join('\n\n'),
      parameters: [
        {
          name: '_count',
          in: 'query',
          required: false,
          description: 'Page size.',
          schema: { type: 'integer', minimum: 0, maximum: MAX_COUNT },
        },
        {
          name: 'search',
          in: 'query',
          required: false,
          description: 'The type’s whitelisted search parameters (see above), as in any FHIR search.',
          style: 'form',
          explode: true,
          schema: { type: 'object', additionalProperties: { type: 'string' } },
        },
      ],
      responses: { 200: ok('A `searchset` Bundle.', fhir(ref('Bundle'))) },
      errors: {
        400: 'A type the API does not serve, or a search parameter not on its whitelist (the issue lists the allowed ones).',
        502: null,
      },
    },
    'audit.read': {
      tag: 'Auditor API',
      summary: 'Read one stored record',
      description: 'One resource of the store, of a type the auditor API serves.',
      responses: { 200: ok('The resource.', fhir(ref('FhirResource'))) },
      errors: {
        400: 'Not a FHIR id.',
        404: 'No such resource, or a type the API does not serve.',
        410: null,
        502: null,
      },
    },
    'audit.metadata': {
      tag: 'Auditor API',
      summary: 'CapabilityStatement of the auditor API',
      description:
        'The served types, their interactions (read, search-type) and whitelisted search parameters, and how to authenticate. Public: a standard FHIR client reads it before its first search.',
      responses: { 200: ok('The CapabilityStatement.', fhir(ref('CapabilityStatement'))) },
    },
    'audit.page': {
      tag: 'Auditor API',
      summary: 'Next or previous page of a search',
      description: 'The paging links of the auditor API’s searches (`_getpages`) lead here.',
      parameters: [...PAGING_PARAMETERS].map((name) => ({
        name,
        in: 'query',
        required: name === '_getpages',
        schema: { type: 'string' },
      })),
      responses: { 200: ok('A page of a `searchset` Bundle.', fhir(ref('Bundle'))) },
      errors: { 400: 'Not a paging link (`_getpages` missing, or another parameter).', 502: null },
    },
    'audit.write': {
      tag: 'Auditor API',
      summary: 'Read-only',
      description:
        'The auditor API is read-only: any method but GET on /audit/fhir and every path under it is `405` (and a GET on a path it does not serve, `404`).',
      methods: ['post', 'put', 'patch', 'delete'],
      responses: {},
      errors: { 405: 'The auditor API is read-only (`Allow: GET`).' },
    },

    'ops.queues': {
      tag: 'Operations',
      summary: 'Queue dashboard',
      description:
        'The Bull Board dashboard, mounted here: jobs per state, dead letters with their reason, retry or remove a job. Its pages and its own JSON API live under /admin/queues/… and are not described here.',
      methods: ['get'],
      responses: { 200: ok('The dashboard (HTML).', { 'text/html': { schema: { type: 'string' } } }) },
    },
    'ops.dead-letters.list': {
      tag: 'Operations',
      summary: 'Dead letters',
      description: `The failed jobs kept in a queue (\`dmp-publish\`: DMP publications; \`audit\`: audit records that could not be written), oldest failure first: job id, prescription number, action, attempts, when and why it failed. The same list as \`ordo-admin dead-letters list\`, limited to the ${DEAD_LETTERS_SHOWN} most recent of each queue (\`counts\` says how many each holds). Audited (\`ops.dead-letters.list\`).`,
      parameters: [
        {
          name: 'queue',
          in: 'query',
          required: false,
          description: 'One queue; every queue when absent.',
          schema: { type: 'string', enum: [...DEAD_LETTER_QUEUES] },
        },
      ],
      responses: { 200: ok('The dead letters.', { 'application/json': { schema: DEAD_LETTER_LIST } }) },
      errors: { 400: 'An unknown queue.' },
    },
    'ops.dead-letters.retry': {
      tag: 'Operations',
      summary: 'Retry a dead letter',
      description:
        'Moves one failed job back to waiting (its attempt count goes on), as `ordo-admin dead-letters retry <jobId>` does. Audited (`ops.dead-letters.retry`, with the job and its prescription number). With the console’s session cookie, same-origin requests only (`Origin`).',
      pathParameters: {
        queue: {
          name: 'queue',
          in: 'path',
          required: true,
          description: 'The job’s queue.',
          schema: { type: 'string', enum: [...DEAD_LETTER_QUEUES] },
        },
        jobId: {
          name: 'jobId',
          in: 'path',
          required: true,
          description: 'The job’s id, as the list gives it.',
          schema: { type: 'string', pattern: JOB_ID_PATTERN.source, example: `publish-${EXAMPLE_NUMBER}-v1` },
        },
      },
      responses: {
        200: ok('Queued again: the job as it was, and its state now.', {
          'application/json': {
            schema: {
              type: 'object',
              properties: { retried: DEAD_LETTER, state: { type: 'string', example: 'waiting' } },
            },
          },
        }),
      },
      errors: {
        400: 'An unknown queue, or not a job id.',
        404: 'No such job in the queue.',
        409: 'The job is not failed (waiting, active or completed): not retried.',
      },
    },
    'ops.metrics': {
      tag: 'Operations',
      summary: 'Prometheus metrics',
      description:
        'Queue depth per state and completed/failed totals, read from Redis (cluster-wide); this gateway process’s HTTP requests (`http_requests_total`, `http_request_duration_seconds`) by method, route template and status. Worker latencies are on each worker’s health port.',
      responses: { 200: ok('Prometheus text format.', { 'text/plain': { schema: { type: 'string' } } }) },
    },

    'console.login': {
      tag: 'Audit console',
      summary: 'Start the console sign-in',
      description:
        'Redirects (`303`) to the identity provider’s authorization endpoint (authorization code with PKCE S256, a fresh `state`); the sign-in transaction is bound to this browser by an HttpOnly cookie. No token.',
      responses: { 303: ok('To the identity provider.') },
      errors: { 503: 'The identity provider’s discovery document cannot be read.' },
    },
    'console.callback': {
      tag: 'Audit console',
      summary: 'End of the console sign-in',
      description:
        'The identity provider’s redirect: the code is exchanged server-side, the access token verified like any bearer token and kept in Redis; the browser gets the `ordo_console` session cookie (HttpOnly, SameSite=Strict) and is sent to /console/. A user who is neither auditor nor operator gets a page saying so (`403`), recorded in the audit trail like every sign-in.',
      responses: { 303: ok('Signed in: to /console/.') },
      errors: {
        400: 'No sign-in in progress in this browser, a wrong `state`, or a code the provider refused (an HTML page).',
        403: 'The signed-in user may not use the console (an HTML page).',
      },
    },
    'console.logout': {
      tag: 'Audit console',
      summary: 'Sign out of the console',
      description: 'Ends the session (removed from Redis) and clears its cookie. Same-origin requests only (`Origin`).',
      responses: { 204: ok('Signed out.') },
      errors: { 403: 'Not sent from the console’s own origin.' },
    },
    'console.me': {
      tag: 'Audit console',
      summary: 'Who is signed in',
      description: 'The role, idNatPs, RPPS, profession and FINESS of the session’s (or token’s) user.',
      responses: {
        200: ok('The user.', {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                role: { type: 'string' },
                nationalId: { type: 'string' },
                rpps: { type: 'string' },
                profession: { type: 'string' },
                finess: { type: 'string' },
              },
            },
          },
        }),
      },
    },
    'console.app': {
      tag: 'Audit console',
      summary: 'The console’s files',
      description:
        'The single-page application (HTML, scripts, style sheets), served with a strict Content-Security-Policy (no inline script or style, nothing from another origin). No token: the files hold no data.',
      responses: { 200: ok('A file of the console.', HTML_CONTENT), 301: ok('`/console` → `/console/`.') },
      errors: { 404: 'No such file.' },
    },
  };
}

/** Shown once, in the document's `info`: how every answer is made. */
export const API_DESCRIPTION = [
  'The ordo-gateway HTTP API: French e-prescriptions (ordonnance numérique) from practice software, dispensing by pharmacies and other professionals, and the auditor API.',
  'Every call but the service routes (health, readiness, this documentation) needs `Authorization: Bearer <token>`: a Pro Santé Connect access token (bearerAuth). Each operation says which roles and professions may call it.',
  'Every refusal or failure is a FHIR OperationOutcome naming the faulty field, with the status of its kind; `503` always carries `Retry-After` and the request may be sent again as it is. Every answer echoes `X-Request-Id` (the caller’s, when sane, else a new one).',
].join('\n\n');

export const SECURITY_DESCRIPTION =
  'A Pro Santé Connect access token (JWT signed RS256, ES256 or PS256; `iss`, `aud`, `exp`/`nbf` checked): its `SubjectNameID` is the professional’s idNatPs ("8" + RPPS), its `SubjectRefPro` their profession (and the deployment’s `ordo_role` claim their role). For POST /prescriptions, the token’s RPPS must equal the payload’s prescriber RPPS.';
