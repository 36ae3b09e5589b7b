/** Operations (operator role): the queue dashboard, with the same sign-in. */
export function OperationsPage() {
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Exploitation</h1>
      <p>
        <a href="/admin/queues" id="queue-dashboard">
          Ouvrir le tableau de bord des files (Bull Board)
        </a>
      </p>
    </section>
  );
}
