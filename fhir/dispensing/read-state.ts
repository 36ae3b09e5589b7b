/**
 * A stored prescription's search result (usecases/prescriptions/repository.ts: the header, its
 * requests, patient, practitioners, organization, consents and dispensing/execution records)
 * → the dispensing state the rules work on, plus the resources and versions the writers need.
 * Pure.
 */
import type {
  Bundle,
  Coding,
  Consent,
  FhirResource,
  MedicationDispense,
  Procedure,
  RequestGroup,
  SupplyDelivery,
} from 'fhir/r4';
import { lastDeliveryDay, type Delivery } from '../../domain/drug-validity';
import { prescriptionNumberOf, readLine, resolverFor, type RequestResource } from '../read-prescription';
import { EXECUTION_EXTENSIONS, REPLACEMENT_EXTENSIONS } from '../systems';
import { LINE_UNITS, type LineState, type PrescriptionState, type RecordType } from '../../rules/dispensing/model';
import { isDispensingViewConsent, isDmpFeedConsent } from './consent';
import { deliveriesByRequest, storedDrugValidity } from './read-validity';

export type ExecutionRecord = MedicationDispense | SupplyDelivery | Procedure;
export const RECORD_TYPES: readonly RecordType[] = ['MedicationDispense', 'SupplyDelivery', 'Procedure'];
export const isExecutionRecord = (r: FhirResource | undefined): r is ExecutionRecord =>
  r !== undefined && (RECORD_TYPES as readonly string[]).includes(r.resourceType);

export interface StoredExecutionState {
  state: PrescriptionState;
  header: RequestGroup & { id: string };
  headerVersion: string;
  /** The stored request of each line, by `Type/id`, with the version read. */
  requests: Map<string, { resource: RequestResource & { id: string }; version: string }>;
  /** `Patient/<id>` of the prescription's patient. */
  patientReference: string;
  /** The consultation-delivrance Consent, when stored. */
  dispensingConsent?: Consent & { id: string };
  /** The alimentation-dmp Consent, when stored. */
  dmpConsent?: Consent & { id: string };
  /** Dispensing and execution records, oldest first. */
  records: ExecutionRecord[];
}

export class UnreadableStoredPrescription extends Error {
  constructor(message: string) {
    super(`stored prescription cannot be read for dispensing: ${message}`);
    this.name = 'UnreadableStoredPrescription';
  }
}

const integerExtension = (
  resource: { extension?: Array<{ url: string; valueInteger?: number }> },
  url: string,
): number | undefined => resource.extension?.find((e) => e.url === url)?.valueInteger;

function versionOf(resource: FhirResource): string {
  const version = resource.meta?.versionId;
  if (version === undefined)
    throw new UnreadableStoredPrescription(`${resource.resourceType}/${resource.id} has no meta.versionId`);
  return version;
}

function lineState(
  request: RequestResource & { id: string },
  index: number,
  authoredOn: string,
  deliveries: ReadonlyMap<string, Delivery[]>,
): LineState {
  const read = readLine(request, request.resourceType);
  if (!read) throw new UnreadableStoredPrescription(`the act type of ${request.resourceType}/${request.id} is unknown`);
  const line = read.value;
  const executed = integerExtension(request, EXECUTION_EXTENSIONS.executedQuantity) ?? 0;
  const base = {
    index,
    reference: `${request.resourceType}/${request.id}`,
    requestType: request.resourceType,
    executed,
    requestStatus: request.status ?? 'unknown',
    ...(line.label !== undefined ? { label: line.label } : {}),
  };
  switch (line.kind) {
    case 'drug': {
      const perDelivery = line.quantity ?? 1;
      const validity =
        request.resourceType === 'MedicationRequest'
          ? storedDrugValidity(request, authoredOn, line.renewals, line.posology.structured?.duration)
          : undefined;
      const validUntil = validity ? lastDeliveryDay(validity) : undefined;
      const codes =
        (request.resourceType === 'MedicationRequest' ? request.medicationCodeableConcept?.coding : undefined) ?? [];
      return {
        ...base,
        kind: 'drug',
        unit: LINE_UNITS.drug,
        perDelivery,
        renewals: line.renewals,
        prescribed: perDelivery * (1 + line.renewals),
        ...(validUntil !== undefined ? { validUntil } : {}),
        ...(validity ? { validity, deliveries: deliveries.get(base.reference) ?? [] } : {}),
        nonSubstitutable: line.nonSubstitutable,
        productCodes: codes.map(pickCoding),
      };
    }
    case 'device': {
      const quantity = line.quantity ?? 1;
      const codes = (request.resourceType === 'DeviceRequest' ? request.codeCodeableConcept?.coding : undefined) ?? [];
      return {
        ...base,
        kind: 'device',
        unit: LINE_UNITS.device,
        perDelivery: quantity,
        renewals: 0,
        prescribed: quantity,
        nonSubstitutable: false,
        productCodes: codes.map(pickCoding),
      };
    }
    case 'act': {
      const sessions = line.sessions ?? 1;
      const codes = (request.resourceType === 'ServiceRequest' ? request.code?.coding : undefined) ?? [];
      const unit =
        line.actType === 'acteBiologieMedicale' && line.sessions === undefined ? LINE_UNITS.biology : LINE_UNITS.act;
      return {
        ...base,
        kind: line.actType,
        unit,
        perDelivery: sessions,
        renewals: 0,
        prescribed: sessions,
        nonSubstitutable: false,
        productCodes: codes.map(pickCoding),
      };
    }
  }
}

const pickCoding = (c: Coding): Coding => ({
  ...(c.system !== undefined ? { system: c.system } : {}),
  ...(c.code !== undefined ? { code: c.code } : {}),
});

const recordTime = (r: ExecutionRecord): string =>
  r.meta?.lastUpdated ?? (r.resourceType === 'MedicationDispense' ? r.whenHandedOver : undefined) ?? '';
/** Oldest first; records of one transaction share lastUpdated and come in id order. */
const byRecordTime = (a: ExecutionRecord, b: ExecutionRecord): number =>
  recordTime(a).localeCompare(recordTime(b)) ||
  (a.id ?? '').length - (b.id ?? '').length ||
  (a.id ?? '').localeCompare(b.id ?? '');

export function readExecutionState(found: {
  header: RequestGroup;
  bundle: Bundle<FhirResource>;
}): StoredExecutionState {
  const header = found.header;
  if (header.id === undefined) throw new UnreadableStoredPrescription('the RequestGroup has no id');
  const number = prescriptionNumberOf(header);
  if (number === undefined) throw new UnreadableStoredPrescription('the RequestGroup has no prescription number');
  const authoredOn = header.authoredOn ?? '';
  const entries = found.bundle.entry ?? [];
  const resolve = resolverFor(entries);
  const requests: StoredExecutionState['requests'] = new Map();
  const lines: LineState[] = [];
  const deliveries = deliveriesByRequest(entries.flatMap((e) => (e.resource ? [e.resource] : [])));
  (header.action ?? []).forEach((action, index) => {
    const reference = action.resource?.reference;
    const request = reference !== undefined ? resolve(reference) : undefined;
    if (
      !request ||
      !['MedicationRequest', 'DeviceRequest', 'ServiceRequest'].includes(request.resourceType) ||
      request.id === undefined
    ) {
      throw new UnreadableStoredPrescription(
        `the request of line ${index + 1} (${reference ?? 'no reference'}) is not in the search result`,
      );
    }
    const typed = request as RequestResource & { id: string };
    const line = lineState(typed, index, authoredOn, deliveries);
    requests.set(line.reference, { resource: typed, version: versionOf(typed) });
    lines.push(line);
  });
  const patientReference = header.subject?.reference;
  if (patientReference === undefined) throw new UnreadableStoredPrescription('the RequestGroup has no subject');
  const consentOf = (topic: (c: Consent) => boolean) =>
    entries
      .map((e) => e.resource)
      .find((r): r is Consent & { id: string } => r?.resourceType === 'Consent' && r.id !== undefined && topic(r));
  const consent = consentOf(isDispensingViewConsent);
  const dmpConsent = consentOf(isDmpFeedConsent);
  const records = entries
    .map((e) => e.resource)
    .filter(isExecutionRecord)
    .sort(byRecordTime);
  return {
    state: { number, headerStatus: header.status, ...replacedByOf(header), authoredOn, lines },
    header: header as RequestGroup & { id: string },
    headerVersion: versionOf(header),
    requests,
    patientReference,
    ...(consent ? { dispensingConsent: consent } : {}),
    ...(dmpConsent ? { dmpConsent } : {}),
    records,
  };
}

/** The number of the prescription that replaced this one (extension ordo-ext-replaced-by), as a state field. */
function replacedByOf(header: RequestGroup): { replacedBy?: string } {
  const value = header.extension?.find((e) => e.url === REPLACEMENT_EXTENSIONS.replacedBy)?.valueReference?.identifier
    ?.value;
  return value !== undefined ? { replacedBy: value } : {};
}

/** The execution revision of a header (0 before any dispense). */
export const executionRevisionOf = (header: RequestGroup): number =>
  integerExtension(header, EXECUTION_EXTENSIONS.executionRevision) ?? 0;
