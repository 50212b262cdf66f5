// A small History-API router: the server answers every page path with the same
// index.html (its SPA fallback); this picks the view from location.pathname.
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, type Route } from './routes.js';

export { fundYearPath, parseRoute, type Route } from './routes.js';

const CHANGE = 'poolshare:navigate';

export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current route; re-renders on links, back and forward. */
export function useRoute(): Route {
  const read = (): Route => parseRoute(window.location.pathname, window.location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = (): void => setRoute(read());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}
