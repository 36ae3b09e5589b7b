/**
 * An audit record, as the gateway and the DMP worker hand it to the audit trail (usecases/ports.ts
 * AuditTrail; queue/audit/ carries it through Redis to usecases/audit/record-audit-event.ts). It
 * carries identifiers only — the professional's idNatPs, the prescription number, a resource
 * reference — never patient data: the writer looks up the patient reference itself.
 */
import type { Principal } from '../../domain/principal';
import type { AuditEntityDetail } from '../../fhir/audit-details';

/** C create, R read/view/print/query, U update, D delete, E execute (FHIR audit-event-action). */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

export interface AuditEventKind {
  /** `rest` (a RESTful interaction) or `export` (DICOM 110106, e.g. the DMP publication). */
  type: 'rest' | 'export';
  /** FHIR restful-interaction code: create, read, search-type, update, operation… */
  interaction: string;
  action: AuditAction;
  /** The gateway's name for what happened (the route id, e.g. prescription.read, or dmp.publish). */
  name: string;
}

export interface AuditJob {
  /** The job id, and the identifier the AuditEvent is written under (written once, even if retried). */
  id: string;
  /** When the event happened (ISO instant). */
  recorded: string;
  event: AuditEventKind;
  /** HTTP status (or 200/500 for a worker action) and why it failed, when it did. */
  outcome: { status: number; detail?: string };
  /** The authenticated professional; absent when the request carried no valid token. */
  agent?: Principal;
  /**
   * An operator acting through the `ordo-admin` command (admin/), by the name they gave
   * (`--operator` or ORDO_OPERATOR): not a health professional, so no idNatPs.
   */
  operator?: string;
  /** The caller's network address. */
  network?: string;
  request?: { method: string; path: string; requestId?: string };
  /**
   * What was accessed: a prescription number, a FHIR reference, or a query (auditor searches).
   * With `reference` = `RequestGroup/<id>` and `patient` = `Patient/<id>` (logical references, no
   * demographics) the writer needs no search to resolve the prescription and its patient.
   * `documentUniqueId`: what an export produced (the document's uniqueId in the DMP).
   * `detail`: what was done to the prescription (fhir/audit-details.ts: the lines a dispense recorded, how much).
   */
  entity?: {
    number?: string;
    reference?: string;
    patient?: string;
    query?: string;
    documentUniqueId?: string;
    detail?: AuditEntityDetail[];
  };
  /** v3-ActReason purpose (TREAT for care, HOPERAT for audit and operations). */
  purposeOfUse?: string;
}

export interface DmpPublicationAudit {
  number: string;
  version: number;
  action: 'publish' | 'deprecate' | 'withdraw';
  /** Whether the DMP accepted the document. */
  succeeded: boolean;
  /**
   * The uniqueId of the document the publication produced (`urn:oid:2.25.…`): its identity in the
   * patient's DMP. Not a reference: the DMP is another server than the one the AuditEvent is in.
   */
  documentUniqueId?: string;
  detail?: string;
  now?: Date;
  /**
   * The audit record's id. Default: a new one (each attempt is its own event). Pass one derived
   * from the DMP job (e.g. `${job.id}-${job.attemptsMade}`) to record a re-run attempt once.
   */
  id?: string;
}

/**
 * The record of a DMP publication attempt: an export of the prescription to the patient's DMP,
 * made by the gateway itself (no human agent).
 */
export function dmpPublicationAuditJob(publication: DmpPublicationAudit, newId: () => string): AuditJob {
  return {
    id: publication.id ?? newId(),
    recorded: (publication.now ?? new Date()).toISOString(),
    event: {
      type: 'export',
      interaction: publication.action === 'publish' ? 'create' : 'update',
      // A withdrawal is the patient's unpublication: a (logical) deletion of the exported documents.
      action: ({ publish: 'C', deprecate: 'U', withdraw: 'D' } as const)[publication.action],
      name: `dmp.${publication.action}`,
    },
    outcome: {
      status: publication.succeeded ? 200 : 500,
      ...(publication.detail ? { detail: publication.detail } : {}),
    },
    entity: {
      number: publication.number,
      ...(publication.documentUniqueId ? { documentUniqueId: publication.documentUniqueId } : {}),
    },
    purposeOfUse: 'TREAT',
  };
}
