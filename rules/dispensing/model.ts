/**
 * The dispensing/execution state of a stored prescription, as the pure rules see it: one
 * LineState per prescription line, read from the stored requests (fhir/dispensing/read-state.ts).
 *
 * How much of a line may ever be dispensed or executed (`prescribed`):
 *  - drug: boxes per delivery × (1 + renewals). `dispenseRequest.quantity` is what one delivery
 *    hands over and `numberOfRepeatsAllowed` how many more times it may be handed over (FR Core:
 *    "number of renewals"), so a line of 2 boxes renewable twice allows 6 boxes in all. Deliveries
 *    may be partial and accumulate; renewals are counted from the boxes already dispensed: the
 *    first `quantity` boxes are the initial delivery, each next `quantity` boxes one renewal.
 *  - device: the number of devices prescribed (DeviceRequest.parameter quantity); no renewals.
 *  - act: the number of sessions (ServiceRequest.quantityQuantity); a biology line without a
 *    session count is one execution (the analyses are done once).
 */
import type { Coding } from 'fhir/r4';
import type { Delivery, DrugValidity } from '../../domain/drug-validity';
import type { IsoDate } from '../../domain/prescription';
import type { LineKind } from '../../domain/professions';

export type { LineKind };
export type LineStatus = 'active' | 'completed' | 'cancelled' | 'expired';
/** `replaced`: a corrected prescription took its place (README "Replacing a prescription"). */
export type PrescriptionStatus = LineStatus | 'replaced';
export type RequestType = 'MedicationRequest' | 'DeviceRequest' | 'ServiceRequest';
export type RecordType = 'MedicationDispense' | 'SupplyDelivery' | 'Procedure';

/** Unit the quantities of a line count in (shown to people, not computed with). */
export const LINE_UNITS = { drug: 'boîte', device: 'dispositif', act: 'séance', biology: 'examen' } as const;
export type LineUnit = (typeof LINE_UNITS)[keyof typeof LINE_UNITS];

/** Which record type executes which request type. */
export const RECORD_FOR_REQUEST: Readonly<Record<RequestType, RecordType>> = {
  MedicationRequest: 'MedicationDispense',
  DeviceRequest: 'SupplyDelivery',
  ServiceRequest: 'Procedure',
};

export interface LineState {
  /** 0-based position in the prescription. */
  index: number;
  /** `Type/id` of the stored request. */
  reference: string;
  requestType: RequestType;
  kind: LineKind;
  unit: LineUnit;
  /** Drugs: boxes per delivery; other lines: the whole prescribed quantity. */
  perDelivery: number;
  /** Drugs: renewals allowed; 0 otherwise. */
  renewals: number;
  /** Total that may ever be dispensed or executed (see the top comment). */
  prescribed: number;
  /** Dispensed or executed so far. */
  executed: number;
  /** FHIR status of the stored request (active, completed, revoked…). */
  requestStatus: string;
  /** Drugs: last day (Europe/Paris) any delivery may be made (the stored validityPeriod.end). */
  validUntil?: IsoDate;
  /**
   * Drugs: the dates of the first delivery and of the renewals (domain/drug-validity.ts); the rules of
   * rules/dispensing/validity-rules.ts apply when present, `validUntil` alone otherwise.
   */
  validity?: DrugValidity;
  /** Drugs: the deliveries recorded so far (dates and boxes), for the delay between renewals. */
  deliveries?: Delivery[];
  /** Drugs: the prescriber forbade substitution. */
  nonSubstitutable: boolean;
  /** Codes of the prescribed product (CIS/CIP13 for drugs, LPP for devices, NABM/NGAP for acts). */
  productCodes: Coding[];
  label?: string;
}

export interface PrescriptionState {
  number: string;
  /** FHIR status of the stored RequestGroup. */
  headerStatus: string;
  /** The number of the prescription that replaced this one, when it was replaced. */
  replacedBy?: string;
  /** authoredOn of the prescription (RFC 3339). */
  authoredOn: string;
  lines: LineState[];
}
