/** Hash routes (#/ordonnance/N, #/recherche?…, #/evenement/ID): the gateway serves one page. */
import { useEffect, useState } from 'preact/hooks';

export interface HashRoute {
  segments: string[];
  query: URLSearchParams;
}

const parse = (): HashRoute => {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?');
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
};

export function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => {
      setRoute(parse());
      // Keyboard and screen reader users land on the new page's content.
      document.getElementById('contenu')?.focus();
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const go = (hash: string): void => {
  window.location.hash = hash;
};
