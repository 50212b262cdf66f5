// The app shell: sign-in state, the header with sign-out, and the page the route names.
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, makeClient, unwrap, type Me } from './api/client.js';
import { Link, PageHeading } from './components/common.js';
import { Agreements } from './pages/agreements.js';
import { Audit } from './pages/audit.js';
import { Decisions } from './pages/decisions.js';
import { FundList } from './pages/fund-list.js';
import { Overview } from './pages/overview.js';
import { ReturnForm } from './pages/return-form.js';
import { SettlementPage } from './pages/settlement.js';
import { Settlements } from './pages/settlements.js';
import { SignIn } from './pages/sign-in.js';
import { useRoute, type Route } from './router.js';
import { clearSession, storedKey, storeKey } from './session.js';
import { SessionContext, type Session } from './session-context.js';

interface SignedIn {
  key: string;
  me: Me;
}

function Page({ route }: { route: Route }): JSX.Element {
  switch (route.page) {
    case 'funds':
      return <FundList />;
    case 'overview':
      return <Overview key={`${route.fundId}/${route.year}`} fundYear={route} />;
    case 'settlements':
      return <Settlements fundYear={route} />;
    case 'settlement':
      return <SettlementPage key={route.settlementId} fundId={route.fundId} year={route.year} settlementId={route.settlementId} />;
    case 'return':
      return <ReturnForm fundYear={route} />;
    case 'agreements':
      return <Agreements fundYear={route} />;
    case 'decisions':
      return <Decisions fundYear={route} />;
    case 'audit':
      return <Audit fundYear={route} from={route.from} />;
    case 'not-found':
      return (
        <section>
          <PageHeading>Page not found</PageHeading>
          <p>There is no page at {route.path}. <Link href="/">See the fund-years</Link>.</p>
        </section>
      );
  }
}

function Header({ me, onSignOut }: { me: Me | null; onSignOut: () => void }): JSX.Element {
  return (
    <header class="site-header">
      <a class="skip-link" href="#main">Skip to the content</a>
      <Link href="/" class="brand">poolshare</Link>
      {me !== null && (
        <div class="who">
          <span id="signed-in-as">Signed in as <strong>{me.name}</strong> ({me.role}{me.partnerId === undefined ? '' : `, ${me.partnerId}`})</span>
          <button type="button" onClick={onSignOut}>Sign out</button>
        </div>
      )}
    </header>
  );
}

export function App(): JSX.Element {
  const route = useRoute();
  const [notice, setNotice] = useState<string | null>(null);
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const endSession = useCallback((message: string) => {
    clearSession();
    setSignedIn(null);
    setNotice(message);
  }, []);
  const unauthorized = useCallback(() => endSession('The service no longer accepts this key: sign in again.'), [endSession]);
  const signOut = useCallback(() => endSession('You are signed out; the key is forgotten.'), [endSession]);
  // A key kept from earlier in this tab is checked again (it may have been revoked).
  useEffect(() => {
    const key = storedKey();
    if (key === null) return;
    unwrap(makeClient(key, unauthorized).GET('/v1/me')).then(
      (me) => setSignedIn({ key, me }),
      (error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) setNotice(`Your key could not be checked: ${String((error as Error).message)}`);
      },
    ).finally(() => setRestoring(false));
  }, [unauthorized]);
  const session = useMemo((): Session | null => {
    if (signedIn === null) return null;
    const client = makeClient(signedIn.key, unauthorized);
    const raw = async (path: string, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${signedIn.key}`);
      const response = await fetch(path, { ...init, headers });
      if (response.status === 401) unauthorized();
      return response;
    };
    const fetchFile = async (path: string): Promise<Blob> => {
      const response = await raw(path);
      if (!response.ok) {
        const text = await response.text();
        let problem: unknown = text;
        try {
          problem = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        throw new ApiError(response.status, typeof problem === 'object' && problem !== null
          ? problem as ApiError['problem']
          : { type: 'about:blank', title: 'Error', status: response.status, detail: text });
      }
      return response.blob();
    };
    return { client, me: signedIn.me, signOut, fetchFile, raw };
  }, [signedIn, signOut, unauthorized]);
  const onSignIn = (key: string, me: Me): void => {
    storeKey(key);
    setNotice(null);
    setSignedIn({ key, me });
  };
  return (
    <>
      <Header me={signedIn?.me ?? null} onSignOut={signOut} />
      <main id="main" tabIndex={-1}>
        {restoring ? <p class="status" role="status">Checking your key…</p>
          : session === null ? <SignIn onSignIn={onSignIn} notice={notice} />
            : (
              <SessionContext.Provider value={session}>
                <Page route={route} />
              </SessionContext.Provider>
            )}
      </main>
      <footer class="site-footer">
        <p>poolshare · <a href="/docs">API documentation</a></p>
      </footer>
    </>
  );
}
