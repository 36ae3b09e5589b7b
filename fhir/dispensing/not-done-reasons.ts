/**
 * The coded reasons a line was not dispensed or an act not done (README "Dispensing and execution",
 * rule D13). Standard codes first: HL7's medicationdispense-status-reason (R4 binds
 * MedicationDispense.statusReason to it, example strength) for drugs, SNOMED CT for acts (R4's
 * procedure-not-performed-reason is SNOMED CT). What neither names in the words of a French counter
 * — a patient who refuses, a prescription suspected forged, a contra-indication in general — is a
 * code of the gateway's own system. Pure data.
 */
import type { RecordType } from '../../rules/dispensing/model';

/** HL7 medicationdispense-status-reason: R4 published it under `/fhir/CodeSystem/`, THO under `/CodeSystem/`; both are read. */
export const DISPENSE_STATUS_REASON_SYSTEMS = [
  'http://terminology.hl7.org/CodeSystem/medicationdispense-status-reason',
  'http://terminology.hl7.org/fhir/CodeSystem/medicationdispense-status-reason',
] as const;

/** The R4 content of medicationdispense-status-reason. */
export const DISPENSE_STATUS_REASONS: Readonly<Record<string, string>> = {
  frr01: 'Order Stopped',
  frr02: 'Stale-dated Order',
  frr03: 'Incomplete data',
  frr04: 'Product unavailable',
  frr05: 'Ethical/religious',
  frr06: 'Unable to provide care',
  altchoice: 'Try another treatment first',
  clarif: 'Prescription/Request requires clarification',
  drughigh: 'Drug level too high',
  hospadm: 'Admission to hospital',
  labint: 'Lab interference issues',
  'non-avail': 'Patient not available',
  preg: 'Patient is pregnant or breastfeeding',
  saig: 'Allergy',
  sddi: 'Drug interacts with another drug',
  sdupther: 'Duplicate therapy',
  sintol: 'Suspected intolerance',
  surg: 'Patient scheduled for surgery',
  washout: 'Washout',
  outofstock: 'Drug not available - out of stock',
  offmarket: 'Drug not available - off market',
};

/** The gateway's own reasons, for what the standard systems do not say. */
export const LOCAL_NOT_DONE_REASON_SYSTEM = 'urn:ordo-gateway:not-dispensed-reason';
export const LOCAL_NOT_DONE_REASONS: Readonly<Record<string, string>> = {
  contraindication: 'Contra-indication found by the pharmacist or professional',
  'patient-refused': 'Refused by the patient',
  'suspected-forgery': 'Prescription suspected forged or altered',
};

export const SNOMED_SYSTEM = 'http://snomed.info/sct';

/** The status a record has when nothing was delivered or done; SupplyDelivery has none that carries a reason. */
export const NOT_DONE_STATUS: Readonly<Record<RecordType, string | undefined>> = {
  MedicationDispense: 'declined',
  Procedure: 'not-done',
  SupplyDelivery: undefined,
};

/** Whether a coding is an accepted reason for a record of that type; its display when it is. */
export function reasonDisplay(
  recordType: RecordType,
  system: string | undefined,
  code: string | undefined,
): string | undefined {
  if (system === undefined || code === undefined) return undefined;
  if (system === LOCAL_NOT_DONE_REASON_SYSTEM && Object.hasOwn(LOCAL_NOT_DONE_REASONS, code))
    return LOCAL_NOT_DONE_REASONS[code];
  if (
    recordType === 'MedicationDispense' &&
    (DISPENSE_STATUS_REASON_SYSTEMS as readonly string[]).includes(system) &&
    Object.hasOwn(DISPENSE_STATUS_REASONS, code)
  )
    return DISPENSE_STATUS_REASONS[code];
  if (recordType === 'Procedure' && system === SNOMED_SYSTEM && /^\d{6,18}$/.test(code)) return code;
  return undefined;
}
