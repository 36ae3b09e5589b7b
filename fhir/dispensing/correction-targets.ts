/**
 * The stored records a correction names (read-outcomes.ts CorrectionRequest) → what the correction
 * rules need of each: its line, what it counted, when it was stored and who recorded it. Pure.
 */
import type {
  Bundle,
  FhirResource,
  MedicationDispense,
  Organization,
  Practitioner,
  Procedure,
  SupplyDelivery,
} from 'fhir/r4';
import type { Problem } from '../../domain/problem';
import type { CorrectionTarget } from '../../rules/dispensing/correction-model';
import { resolverFor } from '../read-prescription';
import { AM_NUMBER_SYSTEM, EXECUTION_EXTENSIONS, FINESS_SYSTEM, IDNATPS_SYSTEM, RPPS_SYSTEM } from '../systems';
import { CORRECTION_STATUS, isNotDone, type CorrectionRequest } from './read-outcomes';
import type { ExecutionRecord, StoredExecutionState } from './read-state';

const identifierKeys = (record: ExecutionRecord): string[] =>
  (record.identifier ?? []).filter((i) => i.system && i.value).map((i) => `${i.system}|${i.value}`);

/** The stored record a correction names: same type, and the same id or a shared identifier. */
export function findRecord(stored: StoredExecutionState, request: CorrectionRequest): ExecutionRecord | undefined {
  return stored.records.find(
    (r) =>
      r.resourceType === request.recordType &&
      (request.id !== undefined ? r.id === request.id : identifierKeys(r).some((k) => request.identifiers.includes(k))),
  );
}

function lineOf(record: ExecutionRecord): string | undefined {
  switch (record.resourceType) {
    case 'MedicationDispense':
      return record.authorizingPrescription?.[0]?.reference;
    case 'SupplyDelivery':
      return record.extension?.find((e) => e.url === EXECUTION_EXTENSIONS.fulfils)?.valueReference?.reference;
    case 'Procedure':
      return record.basedOn?.[0]?.reference;
  }
}

/** What the record counted on its line. */
function quantityOf(record: ExecutionRecord): number {
  if (isNotDone(record) || record.status === CORRECTION_STATUS) return 0;
  switch (record.resourceType) {
    case 'MedicationDispense':
      return (record as MedicationDispense).quantity?.value ?? 0;
    case 'SupplyDelivery':
      return (record as SupplyDelivery).suppliedItem?.quantity?.value ?? 0;
    case 'Procedure':
      return 1;
  }
}

/** The structure the record names (MedicationDispense performer, Procedure onBehalfOf), else its professional. */
function partiesOf(record: ExecutionRecord): { organization?: string; practitioner?: string } {
  const references: string[] = [];
  if (record.resourceType === 'MedicationDispense')
    references.push(...(record.performer ?? []).flatMap((p) => (p.actor.reference ? [p.actor.reference] : [])));
  if (record.resourceType === 'Procedure')
    for (const p of (record as Procedure).performer ?? [])
      references.push(...[p.onBehalfOf?.reference, p.actor.reference].filter((r): r is string => r !== undefined));
  if (record.resourceType === 'SupplyDelivery' && record.supplier?.reference)
    references.push(record.supplier.reference);
  return {
    organization: references.find((r) => r.startsWith('Organization/')),
    practitioner: references.find((r) => r.startsWith('Practitioner/')),
  };
}

export interface TargetsRead {
  targets: CorrectionTarget[];
  /** Records named that this prescription does not have. */
  missing: Problem[];
  /** Structures the records name that the search result did not bring (to be read by the caller). */
  unresolved: string[];
}

export function correctionTargets(
  stored: StoredExecutionState,
  bundle: Bundle<FhirResource>,
  requests: readonly CorrectionRequest[],
  extra: readonly FhirResource[] = [],
): TargetsRead {
  const resolve = resolverFor([...(bundle.entry ?? []), ...extra.map((resource) => ({ resource }))]);
  const targets: CorrectionTarget[] = [];
  const missing: Problem[] = [];
  const unresolved: string[] = [];
  for (const request of requests) {
    const record = findRecord(stored, request);
    const line = record ? lineOf(record) : undefined;
    if (!record || line === undefined) {
      missing.push({
        code: 'not-found',
        rule: 'D15',
        path: request.id !== undefined ? `${request.at}.id` : `${request.at}.identifier`,
        message: `prescription ${stored.state.number} has no ${request.recordType} ${request.id !== undefined ? `with id ${request.id}` : `with identifier ${request.identifiers.join(', ')}`}`,
      });
      continue;
    }
    const parties = partiesOf(record);
    const recordedBy: CorrectionTarget['recordedBy'] = {};
    if (parties.organization) {
      const organization = resolve(parties.organization) as Organization | undefined;
      if (!organization) unresolved.push(parties.organization);
      const finess = organization?.identifier?.find((i) => i.system === FINESS_SYSTEM)?.value;
      const am = organization?.identifier?.find((i) => i.system === AM_NUMBER_SYSTEM)?.value;
      if (finess) recordedBy.finess = finess;
      if (am) recordedBy.am = am;
    } else if (parties.practitioner) {
      const practitioner = resolve(parties.practitioner) as Practitioner | undefined;
      const rpps =
        practitioner?.identifier?.find((i) => i.system === RPPS_SYSTEM)?.value ??
        practitioner?.identifier?.find((i) => i.system === IDNATPS_SYSTEM)?.value?.slice(1);
      if (!practitioner) unresolved.push(parties.practitioner);
      if (rpps) recordedBy.rpps = rpps;
    }
    targets.push({
      reference: `${record.resourceType}/${record.id}`,
      recordType: record.resourceType,
      at: request.at,
      lineReference: line.replace(/^.*?([A-Z][A-Za-z]+\/[^/]+)$/, '$1'),
      quantity: quantityOf(record),
      recordedAt: record.meta?.lastUpdated ?? '',
      alreadyCorrected: record.status === CORRECTION_STATUS,
      recordedBy,
    });
  }
  return { targets, missing, unresolved };
}
