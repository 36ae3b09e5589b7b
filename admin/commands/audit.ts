/**
 * `audit <number>`: the prescription's audit trail from the FHIR store — the AuditEvents naming it
 * (by its number, or by its RequestGroup for an event recorded by reference only), oldest first, one
 * line each: when, action, who (RPPS and profession, or the operator), outcome, request id.
 */
import type { AuditEvent, Bundle } from 'fhir/r4';
import { IDNATPS_SYSTEM, PRESCRIPTION_NUMBER_SYSTEM, GATEWAY_PROFESSION_SYSTEM } from '../../fhir/systems';
import type { FhirClient } from '../../store/fhir-client';
import {
  AUDIT_EVENT_NAME_SYSTEM,
  GATEWAY_ROLE_SYSTEM,
  OPERATOR_SYSTEM,
  REQUEST_ID_DETAIL,
} from '../../usecases/audit/build-audit-event';
import { ENTITY_IDENTIFIER_PARAM } from '../../usecases/audit/record-audit-event';
import { normalizedNumber } from '../../usecases/dispensing/lookup';
import { findHeaderByNumber } from '../../usecases/prescriptions/repository';
import { numberAsked, requiredNumber, type AdminCommand } from '../command';
import { cell, table } from '../table';

/** One AuditEvent, as an auditor reads it. */
export interface AuditLine {
  id: string;
  recorded: string;
  /** The gateway's event name (prescription.read, dmp.publish, admin.republish…), else the interaction. */
  event: string;
  /** C, R, U, D, E. */
  action: string;
  /** RPPS of the professional, `operator:<name>`, or the requestor's name (the gateway, for a DMP export). */
  who?: string;
  role?: string;
  profession?: string;
  /** 0 success, 4 refused, 12 failed (with the reason). */
  outcome: string;
  outcomeDesc?: string;
  requestId?: string;
}

/** Pages as many as there are (HAPI paging links, relative to the store's base). */
const PAGE_SIZE = '500';
const MAX_PAGES = 100;

async function searchAll(fhir: FhirClient, params: Record<string, string>): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let page: Bundle<AuditEvent> = await fhir.search<AuditEvent>('AuditEvent', { ...params, _count: PAGE_SIZE });
  for (let pages = 1; ; pages++) {
    for (const e of page.entry ?? []) if (e.resource) events.push(e.resource);
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    if (!next || pages >= MAX_PAGES) return events;
    const relative = next.startsWith(fhir.baseUrl) ? next.slice(fhir.baseUrl.length).replace(/^\/+/, '') : next;
    page = (await fhir.request<Bundle<AuditEvent>>('GET', relative)).resource;
  }
}

export function auditLineOf(event: AuditEvent): AuditLine {
  const user = event.agent?.find((a) => a.requestor && a.who?.identifier);
  const identifier = user?.who?.identifier;
  const who =
    identifier?.system === IDNATPS_SYSTEM && identifier.value
      ? identifier.value.replace(/^8/, '')
      : identifier?.system === OPERATOR_SYSTEM
        ? `operator:${identifier.value}`
        : event.agent?.find((a) => a.requestor)?.who?.display;
  const codings = user?.role?.flatMap((r) => r.coding ?? []) ?? [];
  const role = codings.find((c) => c.system === GATEWAY_ROLE_SYSTEM)?.code;
  const profession = codings.find((c) => c.system === GATEWAY_PROFESSION_SYSTEM)?.code;
  const requestId = event.entity?.flatMap((e) => e.detail ?? []).find((d) => d.type === REQUEST_ID_DETAIL)?.valueString;
  const name = event.subtype?.find((s) => s.system === AUDIT_EVENT_NAME_SYSTEM)?.code ?? event.subtype?.[0]?.code;
  return {
    id: event.id ?? '',
    recorded: event.recorded,
    event: name ?? event.type.code ?? '',
    action: event.action ?? '',
    ...(who ? { who } : {}),
    ...(role ? { role } : {}),
    ...(profession ? { profession } : {}),
    outcome: event.outcome ?? '',
    ...(event.outcomeDesc ? { outcomeDesc: event.outcomeDesc } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

const OUTCOMES: Record<string, string> = { '0': 'success', '4': 'refused', '8': 'failed', '12': 'failed' };

export const audit: AdminCommand = {
  name: 'audit',
  usage: 'audit <number>',
  interaction: 'search-type',
  action: 'R',
  failedEntity: numberAsked,
  async run(session, input) {
    const asked = requiredNumber(input);
    const number = normalizedNumber(asked);
    const header = await findHeaderByNumber(session.fhir, number);
    const searches = [
      searchAll(session.fhir, { [ENTITY_IDENTIFIER_PARAM]: `${PRESCRIPTION_NUMBER_SYSTEM}|${number}` }),
      ...(header?.id ? [searchAll(session.fhir, { entity: `RequestGroup/${header.id}` })] : []),
    ];
    const byId = new Map<string, AuditEvent>();
    for (const events of await Promise.all(searches)) for (const e of events) byId.set(e.id ?? e.recorded, e);
    const lines = [...byId.values()]
      .map(auditLineOf)
      .sort((a, b) => a.recorded.localeCompare(b.recorded) || a.id.localeCompare(b.id));
    const text =
      lines.length === 0
        ? `no audit events name ${number}`
        : table(
            ['WHEN', 'EVENT', 'ACTION', 'WHO', 'PROFESSION', 'OUTCOME', 'REQUEST ID'],
            lines.map((l) => [
              l.recorded,
              l.event,
              l.action,
              l.who ?? (l.role ? l.role : '-'),
              l.profession ?? l.role ?? '-',
              l.outcome === '0' ? 'success' : `${OUTCOMES[l.outcome] ?? l.outcome}: ${cell(l.outcomeDesc, 60)}`,
              l.requestId ?? '-',
            ]),
          );
    return {
      json: { number, events: lines },
      text,
      records: [
        {
          status: 200,
          number,
          ...(header?.id ? { reference: `RequestGroup/${header.id}` } : {}),
          query: `AuditEvent?${ENTITY_IDENTIFIER_PARAM}=${PRESCRIPTION_NUMBER_SYSTEM}|${number}`,
        },
      ],
    };
  },
};
