/**
 * AuditJob → FHIR R4 AuditEvent following IHE BALP (Basic Audit Log Patterns): pure.
 *
 * - type: audit-event-type `rest` (DICOM 110106 Export for the DMP publication); subtype: the
 *   FHIR restful-interaction plus the gateway's own event name (urn:ordo-gateway:audit-event);
 *   action C/R/U/D/E; recorded; outcome 0 (success), 4 (refused or invalid request), 12 (failure).
 * - agents: the user (who.identifier = idNatPs, requestor; an ordo-admin operator by name in
 *   urn:ordo-gateway:operator), the client (DICOM 110153 Source
 *   Role ID, network address of the request) and the server (DICOM 110152, the gateway).
 * - source: the gateway as observer (audit-source-type 4, application server).
 * - entities: the accessed resource (the prescription's RequestGroup with its number as
 *   identifier, and in its detail which software sent it when it is created, or which lines a
 *   dispense recorded and how much: fhir/audit-details.ts; or a query), the patient (BALP patient entity: type 1 person, role 1 patient),
 *   and the audit record's own identifier (entity-identifier search, conditional create).
 * - a reference that names nothing in the store (a read of a missing id) is recorded by
 *   identifier instead (recordByIdentifier): the store refuses an AuditEvent with a dangling one.
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from 'fhir/r4';
import {
  ACT_REASON_SYSTEM,
  AUDIT_EVENT_NAME_SYSTEM,
  FINESS_SYSTEM,
  GATEWAY_PROFESSION_SYSTEM,
  GATEWAY_ROLE_SYSTEM,
  IDNATPS_SYSTEM,
  OPERATOR_SYSTEM,
  PRESCRIPTION_NUMBER_SYSTEM,
  REQUEST_ID_DETAIL,
} from '../../fhir/systems';
import { RFC3986_SYSTEM } from '../../documents/dmp/mhd';
import type { AuditEntityDetail } from '../../fhir/audit-details';
import type { AuditJob } from './audit-job';

export const AUDIT_RECORD_SYSTEM = 'urn:ordo-gateway:audit-record';
/** Identifier system of a resource of the gateway's store named by `Type/id`, when it cannot be a reference. */
export const STORE_RESOURCE_SYSTEM = 'urn:ordo-gateway:fhir-resource';
export { AUDIT_EVENT_NAME_SYSTEM, GATEWAY_ROLE_SYSTEM, OPERATOR_SYSTEM, REQUEST_ID_DETAIL };

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';

/** What the processor found in the store for the job's entity. */
export interface ResolvedEntity {
  /** e.g. "RequestGroup/123". */
  reference?: string;
  /** e.g. "Patient/45". */
  patient?: string;
  /** What the stored prescription says of itself that the event is about (the software that sent it). */
  detail?: AuditEntityDetail[];
}

export interface GatewayIdentity {
  /** Name of the observer, e.g. "ordo-gateway". */
  name: string;
  /** Where the gateway is reached (host name or URL). */
  address: string;
}

export function outcomeCode(status: number): '0' | '4' | '8' | '12' {
  if (status < 400) return '0';
  if (status < 500) return '4';
  return '12';
}

/** The participation of the user: the author of a change, the recipient of what was read. */
const userParticipation = (job: AuditJob) => ({
  coding: [
    {
      system: PARTICIPATION,
      code: job.event.action === 'R' ? 'IRCP' : 'AUT',
      display: job.event.action === 'R' ? 'information recipient' : 'author',
    },
  ],
});

/** An operator of the ordo-admin command: named by the identity they act under, role operator. */
const operatorAgent = (job: AuditJob, name: string): AuditEventAgent => ({
  type: userParticipation(job),
  role: [{ coding: [{ system: GATEWAY_ROLE_SYSTEM, code: 'operator' }] }],
  who: { identifier: { system: OPERATOR_SYSTEM, value: name } },
  requestor: true,
});

function userAgent(job: AuditJob): AuditEventAgent | undefined {
  if (job.operator !== undefined) return operatorAgent(job, job.operator);
  const p = job.agent;
  if (!p) return undefined;
  const roles: Coding[] = [{ system: GATEWAY_ROLE_SYSTEM, code: p.role }];
  if (p.profession) roles.push({ system: GATEWAY_PROFESSION_SYSTEM, code: p.profession });
  return {
    type: userParticipation(job),
    role: [{ coding: roles }],
    who: { identifier: { system: IDNATPS_SYSTEM, value: p.nationalId } },
    altId: p.subject,
    requestor: true,
    ...(p.organization.finess
      ? { location: { identifier: { system: FINESS_SYSTEM, value: p.organization.finess } } }
      : {}),
  };
}

function entities(job: AuditJob, resolved: ResolvedEntity): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  const number = job.entity?.number;
  const reference = resolved.reference ?? job.entity?.reference;
  if (number || reference) {
    const detail = [...(resolved.detail ?? []), ...(job.entity?.detail ?? [])];
    out.push({
      what: {
        ...(reference ? { reference } : {}),
        ...(number ? { identifier: { system: PRESCRIPTION_NUMBER_SYSTEM, value: number } } : {}),
      },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
      ...(detail.length > 0 ? { detail: detail.map((d) => ({ type: d.type, valueString: d.value })) } : {}),
    });
  }
  if (job.entity?.documentUniqueId) {
    // What the export produced (DICOM 110106): the document in the patient's DMP, by its uniqueId.
    out.push({
      what: { identifier: { system: RFC3986_SYSTEM, value: job.entity.documentUniqueId } },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '3', display: 'Report' },
    });
  }
  if (job.entity?.query !== undefined) {
    out.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      query: Buffer.from(job.entity.query, 'utf8').toString('base64'),
    });
  }
  if (resolved.patient) {
    out.push({
      what: { reference: resolved.patient },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  out.push({
    what: { identifier: { system: AUDIT_RECORD_SYSTEM, value: job.id } },
    type: { system: BALP_ENTITY_TYPE, code: 'XrequestId', display: 'X-Request-Id' },
    ...(job.request?.requestId ? { detail: [{ type: REQUEST_ID_DETAIL, valueString: job.request.requestId }] } : {}),
  });
  return out;
}

export function buildAuditEvent(job: AuditJob, resolved: ResolvedEntity, gateway: GatewayIdentity): AuditEvent {
  const type: Coding =
    job.event.type === 'export'
      ? { system: DCM, code: '110106', display: 'Export' }
      : { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'Restful Operation' };
  const user = userAgent(job);
  const agents: AuditEventAgent[] = [
    ...(user ? [user] : []),
    {
      type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
      who: {
        display: job.operator
          ? 'ordo-admin command'
          : job.agent
            ? 'client of the professional'
            : 'unauthenticated client',
      },
      requestor: !user && job.event.type === 'rest',
      ...(job.network ? { network: { address: job.network, type: '2' as const } } : {}),
    },
    {
      type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
      who: { display: gateway.name },
      requestor: job.event.type === 'export',
      network: { address: gateway.address, type: '1' as const },
    },
  ];
  const outcome = outcomeCode(job.outcome.status);
  const description =
    outcome === '0' ? undefined : `HTTP ${job.outcome.status}${job.outcome.detail ? `: ${job.outcome.detail}` : ''}`;
  return {
    resourceType: 'AuditEvent',
    type,
    subtype: [
      { system: RESTFUL_INTERACTION, code: job.event.interaction },
      { system: AUDIT_EVENT_NAME_SYSTEM, code: job.event.name },
    ],
    action: job.event.action,
    recorded: job.recorded,
    outcome,
    ...(description ? { outcomeDesc: description } : {}),
    ...(job.purposeOfUse
      ? { purposeOfEvent: [{ coding: [{ system: ACT_REASON_SYSTEM, code: job.purposeOfUse }] }] }
      : {}),
    agent: agents,
    source: {
      observer: { display: gateway.name },
      site: gateway.address,
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities(job, resolved),
  };
}

/**
 * The event with these references recorded by identifier instead: a read of a missing id, an unknown type. The
 * entity keeps its identifier if it had one (a prescription number), else gets `urn:ordo-gateway:fhir-resource|
 * Type/id`; its `name` is the requested `Type/id` either way, so what was asked for is never lost.
 */
export function recordByIdentifier(event: AuditEvent, references: ReadonlySet<string>): AuditEvent {
  return {
    ...event,
    entity: event.entity?.map((entity) => {
      const reference = entity.what?.reference;
      if (reference === undefined || !references.has(reference)) return entity;
      const { reference: _dangling, ...what } = entity.what!;
      return {
        ...entity,
        what: { ...what, identifier: what.identifier ?? { system: STORE_RESOURCE_SYSTEM, value: reference } },
        name: reference,
      };
    }),
  };
}

/** The literal references of an event's entities (what the store checks before accepting it). */
export const entityReferences = (event: AuditEvent): string[] =>
  (event.entity ?? []).flatMap((e) => (e.what?.reference !== undefined ? [e.what.reference] : []));
