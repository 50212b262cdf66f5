// Small shared pieces: links that use the router, loading state, refusals shown
// as the API wrote them, and formatted amount cells.
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api/client.js';
import { formatAmount, isNegative } from '../format.js';
import { navigate } from '../router.js';

export function Link(props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }): JSX.Element {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a {...rest} href={href} onClick={onClick}>{children}</a>;
}

export type Load<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ok'; data: T };

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, { type: 'about:blank', title: 'Error', status: 0, detail: String((error as Error)?.message ?? error) });
}

/** Loads `fetcher()` when `deps` change; `reload()` loads it again (after a command). */
export function useLoad<T>(fetcher: () => Promise<T>, deps: readonly unknown[]): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    fetcher().then(
      (data) => current && setLoad({ state: 'ok', data }),
      (error: unknown) => current && setLoad({ state: 'error', error: asApiError(error) }),
    );
    return () => {
      current = false;
    };
    // `fetcher` is a new closure each render: `deps` say when it means something new.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [load, reload];
}

/** A command's progress: idle, busy, refused (with its problem) or done (with a message). */
export type CommandState = { state: 'idle' } | { state: 'busy' } | { state: 'refused'; error: ApiError } | { state: 'done'; message: string };

export function useCommand(): [CommandState, (run: () => Promise<string>) => Promise<void>] {
  const [command, setCommand] = useState<CommandState>({ state: 'idle' });
  const run = useCallback(async (action: () => Promise<string>) => {
    setCommand({ state: 'busy' });
    try {
      setCommand({ state: 'done', message: await action() });
    } catch (error) {
      setCommand({ state: 'refused', error: asApiError(error) });
    }
  }, []);
  return [command, run];
}

export function ProblemBox({ problem, heading }: { problem: Problem; heading?: string }): JSX.Element {
  return (
    <div class="problem" role="alert">
      <p class="problem-title"><strong>{heading ?? problem.title}</strong> ({problem.status === 0 ? 'no answer' : problem.status})</p>
      <p>{problem.detail}</p>
      {problem.errors !== undefined && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => <li key={`${error.path} ${error.message}`}><code>{error.path}</code> {error.message}</li>)}
        </ul>
      )}
    </div>
  );
}

export function CommandStatus({ command }: { command: CommandState }): JSX.Element | null {
  if (command.state === 'busy') return <p class="status" role="status">Working…</p>;
  if (command.state === 'done') return <p class="status done" role="status">{command.message}</p>;
  if (command.state === 'refused') return <ProblemBox problem={command.error.problem} heading="Refused" />;
  return null;
}

/** Renders `children(data)` once loaded; a loading line or the refusal otherwise. */
export function Loaded<T>({ load, children, what }: { load: Load<T>; what: string; children: (data: T) => ComponentChildren }): JSX.Element {
  if (load.state === 'loading') return <p class="status" role="status">Loading {what}…</p>;
  if (load.state === 'error') return <ProblemBox problem={load.error.problem} heading={`Cannot show ${what}`} />;
  return <>{children(load.data)}</>;
}

export function AmountCell({ value }: { value: string | null | undefined }): JSX.Element {
  if (value === null || value === undefined) return <td class="num empty">–</td>;
  return <td class={isNegative(value) ? 'num negative' : 'num'}>{formatAmount(value)}</td>;
}

/** The page's heading; focused on arrival so a screen reader announces the new page. */
export function PageHeading({ children }: { children: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return <h1 tabIndex={-1} ref={ref}>{children}</h1>;
}
