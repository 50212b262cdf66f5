// Files the API serves behind the key (statement CSV; later the pack's CSV and
// XLSX): fetched with the Authorization header, then saved through a blob: URL,
// because the key is in sessionStorage, not in a cookie a plain link would send.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api/client.js';
import { useSession } from '../session-context.js';
import { ProblemBox } from './common.js';

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has its own copy once started; the URL is only needed until then.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DownloadButton({ path, fileName, label }: { path: string; fileName: string; label: string }): JSX.Element {
  const { fetchFile } = useSession();
  const [state, setState] = useState<'idle' | 'busy' | 'done'>('idle');
  const [problem, setProblem] = useState<Problem | null>(null);
  const click = async (): Promise<void> => {
    setState('busy');
    setProblem(null);
    try {
      saveBlob(await fetchFile(path), fileName);
      setState('done');
    } catch (error) {
      setProblem(error instanceof ApiError ? error.problem : { type: 'about:blank', title: 'Error', status: 0, detail: String(error) });
      setState('idle');
    }
  };
  return (
    <span class="download">
      <button type="button" onClick={click} disabled={state === 'busy'}>{label}</button>
      {state === 'done' && <span class="status" role="status"> Downloaded {fileName}.</span>}
      {problem !== null && <ProblemBox problem={problem} heading="Download refused" />}
    </span>
  );
}
