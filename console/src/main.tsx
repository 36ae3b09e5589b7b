/** The audit console: who signed in, the navigation, one page per hash route. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, SignedOut, type Me } from './api';
import { DetailPage } from './pages/detail';
import { OperationsPage } from './pages/operations';
import { SearchPage } from './pages/search';
import { SignInPage } from './pages/sign-in';
import { TimelinePage } from './pages/timeline';
import { useHashRoute } from './route';

function signOut(): void {
  void fetch('/console/auth/logout', { method: 'POST', credentials: 'same-origin' }).finally(() => {
    window.location.hash = '';
    window.location.reload();
  });
}

function Header({ me }: { me: Me }) {
  const auditor = me.role === 'auditor';
  return (
    <header class="top">
      <a class="skip" href="#contenu">
        Aller au contenu
      </a>
      <p class="brand">Console d’audit · ordo-gateway</p>
      <nav aria-label="Navigation principale">
        <ul>
          {auditor && (
            <li>
              <a href="#/ordonnance">Ordonnance</a>
            </li>
          )}
          {auditor && (
            <li>
              <a href="#/recherche">Recherche</a>
            </li>
          )}
          {me.role === 'operator' && (
            <li>
              <a href="#/operations">Exploitation</a>
            </li>
          )}
        </ul>
      </nav>
      <p class="who">
        <span id="signed-in-as">
          {me.role === 'auditor' ? 'Auditeur' : 'Opérateur'} · {me.rpps ? `RPPS ${me.rpps}` : me.nationalId}
        </span>{' '}
        <button type="button" onClick={signOut}>
          Se déconnecter
        </button>
      </p>
    </header>
  );
}

function Page({ me }: { me: Me }) {
  const route = useHashRoute();
  const [first, second] = route.segments;
  if (me.role === 'operator') return <OperationsPage />;
  switch (first) {
    case 'recherche':
      return <SearchPage query={route.query} />;
    case 'evenement':
      return second ? <DetailPage id={second} /> : <TimelinePage />;
    case 'operations':
      return <OperationsPage />;
    default:
      return <TimelinePage number={first === 'ordonnance' ? second : undefined} />;
  }
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    getJson<Me>('/console/api/me').then(setMe, (err: unknown) => {
      if (err instanceof SignedOut) setMe(null);
      else setMe(null);
    });
  }, []);
  if (me === undefined) return <p class="loading">Chargement…</p>;
  if (me === null) return <SignInPage />;
  return (
    <>
      <Header me={me} />
      <main id="contenu" tabIndex={-1}>
        <Page me={me} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
