/**
 * Operations (operator role): the dead letters of both queues with a retry per job, and the queue
 * dashboard, with the same sign-in. Each listing and retry is recorded in the audit trail under the
 * operator's identity by the gateway (GET /admin/dead-letters, POST /admin/dead-letters/…/retry).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeadLetter } from '../../../domain/dead-letter';
import { getJson, postJson, SignedOut } from '../api';

interface Retried {
  retried: DeadLetter;
  state: string;
}

const QUEUE_LABELS: Readonly<Record<string, string>> = {
  'dmp-publish': 'Publication DMP',
  audit: 'Journal d’audit',
};

const STATE_LABELS: Readonly<Record<string, string>> = {
  waiting: 'en attente',
  active: 'en cours',
  completed: 'terminée',
  delayed: 'différée',
  prioritized: 'en attente',
};

type List =
  { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'done'; letters: DeadLetter[]; total: number };

/** What the last retry did: shown in a live region, which also takes the focus (its row is gone). */
type Outcome = { ok: boolean; message: string };

const messageOf = (err: unknown): string =>
  err instanceof SignedOut ? 'Votre session a pris fin : reconnectez-vous.' : (err as Error).message;

export function OperationsPage() {
  const [list, setList] = useState<List>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const outcomeRef = useRef<HTMLParagraphElement>(null);

  const load = () =>
    getJson<{ deadLetters: DeadLetter[]; counts: Record<string, number> }>('/admin/dead-letters').then(
      ({ deadLetters, counts }) =>
        setList({
          kind: 'done',
          letters: deadLetters,
          total: Object.values(counts).reduce((n, c) => n + c, 0),
        }),
      (err: unknown) => setList({ kind: 'error', message: messageOf(err) }),
    );
  useEffect(() => {
    void load();
  }, []);
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  const retry = async (letter: DeadLetter) => {
    setBusy(`${letter.queue}/${letter.id}`);
    try {
      const { state } = await postJson<Retried>(
        `/admin/dead-letters/${encodeURIComponent(letter.queue)}/${encodeURIComponent(letter.id)}/retry`,
      );
      setOutcome({
        ok: true,
        message: `Tâche ${letter.id} relancée${letter.number ? ` (ordonnance ${letter.number})` : ''} : ${STATE_LABELS[state] ?? state}.`,
      });
    } catch (err) {
      setOutcome({ ok: false, message: `Tâche ${letter.id} non relancée : ${messageOf(err)}` });
    } finally {
      setBusy(undefined);
      await load();
    }
  };

  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Exploitation</h1>
      <h2 id="dead-letters-title">Lettres mortes</h2>
      <p class="help">
        Tâches en échec définitif des files de publication au DMP et du journal d’audit. Une relance remet la tâche en
        file ; elle est enregistrée dans le journal d’audit à votre nom.
      </p>
      {outcome && (
        <p id="retry-outcome" ref={outcomeRef} tabIndex={-1} role="status" class={outcome.ok ? 'done' : 'problem'}>
          {outcome.message}
        </p>
      )}
      {list.kind === 'loading' && <p role="status">Chargement des lettres mortes…</p>}
      {list.kind === 'error' && (
        <p class="problem" role="alert">
          {list.message}
        </p>
      )}
      {list.kind === 'done' && list.letters.length === 0 && (
        <p id="dead-letters-empty">Aucune lettre morte : toutes les tâches ont abouti ou sont en cours.</p>
      )}
      {list.kind === 'done' && list.total > list.letters.length && (
        <p class="help" id="dead-letters-truncated">
          {list.letters.length} lettres mortes affichées sur {list.total} (les plus récentes de chaque file) ; les
          autres sont dans le tableau de bord des files ou avec <code>ordo-admin dead-letters list</code>.
        </p>
      )}
      {list.kind === 'done' && list.letters.length > 0 && (
        <table class="results" id="dead-letters" aria-labelledby="dead-letters-title">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Tâche</th>
              <th scope="col">Ordonnance</th>
              <th scope="col">Action</th>
              <th scope="col">Tentatives</th>
              <th scope="col">Échec le (UTC)</th>
              <th scope="col">Raison</th>
              <th scope="col">Relance</th>
            </tr>
          </thead>
          <tbody>
            {list.letters.map((l) => (
              <tr key={`${l.queue}/${l.id}`} data-job={l.id} data-queue={l.queue}>
                <td>{QUEUE_LABELS[l.queue] ?? l.queue}</td>
                <td class="job-id">{l.id}</td>
                <td>{l.number ?? '—'}</td>
                <td>{l.action}</td>
                <td>{l.attempts}</td>
                <td>
                  {l.failedAt ? <time dateTime={l.failedAt}>{l.failedAt.replace('T', ' ').slice(0, 19)}</time> : '—'}
                </td>
                <td class="reason">{l.reason}</td>
                <td>
                  <button type="button" class="retry" onClick={() => void retry(l)} disabled={busy !== undefined}>
                    {busy === `${l.queue}/${l.id}` ? 'Relance…' : 'Relancer'}
                    <span class="visually-hidden"> la tâche {l.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Files</h2>
      <p>
        <a href="/admin/queues" id="queue-dashboard">
          Ouvrir le tableau de bord des files (Bull Board)
        </a>
      </p>
    </section>
  );
}
