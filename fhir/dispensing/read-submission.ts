/**
 * What a pharmacy or a professional's software sends to record dispensing/execution → checked
 * records, the performer and the items the rules count. Pure. Problems carry FHIRPaths into the
 * submission (`Bundle.entry[2].resource.quantity.value`, or `MedicationDispense.quantity.value`
 * for a single resource).
 *
 * Accepted (README "Dispensing and execution"):
 *  - a Bundle of type collection (REST) or the entries of a `dispense-record` message, holding
 *    records, at most one Practitioner (the performer) and at most one Organization (the
 *    dispensing structure); records point at them through their fullUrls;
 *  - or a single record (the performer then comes from the access token).
 * Records:
 *  - MedicationDispense per drug line: status completed, medicationCodeableConcept, quantity (whole
 *    boxes), whenHandedOver, authorizingPrescription → the MedicationRequest, optional type (fill code,
 *    v3 ActCode FFC/FFP/RFC/RFP: the gateway records the one the prescription's state gives), and
 *    substitution {wasSubstituted, type (v3 substanceAdminSubstitution, not N), reason} when another
 *    product than the prescribed one was handed over;
 *  - SupplyDelivery per device delivery: status completed, suppliedItem.quantity, occurrence[x],
 *    extension fulfils → the DeviceRequest;
 *  - Procedure per session of an act (one Procedure = one session; a biology line is executed by one
 *    Procedure): status completed, basedOn → the ServiceRequest, performed[x].
 * Any other literal reference is refused: the store enforces referential integrity and the gateway
 * only links records to this prescription and to the performer it stores.
 */
import type {
  Bundle,
  Coding,
  FhirResource,
  MedicationDispense,
  Organization,
  Practitioner,
  Procedure,
  Reference,
  SupplyDelivery,
} from 'fhir/r4';
import { isValidAmNumber, isValidFiness, isValidRpps } from '../../domain/identifiers';
import type { Outcome, Problem } from '../../domain/problem';
import type { RuleCode } from '../../domain/rule-codes';
import { ok, rejected } from '../../domain/problem';
import { normalizePrescriptionNumber } from '../../domain/prescription-number';
import { PROFESSION_OF_G15_CODE } from '../../domain/professions';
import { isProfession, type Profession } from '../../domain/professions';
import { FILL_CODES, isFillCode, type ExecutionItem } from '../../rules/dispensing/execution-rules';
import type { RecordType } from '../../rules/dispensing/model';
import { validateFhirResource } from '../fhir-schema';
import {
  ACT_CODE_SYSTEM,
  AM_NUMBER_SYSTEM,
  EXECUTION_EXTENSIONS,
  FINESS_SYSTEM,
  GATEWAY_PROFESSION_SYSTEM,
  IDNATPS_SYSTEM,
  PRESCRIPTION_NUMBER_SYSTEM,
  PROFESSION_G15_SYSTEM,
  RPPS_SYSTEM,
  SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM,
} from '../systems';
import { RECORD_TYPES, type ExecutionRecord } from './read-state';
import {
  acceptedStatuses,
  checkNotDoneReason,
  CORRECTION_STATUS,
  isNotDone,
  readCorrection,
  readDosage,
  type CorrectionRequest,
} from './read-outcomes';

export interface Located<T> {
  resource: T;
  /** FHIRPath of the resource in the submission. */
  at: string;
  fullUrl?: string;
}

export interface SubmittedPerformer extends Located<Practitioner> {
  rpps: string;
  profession?: Profession;
  professionAt: string;
}

export interface Submission {
  records: Array<Located<ExecutionRecord>>;
  /** One per record, same order. */
  items: ExecutionItem[];
  /** Stored records sent back with status entered-in-error (read-outcomes.ts); never mixed with new records. */
  corrections?: CorrectionRequest[];
  practitioner?: SubmittedPerformer;
  organization?: Located<Organization>;
  /** Prescription numbers the records name (extension prescription → identifier). */
  numbers: Array<{ value: string; at: string }>;
}

export type SubmissionResult = Outcome<Submission, 'malformed' | 'invalid'>;

const ALLOWED_TYPES: readonly string[] = [...RECORD_TYPES, 'Practitioner', 'Organization'];

/** A problem of the submission: what is sent (D1) unless another rule says more (D2 performer, D8 substitution). */
const problem = (code: Problem['code'], path: string, message: string, rule: RuleCode = 'D1'): Problem => ({
  code,
  rule,
  path,
  message,
});

/** A REST body: a collection Bundle or one record. `malformed` results are 400, the others 422. */
export function readRestSubmission(json: unknown): SubmissionResult {
  if (
    json === null ||
    typeof json !== 'object' ||
    Array.isArray(json) ||
    typeof (json as { resourceType?: unknown }).resourceType !== 'string'
  ) {
    return rejected(
      [
        {
          code: 'structure',
          rule: 'D1',
          message:
            'the body must be a FHIR resource: a Bundle of type collection or a MedicationDispense, SupplyDelivery or Procedure',
        },
      ],
      'malformed',
    );
  }
  const schemaProblems = validateFhirResource(json);
  if (schemaProblems.length > 0) return rejected(schemaProblems);
  const resource = json as FhirResource;
  if (resource.resourceType === 'Bundle') {
    const bundle = resource as Bundle<FhirResource>;
    if (bundle.type !== 'collection') {
      return rejected([
        problem(
          'value',
          'Bundle.type',
          `Bundle.type must be 'collection', found '${bundle.type ?? ''}' (messages go to /fhir/$process-message)`,
        ),
      ]);
    }
    const entries = (bundle.entry ?? []).map((entry, i) => ({
      resource: entry.resource,
      fullUrl: entry.fullUrl,
      at: `Bundle.entry[${i}].resource`,
    }));
    const missing = entries
      .filter((e) => !e.resource)
      .map((e) => problem('required', e.at, 'every entry carries a resource'));
    if (missing.length > 0) return rejected(missing);
    return readEntries(entries as Array<Located<FhirResource>>);
  }
  if (!(RECORD_TYPES as readonly string[]).includes(resource.resourceType)) {
    return rejected([
      problem(
        'not-supported',
        `${resource.resourceType}`,
        `a ${resource.resourceType} does not record a dispense or an execution; send a MedicationDispense, SupplyDelivery, Procedure or a Bundle of type collection`,
      ),
    ]);
  }
  return readEntries([{ resource, at: resource.resourceType }]);
}

/** The entries of a checked message or collection (any MessageHeader left out by the caller). */
export function readEntries(entries: ReadonlyArray<Located<FhirResource>>): SubmissionResult {
  const problems: Problem[] = [];
  const records: Array<Located<ExecutionRecord>> = [];
  const practitioners: Array<Located<Practitioner>> = [];
  const organizations: Array<Located<Organization>> = [];
  for (const entry of entries) {
    const type = entry.resource.resourceType;
    if (!ALLOWED_TYPES.includes(type)) {
      problems.push(
        problem(
          'structure',
          `${entry.at}.resourceType`,
          `a ${type} is not accepted here (accepted: ${ALLOWED_TYPES.join(', ')})`,
        ),
      );
    } else if (type === 'Practitioner') practitioners.push(entry as Located<Practitioner>);
    else if (type === 'Organization') organizations.push(entry as Located<Organization>);
    else records.push(entry as Located<ExecutionRecord>);
  }
  if (records.length === 0)
    problems.push(
      problem(
        'required',
        entries[0]?.at.replace(/\.entry\[0\]\.resource$/, '.entry') ?? 'Bundle.entry',
        'at least one MedicationDispense, SupplyDelivery or Procedure is required',
      ),
    );
  for (const extra of practitioners.slice(1))
    problems.push(
      problem('structure', extra.at, 'one Practitioner at most: the professional who dispensed or executed'),
    );
  for (const extra of organizations.slice(1))
    problems.push(problem('structure', extra.at, 'one Organization at most: the structure that dispensed or executed'));

  const practitioner = practitioners[0] ? readPerformer(practitioners[0], problems) : undefined;
  const organization = organizations[0];
  if (organization) checkOrganization(organization, problems);

  const targets = new Map<string, string>();
  if (practitioners[0]?.fullUrl) targets.set(practitioners[0].fullUrl, 'Practitioner');
  if (organization?.fullUrl) targets.set(organization.fullUrl, 'Organization');

  const items: ExecutionItem[] = [];
  const numbers: Submission['numbers'] = [];
  const corrections: CorrectionRequest[] = [];
  const delivered: Array<Located<ExecutionRecord>> = [];
  for (const record of records) {
    const before = problems.length;
    const number = prescriptionNumberOf(record);
    if (number) numbers.push(number);
    if (record.resource.status === CORRECTION_STATUS) {
      // Only the record's id or identifier is read: it may come back as it was answered, references and all.
      const correction = readCorrection(record.resource, record.at, problems);
      if (correction) corrections.push(correction);
      continue;
    }
    delivered.push(record);
    checkReferences(record, targets, problems);
    const item = readItem(record, problems);
    if (item && problems.length === before) items.push(item);
  }
  if (corrections.length > 0 && delivered.length > 0) {
    problems.push(
      problem(
        'structure',
        delivered[0]!.at,
        `a correction (status '${CORRECTION_STATUS}') is sent alone: send the new records in another submission`,
        'D15',
      ),
    );
  }
  if (problems.length > 0) return rejected(problems);
  return ok({
    records: delivered,
    items,
    corrections,
    ...(practitioner ? { practitioner } : {}),
    ...(organization ? { organization } : {}),
    numbers,
  });
}

// ---------------------------------------------------------------------------------------------
// Performer and structure

function readPerformer(entry: Located<Practitioner>, problems: Problem[]): SubmittedPerformer | undefined {
  const identifiers = entry.resource.identifier ?? [];
  const rppsIndex = identifiers.findIndex((i) => i.system === RPPS_SYSTEM);
  const idNatPsIndex = identifiers.findIndex((i) => i.system === IDNATPS_SYSTEM);
  const fromIdNatPs = identifiers[idNatPsIndex]?.value;
  const rpps = identifiers[rppsIndex]?.value ?? (fromIdNatPs?.startsWith('8') ? fromIdNatPs.slice(1) : undefined);
  const rppsAt =
    rppsIndex >= 0
      ? `${entry.at}.identifier[${rppsIndex}].value`
      : idNatPsIndex >= 0
        ? `${entry.at}.identifier[${idNatPsIndex}].value`
        : `${entry.at}.identifier`;
  if (rpps === undefined) {
    problems.push(
      problem(
        'required',
        rppsAt,
        `the performer needs an RPPS identifier (${RPPS_SYSTEM}, 11 digits) or an idNatPs (${IDNATPS_SYSTEM}, "8" + RPPS)`,
        'D2',
      ),
    );
    return undefined;
  }
  if (!isValidRpps(rpps)) {
    problems.push(problem('value', rppsAt, `'${rpps}' is not a valid RPPS number (11 digits with a Luhn key)`, 'D2'));
    return undefined;
  }
  const profession = professionOf(entry.resource, entry.at);
  return {
    ...entry,
    rpps,
    ...(profession ? { profession: profession.value } : {}),
    professionAt: profession?.at ?? `${entry.at}.qualification`,
  };
}

/** The performer's profession: a gateway code (urn:ordo-gateway:profession) or a TRE_G15 code. */
function professionOf(practitioner: Practitioner, base: string): { value: Profession; at: string } | undefined {
  const qualifications = practitioner.qualification ?? [];
  for (let q = 0; q < qualifications.length; q++) {
    const codings = qualifications[q]!.code.coding ?? [];
    for (let c = 0; c < codings.length; c++) {
      const coding = codings[c]!;
      const at = `${base}.qualification[${q}].code.coding[${c}].code`;
      if (coding.system === GATEWAY_PROFESSION_SYSTEM && isProfession(coding.code)) return { value: coding.code, at };
      // Own members only: a code such as 'constructor' must not find Object's.
      const mapped =
        coding.system === PROFESSION_G15_SYSTEM &&
        coding.code !== undefined &&
        Object.hasOwn(PROFESSION_OF_G15_CODE, coding.code)
          ? PROFESSION_OF_G15_CODE[coding.code]
          : undefined;
      if (mapped) return { value: mapped, at };
    }
  }
  return undefined;
}

function checkOrganization(entry: Located<Organization>, problems: Problem[]): void {
  const identifiers = entry.resource.identifier ?? [];
  const finessIndex = identifiers.findIndex((i) => i.system === FINESS_SYSTEM);
  const amIndex = identifiers.findIndex((i) => i.system === AM_NUMBER_SYSTEM);
  if (finessIndex < 0 && amIndex < 0) {
    problems.push(
      problem(
        'required',
        `${entry.at}.identifier`,
        `the structure needs a FINESS (${FINESS_SYSTEM}) or a numéro AM (${AM_NUMBER_SYSTEM}) identifier`,
        'D2',
      ),
    );
    return;
  }
  const finess = identifiers[finessIndex]?.value;
  if (finessIndex >= 0 && (finess === undefined || !isValidFiness(finess))) {
    problems.push(
      problem(
        'value',
        `${entry.at}.identifier[${finessIndex}].value`,
        `'${finess ?? ''}' is not a FINESS number (9 characters)`,
        'D2',
      ),
    );
  }
  const am = identifiers[amIndex]?.value;
  if (amIndex >= 0 && (am === undefined || !isValidAmNumber(am))) {
    problems.push(
      problem('value', `${entry.at}.identifier[${amIndex}].value`, `'${am ?? ''}' is not a numéro AM (9 digits)`, 'D2'),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// References

/** Paths (relative to the record) whose references the gateway resolves itself. */
const RESOLVED_PATHS: Readonly<Record<RecordType, readonly RegExp[]>> = {
  MedicationDispense: [/^\.authorizingPrescription\[\d+\]$/, /^\.subject$/, /^\.performer\[\d+\]\.actor$/],
  SupplyDelivery: [/^\.patient$/, /^\.supplier$/],
  Procedure: [/^\.basedOn\[\d+\]$/, /^\.subject$/, /^\.performer\[\d+\]\.actor$/, /^\.performer\[\d+\]\.onBehalfOf$/],
};
/** Performer references that must point at the submission's Practitioner or Organization. */
const PERFORMER_PATHS = [/^\.performer\[\d+\]\.actor$/, /^\.performer\[\d+\]\.onBehalfOf$/, /^\.supplier$/];

function* referencesIn(node: unknown, path: string): Generator<[string, Reference]> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* referencesIn(node[i], `${path}[${i}]`);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.reference === 'string') yield [path, record as Reference];
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'extension' || path !== '') yield* referencesIn(value, `${path}.${key}`);
  }
}

function checkReferences(
  record: Located<ExecutionRecord>,
  targets: ReadonlyMap<string, string>,
  problems: Problem[],
): void {
  const type = record.resource.resourceType;
  // The record's own top-level extensions are read by name (prescription, fulfils); others may not reference anything.
  for (const [i, ext] of (record.resource.extension ?? []).entries()) {
    if (ext.url === EXECUTION_EXTENSIONS.prescription || ext.url === EXECUTION_EXTENSIONS.fulfils) continue;
    for (const [path] of referencesIn(ext, '')) {
      problems.push(
        problem(
          'not-supported',
          `${record.at}.extension[${i}]${path}.reference`,
          'references are only accepted to this prescription, its patient and the submitted performer',
        ),
      );
    }
  }
  for (const [path, reference] of referencesIn(record.resource, '')) {
    if (path === '' || path.startsWith('.extension')) continue;
    const at = `${record.at}${path}.reference`;
    if (reference.reference?.startsWith('#')) {
      problems.push(
        problem(
          'not-supported',
          at,
          'contained resources are not accepted: send the Practitioner and Organization as Bundle entries',
        ),
      );
    } else if (!RESOLVED_PATHS[type].some((p) => p.test(path))) {
      problems.push(
        problem(
          'not-supported',
          at,
          'references are only accepted to this prescription, its patient and the submitted performer',
        ),
      );
    } else if (PERFORMER_PATHS.some((p) => p.test(path)) && !targets.has(reference.reference!)) {
      problems.push(
        problem(
          'value',
          at,
          `'${reference.reference}' is not the fullUrl of the submission's Practitioner or Organization`,
        ),
      );
    }
  }
}

function prescriptionNumberOf(record: Located<ExecutionRecord>): { value: string; at: string } | undefined {
  const index = (record.resource.extension ?? []).findIndex((e) => e.url === EXECUTION_EXTENSIONS.prescription);
  const identifier = record.resource.extension?.[index]?.valueReference?.identifier;
  if (index < 0 || identifier?.value === undefined) return undefined;
  const at = `${record.at}.extension[${index}].valueReference.identifier.value`;
  if (identifier.system !== undefined && identifier.system !== PRESCRIPTION_NUMBER_SYSTEM) return { value: '', at };
  return { value: normalizePrescriptionNumber(identifier.value), at };
}

// ---------------------------------------------------------------------------------------------
// Records

const isWholePositive = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1;

function requireCompleted(record: Located<ExecutionRecord>, problems: Problem[]): void {
  if (isNotDone(record.resource)) {
    checkNotDoneReason(record.resource, record.at, problems);
    return;
  }
  if (record.resource.status !== 'completed') {
    problems.push(
      problem(
        'value',
        `${record.at}.status`,
        `status must be ${acceptedStatuses(record.resource.resourceType)}, found '${record.resource.status ?? ''}'`,
      ),
    );
  }
}

function readItem(record: Located<ExecutionRecord>, problems: Problem[]): ExecutionItem | undefined {
  requireCompleted(record, problems);
  if (isNotDone(record.resource)) return readNotDone(record, problems);
  switch (record.resource.resourceType) {
    case 'MedicationDispense':
      return readDispense(record as Located<MedicationDispense>, problems);
    case 'SupplyDelivery':
      return readDelivery(record as Located<SupplyDelivery>, problems);
    case 'Procedure':
      return readProcedure(record as Located<Procedure>, problems);
  }
}

function readDispense({ resource, at }: Located<MedicationDispense>, problems: Problem[]): ExecutionItem | undefined {
  if (!resource.medicationCodeableConcept) {
    problems.push(
      problem(
        'required',
        `${at}.medicationCodeableConcept`,
        'medicationCodeableConcept (the product handed over: CIP13 or CIS coding and its name) is required; medicationReference is not accepted',
      ),
    );
  }
  const quantity = resource.quantity?.value;
  if (!isWholePositive(quantity)) {
    problems.push(
      problem(
        quantity === undefined ? 'required' : 'value',
        `${at}.quantity.value`,
        'quantity.value is the number of boxes handed over: a whole number of at least 1',
      ),
    );
  }
  if (resource.whenHandedOver === undefined)
    problems.push(
      problem('required', `${at}.whenHandedOver`, 'whenHandedOver (when the patient received the product) is required'),
    );
  const prescriptions = resource.authorizingPrescription ?? [];
  if (prescriptions.length !== 1 || prescriptions[0]?.reference === undefined) {
    problems.push(
      problem(
        'required',
        `${at}.authorizingPrescription`,
        'authorizingPrescription must reference exactly one MedicationRequest of the prescription (MedicationRequest/<id>)',
      ),
    );
  }
  const typeCodings = resource.type?.coding ?? [];
  if (resource.type && !typeCodings.some((c) => c.system === ACT_CODE_SYSTEM && isFillCode(c.code))) {
    problems.push(
      problem(
        'value',
        `${at}.type`,
        `type (completeness of the dispensation) must have a ${ACT_CODE_SYSTEM} coding among ${Object.keys(FILL_CODES).join(', ')}; it may also be left out: the gateway records the code the prescription's state gives`,
      ),
    );
  }
  const substitution = resource.substitution;
  if (substitution?.wasSubstituted === true) {
    const typeOk = (substitution.type?.coding ?? []).some(
      (c) => c.system === SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM && c.code !== undefined && c.code !== 'N',
    );
    if (!typeOk) {
      problems.push(
        problem(
          'required',
          `${at}.substitution.type`,
          `a substitution needs its type: a ${SUBSTANCE_ADMIN_SUBSTITUTION_SYSTEM} coding (G for a generic, TE, E…; not N)`,
          'D8',
        ),
      );
    }
    const hasReason = (substitution.reason ?? []).some(
      (r) => r.text !== undefined || (r.coding ?? []).some((c) => c.code !== undefined),
    );
    if (!hasReason) {
      problems.push(
        problem(
          'required',
          `${at}.substitution.reason`,
          'a substitution needs its reason (coding, e.g. v3 ActReason OS out of stock, RR regulatory requirement, or text)',
          'D8',
        ),
      );
    }
  }
  const dosage = readDosage(resource, at, problems);
  if (!isWholePositive(quantity) || resource.whenHandedOver === undefined || prescriptions.length !== 1)
    return undefined;
  return {
    recordType: 'MedicationDispense',
    at,
    lineReference: prescriptions[0]?.reference,
    lineReferenceAt: `${at}.authorizingPrescription[0].reference`,
    quantity,
    quantityAt: `${at}.quantity.value`,
    when: resource.whenHandedOver,
    whenAt: `${at}.whenHandedOver`,
    ...(resource.medicationCodeableConcept
      ? {
          product: {
            codings: resource.medicationCodeableConcept.coding ?? ([] as Coding[]),
            at: `${at}.medicationCodeableConcept`,
          },
        }
      : {}),
    ...(substitution
      ? { wasSubstituted: { value: substitution.wasSubstituted, at: `${at}.substitution.wasSubstituted` } }
      : {}),
    ...(dosage ? { dosage } : {}),
  };
}

/**
 * A line not delivered (MedicationDispense declined) or an act not done (Procedure not-done): the line it
 * is about, nothing counted, no date required (nothing was handed over; the record's time is when it is stored).
 */
function readNotDone(record: Located<ExecutionRecord>, problems: Problem[]): ExecutionItem | undefined {
  const { resource, at } = record;
  const [references, path] =
    resource.resourceType === 'MedicationDispense'
      ? [resource.authorizingPrescription ?? [], 'authorizingPrescription']
      : [(resource as Procedure).basedOn ?? [], 'basedOn'];
  if (references.length !== 1 || references[0]?.reference === undefined) {
    problems.push(
      problem(
        'required',
        `${at}.${path}`,
        `${path} must reference exactly the one line of the prescription that was not dispensed or done`,
      ),
    );
    return undefined;
  }
  return {
    recordType: resource.resourceType,
    at,
    lineReference: references[0].reference,
    lineReferenceAt: `${at}.${path}[0].reference`,
    quantity: 0,
    quantityAt: at,
    when: '',
    whenAt: at,
    notDone: true,
  };
}

function readDelivery({ resource, at }: Located<SupplyDelivery>, problems: Problem[]): ExecutionItem | undefined {
  const quantity = resource.suppliedItem?.quantity?.value;
  if (!isWholePositive(quantity)) {
    problems.push(
      problem(
        quantity === undefined ? 'required' : 'value',
        `${at}.suppliedItem.quantity.value`,
        'suppliedItem.quantity.value is the number of devices delivered: a whole number of at least 1',
      ),
    );
  }
  const when = resource.occurrenceDateTime ?? resource.occurrencePeriod?.end ?? resource.occurrencePeriod?.start;
  if (when === undefined)
    problems.push(
      problem(
        'required',
        `${at}.occurrenceDateTime`,
        'occurrenceDateTime (when the devices were delivered) is required',
      ),
    );
  const index = (resource.extension ?? []).findIndex((e) => e.url === EXECUTION_EXTENSIONS.fulfils);
  const reference = resource.extension?.[index]?.valueReference?.reference;
  if (reference === undefined) {
    problems.push(
      problem(
        'required',
        `${at}.extension`,
        `extension ${EXECUTION_EXTENSIONS.fulfils} (valueReference → the DeviceRequest delivered, DeviceRequest/<id>) is required`,
      ),
    );
  }
  if (!isWholePositive(quantity) || when === undefined || reference === undefined) return undefined;
  return {
    recordType: 'SupplyDelivery',
    at,
    lineReference: reference,
    lineReferenceAt: `${at}.extension[${index}].valueReference.reference`,
    quantity,
    quantityAt: `${at}.suppliedItem.quantity.value`,
    when,
    whenAt: resource.occurrenceDateTime !== undefined ? `${at}.occurrenceDateTime` : `${at}.occurrencePeriod`,
  };
}

function readProcedure({ resource, at }: Located<Procedure>, problems: Problem[]): ExecutionItem | undefined {
  const basedOn = resource.basedOn ?? [];
  if (basedOn.length !== 1 || basedOn[0]?.reference === undefined) {
    problems.push(
      problem(
        'required',
        `${at}.basedOn`,
        'basedOn must reference exactly one ServiceRequest of the prescription (ServiceRequest/<id>): one Procedure records one session',
      ),
    );
  }
  const when = resource.performedDateTime ?? resource.performedPeriod?.end ?? resource.performedPeriod?.start;
  if (when === undefined)
    problems.push(
      problem(
        'required',
        `${at}.performedDateTime`,
        'performedDateTime (or performedPeriod: when the session took place) is required',
      ),
    );
  if (basedOn.length !== 1 || when === undefined) return undefined;
  return {
    recordType: 'Procedure',
    at,
    lineReference: basedOn[0]?.reference,
    lineReferenceAt: `${at}.basedOn[0].reference`,
    quantity: 1,
    quantityAt: at,
    when,
    whenAt: resource.performedDateTime !== undefined ? `${at}.performedDateTime` : `${at}.performedPeriod`,
  };
}
