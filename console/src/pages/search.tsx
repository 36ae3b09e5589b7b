/**
 * Searches of the audit trail: by professional (RPPS), structure (FINESS), patient (INS only),
 * outcome and period. Results: a chart per day, a sortable table with paging, a CSV export.
 */
import type { AuditEvent } from 'fhir/r4';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { FINESS_SYSTEM, IDNATPS_SYSTEM } from '../../../fhir/systems';
import { searchAll, SignedOut } from '../api';
import { auditRowOf, OUTCOME_LABELS, perDay, type AuditRow } from '../audit-events';
import { DayChart } from '../chart';
import { auditCsv } from '../csv';
import { go } from '../route';
import { Who } from '../who';

const MAX_EVENTS = 1000;
const PAGE_SIZE = 25;

const today = (): string => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

export interface Criteria {
  rpps: string;
  finess: string;
  ins: string;
  outcome: '' | 'success' | 'refused' | 'failure';
  from: string;
  to: string;
}

const criteriaOf = (q: URLSearchParams): Criteria => ({
  rpps: q.get('rpps') ?? '',
  finess: q.get('finess') ?? '',
  ins: q.get('ins') ?? '',
  outcome: (q.get('outcome') ?? '') as Criteria['outcome'],
  from: q.get('from') ?? daysAgo(7),
  to: q.get('to') ?? today(),
});

/** The auditor API query for the criteria. */
export function auditQueryOf(c: Criteria): string {
  const p = new URLSearchParams();
  p.append('date', `ge${c.from}`);
  p.append('date', `lt${new Date(new Date(`${c.to}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10)}`);
  if (c.rpps) p.set('agent-identifier', `${IDNATPS_SYSTEM}|8${c.rpps}`);
  if (c.finess) p.set('agent-location-identifier', `${FINESS_SYSTEM}|${c.finess}`);
  if (c.ins) p.set('patient.identifier', c.ins);
  if (c.outcome === 'success') p.set('outcome', '0');
  if (c.outcome === 'refused') p.set('outcome', '4');
  if (c.outcome === 'failure') p.set('outcome', '12');
  p.set('_sort', '-date');
  p.set('_count', '200');
  return `/audit/fhir/AuditEvent?${p.toString()}`;
}

type SortKey = 'recorded' | 'label' | 'number' | 'rpps' | 'finess' | 'outcome';
const COLUMNS: { key: SortKey; title: string }[] = [
  { key: 'recorded', title: 'Date (UTC)' },
  { key: 'label', title: 'Événement' },
  { key: 'number', title: 'Ordonnance' },
  { key: 'rpps', title: 'Qui' },
  { key: 'finess', title: 'Structure' },
  { key: 'outcome', title: 'Résultat' },
];

type State =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'done'; criteria: Criteria; rows: AuditRow[]; truncated: boolean };

export function SearchPage({ query }: { query: URLSearchParams }) {
  const initial = criteriaOf(query);
  const [form, setForm] = useState<Criteria>(initial);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const key = query.toString();

  useEffect(() => {
    if (!query.has('from')) return;
    const criteria = criteriaOf(query);
    setForm(criteria);
    setState({ kind: 'loading' });
    searchAll<AuditEvent>(auditQueryOf(criteria), MAX_EVENTS).then(
      ({ resources, truncated }) => {
        // The store matches the structure of any agent; the row shows the professional's.
        const rows = resources
          .map(auditRowOf)
          .filter((r) => !criteria.finess || r.finess === criteria.finess)
          .filter((r) => criteria.outcome !== 'refused' || r.outcome === 'refused');
        setState({ kind: 'done', criteria, rows, truncated });
      },
      (err: unknown) =>
        setState({
          kind: 'error',
          message: err instanceof SignedOut ? 'Votre session a pris fin : reconnectez-vous.' : (err as Error).message,
        }),
    );
  }, [key]);

  const field = (name: keyof Criteria) => ({
    id: `f-${name}`,
    name,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value }),
  });

  const submit = (e: Event) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v) p.set(k, String(v).trim());
    go(`#/recherche?${p.toString()}`);
  };

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Recherche dans la piste d’audit</h1>
      <form class="criteria" onSubmit={submit}>
        <div>
          <label for="f-rpps">RPPS du professionnel</label>
          <input {...field('rpps')} inputMode="numeric" pattern="[0-9]{11}" autoComplete="off" />
        </div>
        <div>
          <label for="f-finess">FINESS de la structure</label>
          <input {...field('finess')} pattern="[0-9A-Z]{9}" autoComplete="off" />
        </div>
        <div>
          <label for="f-ins">INS du patient (identifiant seul)</label>
          <input {...field('ins')} autoComplete="off" />
        </div>
        <div>
          <label for="f-outcome">Résultat</label>
          <select {...field('outcome')}>
            <option value="">Tous</option>
            <option value="success">Réussis</option>
            <option value="refused">Refusés</option>
            <option value="failure">Échecs</option>
          </select>
        </div>
        <div>
          <label for="f-from">Du</label>
          <input {...field('from')} type="date" required />
        </div>
        <div>
          <label for="f-to">Au</label>
          <input {...field('to')} type="date" required />
        </div>
        <div class="actions">
          <button type="submit">Rechercher</button>
        </div>
      </form>
      {state.kind === 'loading' && <p role="status">Recherche…</p>}
      {state.kind === 'error' && (
        <p class="problem" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'done' && <Results {...state} />}
    </section>
  );
}

function download(rows: AuditRow[], c: Criteria): void {
  const blob = new Blob([auditCsv(rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `audit-${c.from}-${c.to}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Results({ criteria, rows, truncated }: { criteria: Criteria; rows: AuditRow[]; truncated: boolean }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'recorded', descending: true });
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const out = [...rows].sort((a, b) => String(a[sort.key] ?? '').localeCompare(String(b[sort.key] ?? '')));
    return sort.descending ? out.reverse() : out;
  }, [rows, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
  const shown = sorted.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const days = useMemo(() => perDay(rows, criteria.from, criteria.to), [rows, criteria]);
  const refused = rows.filter((r) => r.outcome === 'refused').length;

  return (
    <>
      <h2 id="results-summary" role="status">
        {rows.length} événement{rows.length > 1 ? 's' : ''} du {criteria.from} au {criteria.to}, dont {refused} refusé
        {refused > 1 ? 's' : ''}
      </h2>
      {truncated && (
        <p class="help">
          Seuls les {MAX_EVENTS} événements les plus récents sont pris en compte : réduisez la période.
        </p>
      )}
      <DayChart days={days} />
      <p>
        <button type="button" id="export-csv" onClick={() => download(sorted, criteria)} disabled={rows.length === 0}>
          Exporter en CSV ({rows.length} lignes)
        </button>
      </p>
      <table class="results" id="results">
        <caption>
          Résultats, page {page + 1} sur {pages}
        </caption>
        <thead>
          <tr>
            {COLUMNS.map((col) => (
              <th
                key={col.key}
                scope="col"
                aria-sort={sort.key === col.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() => {
                    setSort({ key: col.key, descending: sort.key === col.key ? !sort.descending : false });
                    setPage(0);
                  }}
                >
                  {col.title}
                </button>
              </th>
            ))}
            <th scope="col">Détails</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id} class={`outcome-${r.outcome}`}>
              <td>
                <time dateTime={r.recorded}>{r.recorded.replace('T', ' ').slice(0, 19)}</time>
              </td>
              <td>{r.label}</td>
              <td>{r.number ? <a href={`#/ordonnance/${r.number}`}>{r.number}</a> : '—'}</td>
              <td>
                <Who row={{ ...r, finess: undefined, network: undefined } as AuditRow} />
              </td>
              <td>{r.finess ?? '—'}</td>
              <td>
                <span class={`badge badge-${r.outcome}`}>{OUTCOME_LABELS[r.outcome]}</span>
              </td>
              <td>
                <a href={`#/evenement/${encodeURIComponent(r.id)}`}>
                  Voir<span class="visually-hidden"> l’événement du {r.recorded}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages de résultats">
        <button type="button" onClick={() => setPage(page - 1)} disabled={page === 0}>
          Page précédente
        </button>
        <span>
          Page {page + 1} / {pages}
        </span>
        <button type="button" onClick={() => setPage(page + 1)} disabled={page >= pages - 1}>
          Page suivante
        </button>
      </nav>
    </>
  );
}
