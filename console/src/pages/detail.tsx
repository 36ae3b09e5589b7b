/** One AuditEvent and the resources it names, read-only, through the auditor API (its minimised view). */
import type { AuditEvent } from 'fhir/r4';
import { useEffect, useState } from 'preact/hooks';
import { getJson, SignedOut } from '../api';
import { auditRowOf, OUTCOME_LABELS } from '../audit-events';
import { Who } from '../who';

interface Named {
  reference: string;
  body?: unknown;
  error?: string;
}

const REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

export function DetailPage({ id }: { id: string }) {
  const [event, setEvent] = useState<AuditEvent | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [named, setNamed] = useState<Named[]>([]);

  useEffect(() => {
    setEvent(undefined);
    setNamed([]);
    getJson<AuditEvent>(`/audit/fhir/AuditEvent/${encodeURIComponent(id)}`).then(
      async (ev) => {
        setEvent(ev);
        const refs = auditRowOf(ev).references.filter((r) => REFERENCE.test(r));
        const read = await Promise.all(
          refs.map(async (reference): Promise<Named> => {
            try {
              return { reference, body: await getJson<unknown>(`/audit/fhir/${reference}`) };
            } catch (err) {
              return { reference, error: (err as Error).message };
            }
          }),
        );
        setNamed(read);
      },
      (err: unknown) =>
        setError(err instanceof SignedOut ? 'Votre session a pris fin : reconnectez-vous.' : (err as Error).message),
    );
  }, [id]);

  if (error)
    return (
      <p class="problem" role="alert">
        {error}
      </p>
    );
  if (!event) return <p role="status">Chargement de l’événement…</p>;
  const row = auditRowOf(event);
  return (
    <section aria-labelledby="detail-title">
      <h1 id="detail-title">
        {row.label} — <span class={`badge badge-${row.outcome}`}>{OUTCOME_LABELS[row.outcome]}</span>
      </h1>
      <dl class="facts">
        <dt>Date</dt>
        <dd>
          <time dateTime={row.recorded}>{row.recorded}</time>
        </dd>
        <dt>Événement</dt>
        <dd>{row.event}</dd>
        <dt>Ordonnance</dt>
        <dd>{row.number ? <a href={`#/ordonnance/${row.number}`}>{row.number}</a> : '—'}</dd>
        <dt>Qui</dt>
        <dd>
          <Who row={row} />
        </dd>
        <dt>Résultat</dt>
        <dd>{row.outcomeDetail ?? OUTCOME_LABELS[row.outcome]}</dd>
        <dt>Identifiant de requête</dt>
        <dd>{row.requestId ?? '—'}</dd>
      </dl>
      <h2>AuditEvent/{event.id}</h2>
      <pre class="json" tabIndex={0} aria-label="AuditEvent en JSON">
        {JSON.stringify(event, null, 2)}
      </pre>
      {named.map((n) => (
        <section key={n.reference} aria-label={`Ressource ${n.reference}`}>
          <h2>{n.reference}</h2>
          {n.error ? (
            <p class="problem">{n.error}</p>
          ) : (
            <pre class="json" tabIndex={0} aria-label={`${n.reference} en JSON`}>
              {JSON.stringify(n.body, null, 2)}
            </pre>
          )}
        </section>
      ))}
      <p>
        <button type="button" onClick={() => history.back()}>
          Retour
        </button>
      </p>
    </section>
  );
}
