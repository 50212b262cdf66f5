// Sign in: one field, the API key. It is checked with GET /v1/me, then kept in
// this tab's sessionStorage only.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, makeClient, unwrap, type Me, type Problem } from '../api/client.js';
import { PageHeading, ProblemBox } from '../components/common.js';

export function SignIn({ onSignIn, notice }: { onSignIn: (key: string, me: Me) => void; notice: string | null }): JSX.Element {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const typed = key.trim();
    if (typed === '') {
      setProblem({ type: 'about:blank', title: 'No key', status: 0, detail: 'Paste the API key you were given.' });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const me = await unwrap(makeClient(typed, () => undefined).GET('/v1/me'));
      onSignIn(typed, me);
    } catch (error) {
      const refused = error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Error', status: 0, detail: String(error) };
      setProblem(refused.status === 401 ? { ...refused, title: 'Key not recognised', detail: 'The service does not know this key. Check it and try again.' } : refused);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="sign-in">
      <PageHeading>Sign in</PageHeading>
      {notice !== null && <p class="notice" role="status">{notice}</p>}
      <p>poolshare keeps the books of pooled health and social care funds. Sign in with the API key your fund's administrator gave you.</p>
      <form onSubmit={submit} noValidate>
        <label for="api-key">API key</label>
        <input
          id="api-key" name="api-key" type="password" autoComplete="off" spellcheck={false} value={key}
          aria-describedby="api-key-hint" aria-invalid={problem !== null ? 'true' : undefined}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <p id="api-key-hint" class="hint">Kept in this browser tab only: closing the tab or signing out forgets it.</p>
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      {problem !== null && <ProblemBox problem={problem} />}
    </section>
  );
}
