/** The rows of a search as CSV (RFC 4180, `;`-separated as French spreadsheets expect, UTF-8 with BOM). Pure. */
import { OUTCOME_LABELS, type AuditRow } from './audit-events';

export const CSV_COLUMNS = [
  'date',
  'evenement',
  'libelle',
  'ordonnance',
  'rpps',
  'identifiant',
  'role',
  'profession',
  'finess',
  'adresse_reseau',
  'resultat',
  'detail',
  'id_requete',
  'id_audit_event',
] as const;

const cell = (value: string | undefined): string => {
  const v = value ?? '';
  // A cell starting with = + - @ would be read as a formula by a spreadsheet.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(';')];
  for (const r of rows)
    lines.push(
      [
        r.recorded,
        r.event,
        r.label,
        r.number,
        r.rpps,
        r.who,
        r.role,
        r.profession,
        r.finess,
        r.network,
        OUTCOME_LABELS[r.outcome],
        r.outcomeDetail,
        r.requestId,
        r.id,
      ]
        .map(cell)
        .join(';'),
    );
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
