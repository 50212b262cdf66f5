// What every page needs of the signed-in user: the typed client, the key's
// identity (GET /v1/me) and sign-out.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Client, Me } from './api/client.js';

export interface Session {
  client: Client;
  me: Me;
  signOut: () => void;
  /** GET an API path with the key, as a Blob (downloads); an ApiError when refused. */
  fetchFile: (path: string) => Promise<Blob>;
  /** fetch() with the key, for the operations not yet in the typed client (api/pending.ts). */
  raw: (path: string, init?: RequestInit) => Promise<Response>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in app');
  return session;
}

/** What the key's role may do, to show only those controls (the API still decides). */
export function can(me: Me) {
  return {
    runSettlements: me.role === 'admin',
    closeYear: me.role === 'admin',
    submitReturns: me.role === 'partner',
    acceptAgreements: me.role === 'partner',
    approveSettlements: me.role === 'partner',
    proposeDecisions: me.role === 'admin',
    acceptDecisions: me.role === 'partner',
    bringForward: me.role === 'admin',
    readAuditTrail: me.role === 'admin' || me.role === 'auditor',
  };
}
