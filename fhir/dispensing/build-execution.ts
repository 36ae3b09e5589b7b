/**
 * The FHIR transactions that change a prescription's execution state. Pure (fullUrls come from
 * `newUuid`). Each one is ONE transaction that
 *  - writes what happened (records, with the performer and structure as conditional creates), and
 *  - updates every request it changes AND the RequestGroup header, each with `ifMatch` = the
 *    version read before the rules were checked.
 * HAPI applies a transaction all or nothing and refuses it (409/412) when one of those versions
 * moved on: two gateways (or processes) deciding on the same state cannot both commit, so the
 * rules' verdict always holds on the state it was made on. The header is bumped every time
 * (extension execution-revision) so that any two changes of one prescription conflict, even on
 * different lines — which is what keeps the header status (completed, revoked) right.
 */
import type {
  Bundle,
  BundleEntry,
  Extension,
  FhirResource,
  MedicationDispense,
  Organization,
  Practitioner,
  Procedure,
  Reference,
  RequestGroup,
  SupplyDelivery,
} from 'fhir/r4';
import { idNatPsFromRpps } from '../../domain/identifiers';
import { searchToken } from '../build-transaction';
import type { RequestResource } from '../read-prescription';
import {
  ACT_CODE_SYSTEM,
  AM_NUMBER_SYSTEM,
  EXECUTION_EXTENSIONS,
  FINESS_SYSTEM,
  IDNATPS_SYSTEM,
  PRESCRIPTION_NUMBER_SYSTEM,
  RPPS_SYSTEM,
} from '../systems';
import { FILL_CODES, type FillCode } from '../../rules/dispensing/execution-rules';
import type { LineState } from '../../rules/dispensing/model';
import type { CancellationPlan } from '../../rules/dispensing/cancel-rules';
import { cancelledStatusOf, isCancelledStatus } from '../../rules/dispensing/status';
import { executionRevisionOf, type ExecutionRecord, type StoredExecutionState } from './read-state';
import type { Located } from './read-submission';

export interface PerformerToStore {
  rpps: string;
  /** The Practitioner as submitted (kept when it is created), else a minimal one is made from the RPPS. */
  practitioner?: Located<Practitioner>;
  /** The structure: as submitted, or from the token's FINESS / numéro AM. */
  organization?: { submitted?: Located<Organization>; finess?: string; am?: string };
}

export interface RecordToStore {
  record: Located<ExecutionRecord>;
  line: LineState;
  fill?: FillCode;
}

export interface ExecutionTransaction {
  bundle: Bundle<FhirResource>;
  /** Index in `bundle.entry` of each record, same order as the records given. */
  recordEntries: number[];
  /** Index of the header's PUT (its response tells the new version). */
  headerEntry: number;
}

export const ifMatch = (version: string): string => `W/"${version}"`;

export function setExtension(extensions: Extension[] | undefined, extension: Extension): Extension[] {
  return [...(extensions ?? []).filter((e) => e.url !== extension.url), extension];
}

/** A stored resource made ready for a PUT: same content, meta reduced to its profiles. */
export function forUpdate<T extends FhirResource>(resource: T): T {
  const { meta, ...rest } = resource;
  return { ...rest, ...(meta?.profile ? { meta: { profile: meta.profile } } : {}) } as T;
}

export function headerUpdate(stored: StoredExecutionState, status: RequestGroup['status']): BundleEntry<FhirResource> {
  const header: RequestGroup = forUpdate(stored.header);
  header.extension = setExtension(header.extension, {
    url: EXECUTION_EXTENSIONS.executionRevision,
    valueInteger: executionRevisionOf(stored.header) + 1,
  });
  header.status = status;
  return {
    resource: header,
    request: { method: 'PUT', url: `RequestGroup/${stored.header.id}`, ifMatch: ifMatch(stored.headerVersion) },
  };
}

export function requestUpdate(
  stored: StoredExecutionState,
  reference: string,
  change: (r: RequestResource) => void,
): BundleEntry<FhirResource> {
  const found = stored.requests.get(reference);
  if (!found) throw new Error(`${reference} is not a request of prescription ${stored.state.number}`);
  const request = forUpdate(found.resource);
  change(request);
  return { resource: request, request: { method: 'PUT', url: reference, ifMatch: ifMatch(found.version) } };
}

/**
 * The update of a line's request to its new executed total; `adjust` then sets the status that total
 * implies (completed by a dispense, active again after a correction).
 */
export function executedTotalUpdate(
  stored: StoredExecutionState,
  reference: string,
  total: number,
  adjust: (request: RequestResource, line: LineState) => void,
): BundleEntry<FhirResource> {
  const line = stored.state.lines.find((l) => l.reference === reference)!;
  return requestUpdate(stored, reference, (request) => {
    request.extension = setExtension(request.extension, {
      url: EXECUTION_EXTENSIONS.executedQuantity,
      valueInteger: total,
    });
    adjust(request, line);
  });
}

function practitionerToStore(performer: PerformerToStore): Practitioner {
  const identifier = [
    { system: RPPS_SYSTEM, value: performer.rpps },
    { system: IDNATPS_SYSTEM, value: idNatPsFromRpps(performer.rpps) },
  ];
  const submitted = performer.practitioner?.resource;
  if (!submitted) return { resourceType: 'Practitioner', identifier };
  const { id: _id, meta: _meta, ...rest } = submitted;
  const others = (submitted.identifier ?? []).filter((i) => i.system !== RPPS_SYSTEM && i.system !== IDNATPS_SYSTEM);
  return { ...rest, identifier: [...identifier, ...others] };
}

function organizationToStore(
  organization: NonNullable<PerformerToStore['organization']>,
): { resource: Organization; ifNoneExist: string } | undefined {
  const submitted = organization.submitted?.resource;
  const finess = submitted?.identifier?.find((i) => i.system === FINESS_SYSTEM)?.value ?? organization.finess;
  const am = submitted?.identifier?.find((i) => i.system === AM_NUMBER_SYSTEM)?.value ?? organization.am;
  if (finess === undefined && am === undefined) return undefined;
  const ifNoneExist = finess !== undefined ? searchToken(FINESS_SYSTEM, finess) : searchToken(AM_NUMBER_SYSTEM, am!);
  if (submitted) {
    const { id: _id, meta: _meta, ...rest } = submitted;
    return { resource: rest, ifNoneExist };
  }
  const identifier = [
    ...(finess !== undefined ? [{ system: FINESS_SYSTEM, value: finess }] : []),
    ...(am !== undefined ? [{ system: AM_NUMBER_SYSTEM, value: am }] : []),
  ];
  return { resource: { resourceType: 'Organization', identifier }, ifNoneExist };
}

/** The record as stored: linked to the prescription, its line, its patient and the stored performer. */
function recordToStore(
  item: RecordToStore,
  stored: StoredExecutionState,
  links: { practitioner: string; organization?: string; remap: (reference: string) => string | undefined },
): ExecutionRecord {
  const { id: _id, meta: _meta, contained: _contained, ...rest } = item.record.resource;
  const prescription: Extension = {
    url: EXECUTION_EXTENSIONS.prescription,
    valueReference: {
      reference: `RequestGroup/${stored.header.id}`,
      identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: stored.state.number },
    },
  };
  const practitioner: Reference = { reference: links.practitioner };
  const organization: Reference | undefined = links.organization ? { reference: links.organization } : undefined;
  const remapped = (ref: Reference | undefined): Reference | undefined => {
    const to = ref?.reference !== undefined ? links.remap(ref.reference) : undefined;
    return to ? { ...ref, reference: to } : undefined;
  };
  const subject: Reference = { reference: stored.patientReference };
  const line: Reference = { reference: item.line.reference };
  switch (rest.resourceType) {
    case 'MedicationDispense': {
      const dispense = rest as MedicationDispense;
      const performers = (dispense.performer ?? []).flatMap((p) => {
        const actor = remapped(p.actor);
        return actor ? [{ ...p, actor }] : [];
      });
      if (!performers.some((p) => p.actor.reference === links.practitioner))
        performers.unshift({ actor: practitioner });
      if (organization && !performers.some((p) => p.actor.reference === organization.reference))
        performers.push({ actor: organization });
      const fill = item.fill;
      return {
        ...dispense,
        extension: setExtension(dispense.extension, prescription),
        subject,
        performer: performers,
        authorizingPrescription: [line],
        ...(fill ? { type: { coding: [{ system: ACT_CODE_SYSTEM, code: fill, display: FILL_CODES[fill] }] } } : {}),
      };
    }
    case 'SupplyDelivery': {
      const delivery = rest as SupplyDelivery;
      let extension = setExtension(delivery.extension, prescription);
      extension = setExtension(extension, { url: EXECUTION_EXTENSIONS.fulfils, valueReference: line });
      return { ...delivery, extension, patient: subject, supplier: practitioner };
    }
    case 'Procedure': {
      const procedure = rest as Procedure;
      const performers = (procedure.performer ?? []).flatMap((p) => {
        const actor = remapped(p.actor);
        if (!actor) return [];
        const onBehalfOf = remapped(p.onBehalfOf);
        const { onBehalfOf: _drop, ...withoutOrg } = p;
        return [{ ...withoutOrg, actor, ...(onBehalfOf ? { onBehalfOf } : {}) }];
      });
      if (!performers.some((p) => p.actor.reference === links.practitioner)) {
        performers.unshift({ actor: practitioner, ...(organization ? { onBehalfOf: organization } : {}) });
      }
      return {
        ...procedure,
        extension: setExtension(procedure.extension, prescription),
        subject,
        basedOn: [line],
        performer: performers,
      };
    }
  }
}

export function buildExecutionTransaction(
  stored: StoredExecutionState,
  records: readonly RecordToStore[],
  performer: PerformerToStore,
  executed: ReadonlyMap<string, number>,
  newUuid: () => string,
): ExecutionTransaction {
  const entries: BundleEntry<FhirResource>[] = [];
  const practitionerUrl = `urn:uuid:${newUuid()}`;
  entries.push({
    fullUrl: practitionerUrl,
    resource: practitionerToStore(performer),
    request: { method: 'POST', url: 'Practitioner', ifNoneExist: searchToken(RPPS_SYSTEM, performer.rpps) },
  });
  const organization = performer.organization ? organizationToStore(performer.organization) : undefined;
  const organizationUrl = organization ? `urn:uuid:${newUuid()}` : undefined;
  if (organization && organizationUrl) {
    entries.push({
      fullUrl: organizationUrl,
      resource: organization.resource,
      request: { method: 'POST', url: 'Organization', ifNoneExist: organization.ifNoneExist },
    });
  }
  const remap = (reference: string): string | undefined => {
    if (performer.practitioner?.fullUrl === reference) return practitionerUrl;
    if (performer.organization?.submitted?.fullUrl === reference) return organizationUrl;
    return undefined;
  };

  const recordEntries: number[] = [];
  for (const item of records) {
    recordEntries.push(entries.length);
    const resource = recordToStore(item, stored, {
      practitioner: practitionerUrl,
      ...(organizationUrl ? { organization: organizationUrl } : {}),
      remap,
    });
    entries.push({
      fullUrl: `urn:uuid:${newUuid()}`,
      resource,
      request: { method: 'POST', url: resource.resourceType },
    });
  }

  for (const [reference, total] of executed) {
    entries.push(
      executedTotalUpdate(stored, reference, total, (request, line) => {
        if (total >= line.prescribed) request.status = 'completed';
      }),
    );
  }

  // The header is completed when no line can be dispensed any more (all completed or cancelled).
  const finished = stored.state.lines.every((l) => {
    const total = executed.get(l.reference) ?? l.executed;
    return total >= l.prescribed || l.requestStatus === 'completed' || isCancelledStatus(l.requestStatus);
  });
  const headerEntry = entries.length;
  entries.push(
    headerUpdate(stored, finished && stored.header.status === 'active' ? 'completed' : stored.header.status),
  );
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries }, recordEntries, headerEntry };
}

/** The cancellation: the lines planned are revoked, the header revoked when nothing remains; all with If-Match. */
export function buildCancellationTransaction(
  stored: StoredExecutionState,
  plan: CancellationPlan,
): { bundle: Bundle<FhirResource>; headerEntry: number } {
  const entries: BundleEntry<FhirResource>[] = plan.cancel.map((line) =>
    requestUpdate(stored, line.reference, (request) => {
      request.status = cancelledStatusOf(request.resourceType);
    }),
  );
  const headerEntry = entries.length;
  entries.push(headerUpdate(stored, plan.revokePrescription ? 'revoked' : stored.header.status));
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry: entries }, headerEntry };
}
