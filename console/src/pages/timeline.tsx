/** A prescription's timeline: every audited event on its number, oldest first. */
import type { AuditEvent } from 'fhir/r4';
import { useEffect, useState } from 'preact/hooks';
import { PRESCRIPTION_NUMBER_SYSTEM } from '../../../domain/prescription-number';
import { searchAll, SignedOut } from '../api';
import { auditRowOf, executedLineText, OUTCOME_LABELS, type AuditRow } from '../audit-events';
import { hintFor, readNumber } from '../number-hints';
import { go } from '../route';
import { Who } from '../who';

const MAX_EVENTS = 1000;

type State =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'done'; number: string; rows: AuditRow[]; truncated: boolean };

export function TimelinePage({ number }: { number?: string | undefined }) {
  const [typed, setTyped] = useState(number ?? '');
  const [problem, setProblem] = useState<string | undefined>();
  const [state, setState] = useState<State>({ kind: 'idle' });

  useEffect(() => {
    if (!number) return;
    setTyped(number);
    setState({ kind: 'loading' });
    const query = `/audit/fhir/AuditEvent?entity-identifier=${encodeURIComponent(`${PRESCRIPTION_NUMBER_SYSTEM}|${number}`)}&_sort=date&_count=200`;
    searchAll<AuditEvent>(query, MAX_EVENTS).then(
      ({ resources, truncated }) => setState({ kind: 'done', number, rows: resources.map(auditRowOf), truncated }),
      (err: unknown) =>
        setState({
          kind: 'error',
          message: err instanceof SignedOut ? 'Votre session a pris fin : reconnectez-vous.' : (err as Error).message,
        }),
    );
  }, [number]);

  const submit = (e: Event) => {
    e.preventDefault();
    const read = readNumber(typed);
    if (!read.ok) {
      setProblem(read.message);
      return;
    }
    setProblem(undefined);
    go(`#/ordonnance/${read.number}`);
  };

  return (
    <section aria-labelledby="timeline-title">
      <h1 id="timeline-title">Historique d’une ordonnance</h1>
      <form class="inline" onSubmit={submit} noValidate>
        <label for="number">Numéro d’ordonnance</label>
        <input
          id="number"
          name="number"
          value={typed}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          autoComplete="off"
          spellcheck={false}
          aria-describedby={problem ? 'number-problem' : 'number-help'}
          aria-invalid={problem ? 'true' : 'false'}
        />
        <button type="submit">Afficher</button>
        <p id="number-help" class="help">
          18 caractères, tapés ou collés ; espaces et tirets ignorés.
        </p>
        {problem && (
          <p id="number-problem" class="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
      {state.kind === 'loading' && <p role="status">Recherche des événements…</p>}
      {state.kind === 'error' && (
        <p class="problem" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'done' && <Timeline {...state} />}
    </section>
  );
}

function Timeline({ number, rows, truncated }: { number: string; rows: AuditRow[]; truncated: boolean }) {
  if (rows.length === 0) {
    const hint = hintFor(number);
    return (
      <p id="timeline-empty" role="status" class={hint ? 'problem' : ''}>
        {hint ?? `Aucun événement enregistré pour l’ordonnance ${number}.`}
      </p>
    );
  }
  const refused = rows.filter((r) => r.outcome === 'refused').length;
  return (
    <>
      <h2 id="timeline-summary" role="status">
        Ordonnance {number} : {rows.length} événement{rows.length > 1 ? 's' : ''}
        {refused > 0 ? `, dont ${refused} accès refusé${refused > 1 ? 's' : ''}` : ''}
      </h2>
      {truncated && <p class="help">Seuls les {MAX_EVENTS} premiers événements sont affichés.</p>}
      <ol class="timeline" id="timeline">
        {rows.map((r) => (
          <li key={r.id} class={`event outcome-${r.outcome}`} data-event={r.event} data-rpps={r.rpps ?? ''}>
            <p class="event-head">
              <time dateTime={r.recorded}>{new Date(r.recorded).toLocaleString('fr-FR', { timeZone: 'UTC' })} UTC</time>{' '}
              <strong>{r.label}</strong> <span class={`badge badge-${r.outcome}`}>{OUTCOME_LABELS[r.outcome]}</span>
            </p>
            <p>
              <Who row={r} />
            </p>
            {r.software && <p class="what">Logiciel : {r.software}</p>}
            {r.lines && (
              <ul class="what lines" aria-label="Lignes enregistrées">
                {r.lines.map((l) => (
                  <li key={l.line}>{executedLineText(l)}</li>
                ))}
              </ul>
            )}
            {r.outcomeDetail && <p class="detail">{r.outcomeDetail}</p>}
            <p class="meta">
              Requête {r.requestId ?? '—'} ·{' '}
              <a
                href={`#/evenement/${encodeURIComponent(r.id)}`}
                aria-label={`Détails de l’événement ${r.label} du ${r.recorded}`}
              >
                Détails
              </a>
            </p>
          </li>
        ))}
      </ol>
    </>
  );
}
