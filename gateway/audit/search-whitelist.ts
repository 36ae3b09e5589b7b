/**
 * What the auditor API lets through to the FHIR store: resource types and, per type, the
 * search parameters an auditor may use. Anything else is refused (400) before HAPI is asked:
 * no _include/_revinclude (they would pull in Patient resources, which are not on the list),
 * no chained parameters, no _has, no write.
 */

export const COMMON = ['_id', '_lastUpdated', '_count', '_sort', '_summary', '_total'] as const;

export const AUDIT_SEARCH_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  MedicationRequest: [
    'identifier',
    'group-identifier',
    'status',
    'intent',
    'authoredon',
    'subject',
    'patient',
    'requester',
    'code',
    'medication',
    'date',
  ],
  DeviceRequest: [
    'identifier',
    'group-identifier',
    'status',
    'intent',
    'authored-on',
    'subject',
    'patient',
    'requester',
    'code',
    'device',
  ],
  ServiceRequest: [
    'identifier',
    'requisition',
    'status',
    'intent',
    'authored',
    'subject',
    'patient',
    'requester',
    'code',
    'category',
  ],
  RequestGroup: [
    'identifier',
    'group-identifier',
    'status',
    'intent',
    'authored',
    'subject',
    'patient',
    'author',
    'code',
  ],
  MedicationDispense: [
    'identifier',
    'prescription',
    'status',
    'subject',
    'patient',
    'performer',
    'whenhandedover',
    'whenprepared',
    'medication',
    'code',
  ],
  Procedure: ['identifier', 'based-on', 'status', 'subject', 'patient', 'performer', 'date', 'code'],
  Consent: ['identifier', 'status', 'patient', 'category', 'date', 'data', 'scope', 'action'],
  DocumentReference: ['identifier', 'status', 'subject', 'patient', 'date', 'type', 'author', 'relatesto', 'related'],
  AuditEvent: [
    'date',
    'type',
    'subtype',
    'action',
    'outcome',
    'agent',
    'agent-identifier',
    'altid',
    'address',
    'entity',
    'entity-identifier',
    'entity-type',
    'entity-role',
    'patient',
    'source',
    'site',
    'policy',
    'purpose',
  ],
};

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

export const auditableTypes = (): string[] => Object.keys(AUDIT_SEARCH_PARAMETERS);

/** The problems of a query for a type (empty when every parameter is allowed). */
export function checkSearchParameters(type: string, params: URLSearchParams): string[] {
  const allowed = AUDIT_SEARCH_PARAMETERS[type];
  if (!allowed) return [`${type} cannot be searched here; searchable types: ${auditableTypes().join(', ')}`];
  const problems: string[] = [];
  for (const [name, value] of params) {
    const [base = '', modifier] = name.split(':');
    const known = (COMMON as readonly string[]).includes(base) || allowed.includes(base);
    if (!known || name.split(':').length > 2 || (modifier !== undefined && !SAFE_MODIFIERS.has(modifier))) {
      problems.push(
        `search parameter "${name}" is not allowed on ${type}; allowed: ${[...allowed, ...COMMON].join(', ')}`,
      );
      continue;
    }
    if (base === '_count' && !(Number.isInteger(Number(value)) && Number(value) >= 0 && Number(value) <= MAX_COUNT)) {
      problems.push(`_count must be an integer from 0 to ${MAX_COUNT}`);
    }
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
