/**
 * What the auditor API lets through to the FHIR store: the resource types it serves and, per
 * type, the search parameters an auditor may use, with their FHIR search type (the auditor
 * API's CapabilityStatement, ./capability-statement.ts, is written from this table). A type not
 * listed is not served (404); any other parameter is refused (400) before HAPI is asked: no
 * _include/_revinclude, no chain but the patient's
 * identifier (an auditor starts from the INS of a patient who asks who saw their data; a chain
 * to the patient's name or birth date would let one probe demographics), no _has, no write.
 */

export type SearchParamType = 'token' | 'reference' | 'date' | 'string' | 'uri';

/** On every served type. */
const COMMON = { _id: 'token', _lastUpdated: 'date' } as const satisfies Record<string, SearchParamType>;

/** Search by the patient's INS without seeing the patient (every served type has `patient`): no modifier. */
export const PATIENT_IDENTIFIER_CHAIN = 'patient.identifier';

/** Parameters that shape the result, not the match. */
const RESULT_PARAMETERS = ['_count', '_sort', '_summary', '_total'] as const;

export const AUDIT_SEARCH_PARAMETERS = {
  MedicationRequest: {
    identifier: 'token',
    'group-identifier': 'token',
    status: 'token',
    intent: 'token',
    authoredon: 'date',
    subject: 'reference',
    patient: 'reference',
    requester: 'reference',
    code: 'token',
    medication: 'reference',
    date: 'date',
  },
  DeviceRequest: {
    identifier: 'token',
    'group-identifier': 'token',
    status: 'token',
    intent: 'token',
    'authored-on': 'date',
    subject: 'reference',
    patient: 'reference',
    requester: 'reference',
    code: 'token',
    device: 'reference',
  },
  ServiceRequest: {
    identifier: 'token',
    requisition: 'token',
    status: 'token',
    intent: 'token',
    authored: 'date',
    subject: 'reference',
    patient: 'reference',
    requester: 'reference',
    code: 'token',
    category: 'token',
  },
  RequestGroup: {
    identifier: 'token',
    'group-identifier': 'token',
    status: 'token',
    intent: 'token',
    authored: 'date',
    subject: 'reference',
    patient: 'reference',
    author: 'reference',
    code: 'token',
  },
  MedicationDispense: {
    identifier: 'token',
    prescription: 'reference',
    status: 'token',
    subject: 'reference',
    patient: 'reference',
    performer: 'reference',
    whenhandedover: 'date',
    whenprepared: 'date',
    medication: 'reference',
    code: 'token',
  },
  Procedure: {
    identifier: 'token',
    'based-on': 'reference',
    status: 'token',
    subject: 'reference',
    patient: 'reference',
    performer: 'reference',
    date: 'date',
    code: 'token',
  },
  Consent: {
    identifier: 'token',
    status: 'token',
    patient: 'reference',
    category: 'token',
    date: 'date',
    data: 'reference',
    scope: 'token',
    action: 'token',
  },
  DocumentReference: {
    identifier: 'token',
    status: 'token',
    subject: 'reference',
    patient: 'reference',
    date: 'date',
    type: 'token',
    author: 'reference',
    relatesto: 'reference',
    related: 'reference',
    // The DMP feed references the patient by INS only (PDSm: no Patient entry): profiles/search-parameters.
    'subject-identifier': 'token',
    'related-identifier': 'token',
  },
  SupplyDelivery: {
    identifier: 'token',
    status: 'token',
    patient: 'reference',
    supplier: 'reference',
    receiver: 'reference',
  },
  // The parties stored resources reference, served so that every reference resolves at its address;
  // a Patient shows its id and identifiers only (auditor-view.ts), never demographics.
  Patient: { identifier: 'token' },
  Practitioner: { identifier: 'token' },
  Organization: { identifier: 'token', name: 'string' },
  AuditEvent: {
    date: 'date',
    type: 'token',
    subtype: 'token',
    action: 'token',
    outcome: 'token',
    agent: 'reference',
    'agent-identifier': 'token',
    // The structure (FINESS) the professional acted from: profiles/search-parameters.
    'agent-location-identifier': 'token',
    altid: 'token',
    address: 'string',
    entity: 'reference',
    'entity-identifier': 'token',
    'entity-type': 'token',
    'entity-role': 'token',
    patient: 'reference',
    source: 'reference',
    site: 'token',
    policy: 'uri',
    purpose: 'token',
  },
} as const satisfies Record<string, Record<string, SearchParamType>>;

export type AuditedType = keyof typeof AUDIT_SEARCH_PARAMETERS;

/** The types the auditor API serves, in table order. */
export const AUDITED_TYPES = Object.keys(AUDIT_SEARCH_PARAMETERS) as AuditedType[];

/** Whether the auditor API serves this type (own keys only: "constructor" is not a resource type). */
export const isAuditedType = (type: string): type is AuditedType => Object.hasOwn(AUDIT_SEARCH_PARAMETERS, type);

/** The search parameters of a served type, the common ones included, with their types. */
export const searchParametersOf = (type: AuditedType): Readonly<Record<string, SearchParamType>> => ({
  ...AUDIT_SEARCH_PARAMETERS[type],
  ...COMMON,
});

/**
 * Modifiers that only narrow a search on the parameter itself (no chaining, no type switch; no :missing,
 * which HAPI answers with a full scan).
 */
const SAFE_MODIFIERS = new Set(['not', 'exact']);
/** Parameters of a HAPI paging link (/audit/fhir?_getpages=…). */
export const PAGING_PARAMETERS = new Set([
  '_getpages',
  '_getpagesoffset',
  '_count',
  '_bundletype',
  '_pretty',
  '_format',
]);

export const MAX_COUNT = 200;

export const auditableTypes = (): string[] => [...AUDITED_TYPES];

/** The problems of a query for a type (empty when every parameter is allowed). */
export function checkSearchParameters(type: string, params: URLSearchParams): string[] {
  if (!isAuditedType(type)) return [`this type is not served here; served types: ${AUDITED_TYPES.join(', ')}`];
  const allowed = searchParametersOf(type);
  const names = [...Object.keys(allowed), PATIENT_IDENTIFIER_CHAIN, ...RESULT_PARAMETERS];
  const problems: string[] = [];
  for (const [name, value] of params) {
    const [base = '', modifier] = name.split(':');
    const known =
      Object.hasOwn(allowed, base) ||
      (RESULT_PARAMETERS as readonly string[]).includes(base) ||
      name === PATIENT_IDENTIFIER_CHAIN;
    if (!known || name.split(':').length > 2 || (modifier !== undefined && !SAFE_MODIFIERS.has(modifier))) {
      problems.push(`search parameter "${name}" is not allowed on ${type}; allowed: ${names.join(', ')}`);
      continue;
    }
    if (base === '_count' && !(Number.isInteger(Number(value)) && Number(value) >= 0 && Number(value) <= MAX_COUNT)) {
      problems.push(`_count must be an integer from 0 to ${MAX_COUNT}`);
    }
    // Sorting by a chain (patient.birthdate) would order results by a demographic: the type's own parameters only.
    const unsortable =
      base === '_sort' ? value.split(',').filter((key) => !Object.hasOwn(allowed, key.replace(/^-/, ''))) : [];
    if (unsortable.length > 0)
      problems.push(`_sort by ${unsortable.join(', ')} is not allowed on ${type}; sort by its search parameters`);
  }
  return problems;
}

export function checkPagingParameters(params: URLSearchParams): string[] {
  const problems: string[] = [];
  if (!params.get('_getpages'))
    problems.push('only paging links (_getpages) are served at /audit/fhir; search /audit/fhir/<type>');
  for (const name of params.keys())
    if (!PAGING_PARAMETERS.has(name)) problems.push(`parameter "${name}" is not allowed on a paging link`);
  return problems;
}
