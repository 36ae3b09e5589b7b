import type { AuditRow } from './audit-events';

const PROFESSIONS: Record<string, string> = {
  doctor: 'médecin',
  pharmacist: 'pharmacien',
  nurse: 'infirmier',
  midwife: 'sage-femme',
  dentist: 'chirurgien-dentiste',
  physiotherapist: 'masseur-kinésithérapeute',
  biologist: 'biologiste',
};

const ROLES: Record<string, string> = {
  prescriber: 'prescripteur',
  dispenser: 'dispensateur',
  auditor: 'auditeur',
  operator: 'opérateur',
};

/** Who did it, from which structure and address. */
export function Who({ row }: { row: AuditRow }) {
  const who = row.rpps ? `RPPS ${row.rpps}` : (row.who ?? 'client non authentifié');
  const what = [
    row.profession && (PROFESSIONS[row.profession] ?? row.profession),
    row.role && (ROLES[row.role] ?? row.role),
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <span class="who-line">
      <span class="rpps">{who}</span>
      {what && ` (${what})`}
      {row.finess && ` · structure FINESS ${row.finess}`}
      {row.network && ` · depuis ${row.network}`}
    </span>
  );
}
