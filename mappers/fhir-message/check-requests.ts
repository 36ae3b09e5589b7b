/**
 * fhir-message requests (vendors §4.2–4.4, V2, V12): at least one; each active/order, about the
 * Patient, from one requester (a Practitioner, or a PractitionerRole resolved to its practitioner)
 * with one authoredOn; then what each request type must look like for the canonical model to hold
 * it without losing meaning. Values (codes, quantities, dates) are left to the business rules.
 */
import type { RuleCode } from '../../domain/rule-codes';
import type {
  DeviceRequest,
  Dosage,
  MedicationRequest,
  Patient,
  Practitioner,
  PractitionerRole,
  ServiceRequest,
} from 'fhir/r4';
import type { Problem } from '../../domain/problem';
import { PRIORITIES } from '../../domain/prescription';
import { normalizePrescriptionNumber } from '../../domain/prescription-number';
import {
  actTypeCoding,
  deviceQuantityIndex,
  extensionsOf,
  isActType,
  isDurationUnit,
  type RequestResource,
} from '../../fhir/read-prescription';
import {
  ACT_TYPE_SYSTEM,
  CONTEXT_CODES,
  DEVICE_PARAMETER_SYSTEM,
  DEVICE_QUANTITY_CODE,
  EXTENSIONS,
  PRESCRIPTION_NUMBER_SYSTEM,
  TA_ASIP_SYSTEM,
} from '../../fhir/systems';
import { resolveEntry, type IndexedEntry, type MessageBundle } from './bundle-index';

export interface RequestFindings {
  requests: IndexedEntry<RequestResource>[];
  /** The requester of the first request, resolved to its Practitioner. */
  prescriber?: IndexedEntry<Practitioner>;
  /** Set when the requester is a PractitionerRole. */
  prescriberRole?: IndexedEntry<PractitionerRole>;
}

type Add = (code: Problem['code'], rule: RuleCode, message: string, path: string) => void;

const CONTEXT_CODE_VALUES: readonly string[] = [
  CONTEXT_CODES.ald,
  CONTEXT_CODES.workAccident,
  CONTEXT_CODES.prevention,
  CONTEXT_CODES.nonReimbursable,
];
const ACT_PERIOD_UNITS: readonly string[] = ['d', 'wk', 'mo'];

const isRequest = (e: IndexedEntry): e is IndexedEntry<RequestResource> =>
  ['MedicationRequest', 'DeviceRequest', 'ServiceRequest'].includes(e.resource.resourceType);

export function checkRequests(
  message: MessageBundle,
  patient: IndexedEntry<Patient> | undefined,
): { problems: Problem[]; findings: RequestFindings } {
  const problems: Problem[] = [];
  const add: Add = (code, rule, msg, path) => problems.push({ code, rule, message: msg, path });
  const requests = message.entries.filter(isRequest);
  if (requests.length === 0)
    add('required', 'V12', 'the message has no MedicationRequest, DeviceRequest or ServiceRequest', 'Bundle.entry');

  const findings: RequestFindings = { requests };
  let authoredOn: string | undefined;
  let number: string | undefined;
  let workAccidentDate: string | undefined;
  for (const request of requests) {
    const { resource, at } = request;
    checkCommon(request, patient, add);
    const requester = resolveRequester(message, request, add);
    if (requester && !findings.prescriber) {
      findings.prescriber = requester.practitioner;
      if (requester.role) findings.prescriberRole = requester.role;
    } else if (requester && requester.practitioner !== findings.prescriber) {
      add(
        'invariant',
        'V12',
        'all requests have the same requester (one prescriber per prescription)',
        `${at}.requester`,
      );
    }
    if (resource.authoredOn !== undefined) {
      authoredOn ??= resource.authoredOn;
      if (resource.authoredOn !== authoredOn)
        add('invariant', 'V12', `all requests have the same authoredOn (${authoredOn})`, `${at}.authoredOn`);
    }
    const sent = numberOf(resource);
    if (sent) {
      number ??= normalizePrescriptionNumber(sent.value);
      if (normalizePrescriptionNumber(sent.value) !== number)
        add(
          'invariant',
          'V12',
          `all requests carry the same prescription number (${number})`,
          `${at}.${sent.element}.value`,
        );
    }
    const date = checkContextExtensions(request, add);
    if (date !== undefined) {
      workAccidentDate ??= date;
      if (date !== workAccidentDate)
        add('invariant', 'V12', `the work accident has one date (${workAccidentDate})`, at);
    }
    if (resource.resourceType === 'MedicationRequest') checkMedicationRequest(resource, at, add);
    else if (resource.resourceType === 'DeviceRequest') checkDeviceRequest(resource, at, add);
    else checkServiceRequest(resource, at, add);
  }
  return { problems, findings };
}

/** The prescription number a request carries, if any: groupIdentifier (MR, DR) or requisition (SR) in our system. */
export function numberOf(
  request: RequestResource,
): { value: string; element: 'groupIdentifier' | 'requisition' } | undefined {
  const element = request.resourceType === 'ServiceRequest' ? 'requisition' : 'groupIdentifier';
  const identifier = request.resourceType === 'ServiceRequest' ? request.requisition : request.groupIdentifier;
  return identifier?.system === PRESCRIPTION_NUMBER_SYSTEM && identifier.value !== undefined
    ? { value: identifier.value, element }
    : undefined;
}

function checkCommon(
  { resource, at }: IndexedEntry<RequestResource>,
  patient: IndexedEntry<Patient> | undefined,
  add: Add,
): void {
  if (resource.status !== 'active')
    add('value', 'V2', `status must be 'active', found '${resource.status}'`, `${at}.status`);
  if (resource.intent !== 'order')
    add('value', 'V2', `intent must be 'order', found '${resource.intent}'`, `${at}.intent`);
  if (resource.priority !== undefined && !PRIORITIES.includes(resource.priority)) {
    add('value', 'V2', `priority must be one of ${PRIORITIES.join(', ')}`, `${at}.priority`);
  }
  if (patient && resource.subject?.reference !== patient.fullUrl)
    add('value', 'V12', 'subject must reference the Patient of the message', `${at}.subject`);
  if (resource.authoredOn === undefined) add('required', 'V12', 'authoredOn is required', `${at}.authoredOn`);
}

function resolveRequester(
  message: MessageBundle,
  { resource, at }: IndexedEntry<RequestResource>,
  add: Add,
): { practitioner: IndexedEntry<Practitioner>; role?: IndexedEntry<PractitionerRole> } | undefined {
  const target = resolveEntry(message, resource.requester?.reference);
  if (target?.resource.resourceType === 'Practitioner') return { practitioner: target as IndexedEntry<Practitioner> };
  if (target?.resource.resourceType === 'PractitionerRole') {
    const role = target as IndexedEntry<PractitionerRole>;
    const practitioner = resolveEntry(message, role.resource.practitioner?.reference);
    // checkParticipants reports a role without its practitioner.
    return practitioner?.resource.resourceType === 'Practitioner'
      ? { practitioner: practitioner as IndexedEntry<Practitioner>, role }
      : undefined;
  }
  if (resource.requester?.reference === undefined)
    add('required', 'V12', 'requester (the prescriber) is required', `${at}.requester`);
  else if (target)
    add(
      'value',
      'V12',
      `requester must be a Practitioner or PractitionerRole, not a ${target.resource.resourceType}`,
      `${at}.requester`,
    );
  return undefined;
}

/** Checks the context extensions of a request; returns its work-accident date if any. */
function checkContextExtensions({ resource, at }: IndexedEntry<RequestResource>, add: Add): string | undefined {
  let workAccident = false;
  for (const { ext, index } of extensionsOf(resource, EXTENSIONS.prescriptionContext)) {
    const coding = ext.valueCoding;
    if (coding?.system !== TA_ASIP_SYSTEM || coding.code === undefined || !CONTEXT_CODE_VALUES.includes(coding.code)) {
      add(
        'value',
        'V2',
        `prescription-context is a valueCoding ${TA_ASIP_SYSTEM} with code ${CONTEXT_CODE_VALUES.join(', ')}`,
        `${at}.extension[${index}]`,
      );
    }
    if (coding?.code === CONTEXT_CODES.workAccident) workAccident = true;
  }
  const dates = extensionsOf(resource, EXTENSIONS.workAccidentDate);
  const date = dates[0]?.ext.valueDate;
  if (dates[0] && date === undefined)
    add('value', 'V2', 'work-accident-date carries a valueDate', `${at}.extension[${dates[0].index}]`);
  if (workAccident && date === undefined) {
    add(
      'required',
      'V2',
      `context ${CONTEXT_CODES.workAccident} comes with the extension ${EXTENSIONS.workAccidentDate}`,
      `${at}.extension`,
    );
  }
  if (!workAccident && date !== undefined) {
    add(
      'structure',
      'V2',
      `work-accident-date needs the context code ${CONTEXT_CODES.workAccident}`,
      `${at}.extension[${dates[0]!.index}]`,
    );
  }
  for (const { ext, index } of extensionsOf(resource, EXTENSIONS.offLabel)) {
    if (ext.valueBoolean === undefined)
      add('value', 'V2', 'off-label carries a valueBoolean', `${at}.extension[${index}]`);
  }
  return date;
}

function checkDuration(duration: { value?: number; code?: string } | undefined, path: string, add: Add): void {
  if (duration && (duration.value === undefined || !isDurationUnit(duration.code))) {
    add('value', 'V2', "a duration has a value and a UCUM code 'd', 'wk', 'mo' or 'a'", path);
  }
}

function checkMedicationRequest(resource: MedicationRequest, at: string, add: Add): void {
  if (resource.medicationReference) {
    add(
      'structure',
      'V2',
      'medicationReference is not accepted: send medicationCodeableConcept with a CIS or CIP13 coding',
      `${at}.medicationReference`,
    );
  } else if (!resource.medicationCodeableConcept) {
    add(
      'required',
      'V2',
      'medicationCodeableConcept (CIS/CIP13 coding + label) is required',
      `${at}.medicationCodeableConcept`,
    );
  }
  const dosages = resource.dosageInstruction ?? [];
  if (dosages.length > 1)
    add(
      'structure',
      'V2',
      'one dosageInstruction per drug: put a complex posology in its text',
      `${at}.dosageInstruction[1]`,
    );
  if (dosages[0]) checkDosage(dosages[0], `${at}.dosageInstruction[0]`, add);
}

function checkDosage(dosage: Dosage, at: string, add: Add): void {
  const repeat = dosage.timing?.repeat;
  if (repeat?.frequency !== undefined && (repeat.period !== 1 || repeat.periodUnit !== 'd')) {
    add(
      'value',
      'V2',
      "structured posology counts intakes per day: frequency with period 1 and periodUnit 'd'",
      `${at}.timing.repeat`,
    );
  }
  checkDuration(repeat?.boundsDuration, `${at}.timing.repeat.boundsDuration`, add);
  const doseAndRate = dosage.doseAndRate ?? [];
  if (doseAndRate.length > 1) add('structure', 'V2', 'one doseAndRate per dosage', `${at}.doseAndRate[1]`);
  if (doseAndRate[0] && !doseAndRate[0].doseQuantity) {
    add(
      'structure',
      'V2',
      'the dose is a doseAndRate[0].doseQuantity (ranges and rates are not supported: use the text)',
      `${at}.doseAndRate[0]`,
    );
  }
}

function checkDeviceRequest(resource: DeviceRequest, at: string, add: Add): void {
  if (resource.codeReference) {
    add(
      'structure',
      'V2',
      'codeReference is not accepted: send codeCodeableConcept (LPP coding + label)',
      `${at}.codeReference`,
    );
  } else if (!resource.codeCodeableConcept) {
    add('required', 'V2', 'codeCodeableConcept (LPP coding + label) is required', `${at}.codeCodeableConcept`);
  }
  const quantityParameters = (resource.parameter ?? []).filter((p) =>
    p.code?.coding?.some((c) => c.system === DEVICE_PARAMETER_SYSTEM && c.code === DEVICE_QUANTITY_CODE),
  );
  if (quantityParameters.length !== 1) {
    add(
      'structure',
      'V2',
      `exactly one parameter ${DEVICE_PARAMETER_SYSTEM}|quantity, found ${quantityParameters.length}`,
      `${at}.parameter`,
    );
  } else if (!quantityParameters[0]!.valueQuantity) {
    add(
      'required',
      'V2',
      'the quantity parameter carries a valueQuantity',
      `${at}.parameter[${deviceQuantityIndex(resource)}].valueQuantity`,
    );
  }
  checkDuration(resource.occurrenceTiming?.repeat?.boundsDuration, `${at}.occurrenceTiming.repeat.boundsDuration`, add);
}

function checkServiceRequest(resource: ServiceRequest, at: string, add: Add): void {
  const actTypeCount = (resource.category ?? []).reduce(
    (n, cat) => n + (cat.coding ?? []).filter((c) => c.system === ACT_TYPE_SYSTEM).length,
    0,
  );
  const actType = actTypeCoding(resource);
  if (actTypeCount !== 1) {
    add(
      'structure',
      'V2',
      `category has exactly one coding ${ACT_TYPE_SYSTEM} (the act type), found ${actTypeCount}`,
      `${at}.category`,
    );
  } else if (actType && !isActType(actType.code)) {
    add(
      'value',
      'V2',
      `unknown act type '${actType.code ?? ''}'`,
      `${at}.category[${actType.category}].coding[${actType.coding}].code`,
    );
  }
  if (resource.quantityRatio || resource.quantityRange) {
    add(
      'structure',
      'V2',
      'the number of sessions is a quantityQuantity',
      `${at}.quantity${resource.quantityRatio ? 'Ratio' : 'Range'}`,
    );
  }
  if (resource.occurrenceDateTime !== undefined || resource.occurrencePeriod) {
    add(
      'structure',
      'V2',
      'frequency and start date go in occurrenceTiming (repeat.frequency/periodUnit, repeat.boundsPeriod.start)',
      `${at}.occurrence${resource.occurrencePeriod ? 'Period' : 'DateTime'}`,
    );
  }
  const repeat = resource.occurrenceTiming?.repeat;
  if (repeat?.periodUnit !== undefined && !ACT_PERIOD_UNITS.includes(repeat.periodUnit)) {
    add(
      'value',
      'V2',
      "an act frequency is per day, week or month: periodUnit 'd', 'wk' or 'mo'",
      `${at}.occurrenceTiming.repeat.periodUnit`,
    );
  }
  if (repeat?.period !== undefined && repeat.period !== 1) {
    add('value', 'V2', 'an act frequency is counted per one period: period 1', `${at}.occurrenceTiming.repeat.period`);
  }
}
