/**
 * The validity dates of a stored drug line and its deliveries, as the dispensing rules read them
 * (rules/dispensing/validity-rules.ts). Pure.
 *
 * Stored by intake (fhir/build-transaction.ts): `dispenseRequest.validityPeriod` = the prescription
 * date → the last day any delivery may be made, `expectedSupplyDuration` = what one delivery covers
 * (the posology's duration). Read back: the duration of one delivery is `expectedSupplyDuration`, else
 * the posology's `timing.repeat.boundsDuration` (requests stored before it was written), else the
 * one-month default (domain/drug-validity.ts); a `validityPeriod.end` only ever shortens the windows.
 */
import type { Duration as FhirDuration, FhirResource, MedicationRequest } from 'fhir/r4';
import { drugValidityOf, type Delivery, type DrugValidity } from '../../domain/drug-validity';
import { parisDateOf } from '../../domain/paris-time';
import type { Duration } from '../../domain/prescription';
import { isDurationUnit } from '../read-prescription';

/** A Paris calendar day of a date or date-time value. */
const dayOf = (value: string): string => (value.length > 10 ? parisDateOf(Date.parse(value)) : value);

function durationOf(d: FhirDuration | undefined): Duration | undefined {
  if (d?.value === undefined || d.value <= 0 || !isDurationUnit(d.code)) return undefined;
  return { value: d.value, unit: d.code };
}

export function storedDrugValidity(
  request: MedicationRequest,
  authoredOn: string,
  renewals: number,
  posologyDuration: Duration | undefined,
): DrugValidity {
  const period = request.dispenseRequest?.validityPeriod;
  const start = period?.start ?? authoredOn;
  return drugValidityOf({
    prescriptionDate: dayOf(start),
    renewals,
    perDeliveryDuration: durationOf(request.dispenseRequest?.expectedSupplyDuration) ?? posologyDuration,
    statedEnd: period?.end !== undefined ? dayOf(period.end) : undefined,
  });
}

/**
 * Deliveries per `MedicationRequest/<id>`, from the stored MedicationDispenses that handed something over
 * (`completed`: a line declined at the counter or a record entered in error delivered nothing).
 */
export function deliveriesByRequest(records: readonly FhirResource[]): Map<string, Delivery[]> {
  const byRequest = new Map<string, Delivery[]>();
  for (const record of records) {
    if (record.resourceType !== 'MedicationDispense' || record.status !== 'completed') continue;
    const when = record.whenHandedOver;
    const quantity = record.quantity?.value;
    const reference = /MedicationRequest\/[^/]+/.exec(record.authorizingPrescription?.[0]?.reference ?? '')?.[0];
    if (when === undefined || quantity === undefined || reference === undefined) continue;
    const list = byRequest.get(reference) ?? [];
    list.push({ date: dayOf(when), quantity });
    byRequest.set(reference, list);
  }
  return byRequest;
}
