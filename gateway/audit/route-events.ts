/**
 * What each route records in the audit trail — the route metadata the security interceptor
 * audits by (no audit code in the handlers). `null`: nothing on success (no patient data is
 * touched); refused accesses (401/403/429) are recorded on every route anyway.
 *
 * `entity` says where the accessed thing is found:
 *   number    the :number path parameter (a prescription number)
 *   location  the Location header of the answer (a created prescription), else what the
 *             handler declared with setAuditEntity (e.g. the number a scanned QR code named)
 *   fhir      the auditor API: `Type/id` for a read, the query for a search
 */
import type { AuditAction } from '../../queue/audit/jobs';
import type { RouteId } from '../../rules/access/policy';

export interface RouteAuditSpec {
  interaction: string;
  action: AuditAction;
  entity: 'number' | 'location' | 'fhir' | 'none';
}

export const ROUTE_AUDIT: Readonly<Record<RouteId, RouteAuditSpec | null>> = {
  health: null,
  ready: null,
  'prescription.create': { interaction: 'create', action: 'C', entity: 'location' },
  'prescription.scan': { interaction: 'read', action: 'R', entity: 'location' },
  'prescription.read': { interaction: 'read', action: 'R', entity: 'number' },
  'dispense.record': { interaction: 'create', action: 'C', entity: 'number' },
  'dispense.read': { interaction: 'search-type', action: 'R', entity: 'number' },
  'prescription.cancel': { interaction: 'update', action: 'U', entity: 'number' },
  'consent.record': { interaction: 'update', action: 'U', entity: 'number' },
  'prescription.document': { interaction: 'read', action: 'R', entity: 'number' },
  'fhir.metadata': null,
  'fhir.process-message': { interaction: 'operation', action: 'E', entity: 'location' },
  'audit.search': { interaction: 'search-type', action: 'R', entity: 'fhir' },
  'audit.read': { interaction: 'read', action: 'R', entity: 'fhir' },
  'audit.page': { interaction: 'search-type', action: 'R', entity: 'fhir' },
  'audit.write': null,
  'ops.queues': null,
  'ops.metrics': null,
};

const METHOD_INTERACTION: Record<string, { interaction: string; action: AuditAction }> = {
  GET: { interaction: 'read', action: 'R' },
  HEAD: { interaction: 'read', action: 'R' },
  POST: { interaction: 'create', action: 'C' },
  PUT: { interaction: 'update', action: 'U' },
  PATCH: { interaction: 'patch', action: 'U' },
  DELETE: { interaction: 'delete', action: 'D' },
};

/** For a refused request on a route without audit metadata: what the method would have done. */
export const interactionOfMethod = (method: string): { interaction: string; action: AuditAction } =>
  METHOD_INTERACTION[method.toUpperCase()] ?? { interaction: 'operation', action: 'E' };
