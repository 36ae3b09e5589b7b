/**
 * An AuditEvent of the gateway (usecases/audit/build-audit-event.ts writes them) read back as a
 * row of the console: what happened, to which prescription, who (RPPS, profession, role), where
 * (structure FINESS, network address), when, with what outcome, under which request id. Pure.
 */
import type { AuditEvent } from 'fhir/r4';
import { readExecutedLine, type ExecutedLine } from '../../fhir/audit-details';
import {
  AUDIT_EVENT_NAME_SYSTEM,
  EXECUTED_LINE_DETAIL,
  FINESS_SYSTEM,
  GATEWAY_PROFESSION_SYSTEM,
  GATEWAY_ROLE_SYSTEM,
  IDNATPS_SYSTEM,
  REQUEST_ID_DETAIL,
  SOURCE_SOFTWARE_DETAIL,
} from '../../fhir/systems';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../domain/prescription-number';

const SOURCE_ROLE = '110153';

export type OutcomeKind = 'success' | 'refused' | 'invalid' | 'failure';

export interface AuditRow {
  id: string;
  recorded: string;
  /** The gateway's event name (route id or worker action), e.g. prescription.read. */
  event: string;
  /** What it is in French, e.g. « Consultation ». */
  label: string;
  action: string;
  number?: string;
  /** idNatPs of the user, or the ordo-admin operator's name. */
  who?: string;
  rpps?: string;
  role?: string;
  profession?: string;
  /** FINESS of the user's structure. */
  finess?: string;
  network?: string;
  outcome: OutcomeKind;
  /** e.g. "HTTP 403: …" */
  outcomeDetail?: string;
  requestId?: string;
  /** A created prescription: the software that sent it (name and version). */
  software?: string;
  /** A dispense or execution: each line it recorded and how much. */
  lines?: ExecutedLine[];
  /** `Type/id` references the event names (the prescription, the patient). */
  references: string[];
}

/** French labels of the events an auditor is asked about; others show their name. */
export const EVENT_LABELS: Readonly<Record<string, string>> = {
  'prescription.create': 'Création',
  'prescription.validate': 'Vérification (sans enregistrement)',
  'prescription.scan': 'Lecture du QR code',
  'prescription.read': 'Consultation',
  'prescription.document': 'Consultation d’un document',
  'dispense.record': 'Délivrance ou exécution',
  'dispense.read': 'Consultation des délivrances',
  'prescription.cancel': 'Annulation',
  'prescription.replace': 'Remplacement',
  'consent.record': 'Consentement (choix du patient)',
  'fhir.process-message': 'Message FHIR',
  'dmp.publish': 'Publication au DMP',
  'dmp.deprecate': 'Mise à jour au DMP',
  'dmp.withdraw': 'Retrait du DMP',
  'audit.search': 'Recherche d’audit',
  'audit.read': 'Lecture d’audit',
  'audit.page': 'Page de recherche d’audit',
  'console.sign-in': 'Connexion à la console',
  'ops.dead-letters.list': 'Liste des lettres mortes',
  'ops.dead-letters.retry': 'Relance d’une lettre morte',
  'admin.dead-letters.retry': 'Relance d’une lettre morte (ordo-admin)',
  'admin.republish': 'Republication au DMP (ordo-admin)',
};

export const OUTCOME_LABELS: Readonly<Record<OutcomeKind, string>> = {
  success: 'Réussi',
  refused: 'Refusé',
  invalid: 'Requête invalide',
  failure: 'Échec',
};

const REFUSED = /^HTTP (401|403|429)\b/;

function outcomeOf(event: AuditEvent): OutcomeKind {
  if (event.outcome === '0') return 'success';
  if (event.outcome === '4') return REFUSED.test(event.outcomeDesc ?? '') ? 'refused' : 'invalid';
  return 'failure';
}

export function auditRowOf(event: AuditEvent): AuditRow {
  const name = event.subtype?.find((c) => c.system === AUDIT_EVENT_NAME_SYSTEM)?.code ?? event.type?.code ?? '?';
  const user = event.agent?.find((a) => a.role?.some((r) => r.coding?.some((c) => c.system === GATEWAY_ROLE_SYSTEM)));
  const codes = user?.role?.flatMap((r) => r.coding ?? []) ?? [];
  const who = user?.who?.identifier;
  const nationalId = who?.system === IDNATPS_SYSTEM ? who.value : undefined;
  const source = event.agent?.find((a) => a.type?.coding?.some((c) => c.code === SOURCE_ROLE));
  const number = event.entity
    ?.map((e) => e.what?.identifier)
    .find((i) => i?.system === PRESCRIPTION_NUMBER_SYSTEM)?.value;
  const details = event.entity?.flatMap((e) => e.detail ?? []) ?? [];
  const requestId = details.find((d) => d.type === REQUEST_ID_DETAIL)?.valueString;
  const software = details.find((d) => d.type === SOURCE_SOFTWARE_DETAIL)?.valueString;
  const lines = details
    .filter((d) => d.type === EXECUTED_LINE_DETAIL)
    .map((d) => readExecutedLine(d.valueString))
    .filter((l): l is ExecutedLine => l !== undefined);
  const finess = user?.location?.identifier;
  return {
    id: event.id ?? '',
    recorded: event.recorded,
    event: name,
    label: EVENT_LABELS[name] ?? name,
    action: event.action ?? '',
    ...(number ? { number } : {}),
    ...(who?.value ? { who: who.value } : {}),
    ...(nationalId?.startsWith('8') ? { rpps: nationalId.slice(1) } : {}),
    ...(codes.find((c) => c.system === GATEWAY_ROLE_SYSTEM)?.code
      ? { role: codes.find((c) => c.system === GATEWAY_ROLE_SYSTEM)!.code! }
      : {}),
    ...(codes.find((c) => c.system === GATEWAY_PROFESSION_SYSTEM)?.code
      ? { profession: codes.find((c) => c.system === GATEWAY_PROFESSION_SYSTEM)!.code! }
      : {}),
    ...(finess?.system === FINESS_SYSTEM && finess.value ? { finess: finess.value } : {}),
    ...(source?.network?.address ? { network: source.network.address } : {}),
    outcome: outcomeOf(event),
    ...(event.outcomeDesc ? { outcomeDetail: event.outcomeDesc } : {}),
    ...(requestId ? { requestId } : {}),
    ...(software ? { software } : {}),
    ...(lines.length > 0 ? { lines } : {}),
    references: (event.entity ?? []).map((e) => e.what?.reference).filter((r): r is string => Boolean(r)),
  };
}

/** « Ligne 2 : 3 boîtes », « Ligne 1 : non délivrée… » — what a dispense or execution recorded on a line. */
export function executedLineText(l: ExecutedLine): string {
  if (l.notDone) return `Ligne ${l.line} : non délivrée ou non réalisée`;
  // The units are French nouns with a regular plural (boîte, dispositif, séance, examen).
  return `Ligne ${l.line} : ${l.quantity.toLocaleString('fr-FR')} ${l.unit}${l.quantity > 1 && !l.unit.endsWith('s') ? 's' : ''}`;
}

/** Accesses and refusals per day (UTC) over [from, to], days without events included. */
export function perDay(
  rows: readonly AuditRow[],
  from: string,
  to: string,
): { day: string; accesses: number; refusals: number }[] {
  const days = new Map<string, { accesses: number; refusals: number }>();
  const start = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  for (let d = start; d <= end && days.size < 400; d = new Date(d.getTime() + 86_400_000))
    days.set(d.toISOString().slice(0, 10), { accesses: 0, refusals: 0 });
  for (const row of rows) {
    const day = days.get(row.recorded.slice(0, 10));
    if (!day) continue;
    if (row.outcome === 'refused') day.refusals++;
    else day.accesses++;
  }
  return [...days].map(([day, counts]) => ({ day, ...counts }));
}
