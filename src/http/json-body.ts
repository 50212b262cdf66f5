// The one JSON body parser. On top of Fastify's own (secure-json-parse: syntax,
// `__proto__` and `constructor.prototype` refused) it refuses what JSON.parse would
// silently guess at, because a money document must mean exactly one thing:
// - bytes that are not UTF-8 (a decoder would replace them with U+FFFD);
// - a charset other than UTF-8 (JSON has only one);
// - a string holding a lone surrogate (`"\ud800"`): valid JSON text, but not Unicode, so
//   once stored it makes the answers that echo it unparseable for strict clients;
// - a key twice in one object (JSON.parse keeps the last one).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldError } from '../domain/errors.js';
import { makeProblem, ProblemError } from './problem.js';

/** In a `u` regexp a surrogate pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE_RE = /\p{Cs}/u;
const LONE_SURROGATES_RE = /\p{Cs}/gu;
/** A `\uD800`–`\uDFFF` escape, or a surrogate in the text itself: only then can a string hold a lone one. */
const MAYBE_SURROGATE_RE = /\\u[dD][89a-fA-F]|[\uD800-\uDFFF]/;
const KEY_SHOWN_MAX = 100;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const CHARSET_RE = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

export type JsonAmbiguity = { kind: 'duplicate-key' | 'lone-surrogate'; path: string; key?: string };

interface Frame {
  /** The keys seen so far in an object; null in an array. */
  keys: Set<string> | null;
  /** The current member's key (objects) or element's index (arrays). */
  key: string;
  index: number;
  expectKey: boolean;
}

/** A key as a JSON pointer segment; a lone surrogate is written as its escape, so the answer stays Unicode. */
function pointerSegment(key: string): string {
  return escapeSurrogates(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function escapeSurrogates(text: string): string {
  return text.replace(LONE_SURROGATES_RE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}

/** Index just past the closing quote of the string starting at `start` (jumps from quote to quote). */
function stringEnd(text: string, start: number): number {
  for (let from = start + 1; ; ) {
    const quote = text.indexOf('"', from);
    let before = quote - 1;
    while (text.charCodeAt(before) === 0x5c) before--;
    if ((quote - 1 - before) % 2 === 0) return quote + 1; // an even run of backslashes escapes itself, not the quote
    from = quote + 1;
  }
}

/** The string token text[start, end) as its value. */
function stringValue(text: string, start: number, end: number): string {
  const raw = text.slice(start, end); // searched on its own: a search of `text` could run to its end for every string
  return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
}

/**
 * The first duplicate key or lone surrogate in a text JSON.parse has already accepted
 * (so it is well-formed and the scan can be simple); undefined when there is none.
 * One pass, no recursion; string values are skipped unless the text may hold a surrogate.
 */
export function findAmbiguity(text: string): JsonAmbiguity | undefined {
  const surrogatesPossible = MAYBE_SURROGATE_RE.test(text);
  const frames: Frame[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (ch === 0x22) {
      const end = stringEnd(text, i);
      const isKey = top !== undefined && top.keys !== null && top.expectKey;
      if (isKey || surrogatesPossible) {
        const value = stringValue(text, i, end);
        if (surrogatesPossible && LONE_SURROGATE_RE.test(value)) {
          return { kind: 'lone-surrogate', path: isKey ? keyPath(frames, value) : pathOf(frames) };
        }
        if (isKey && top.keys !== null) {
          if (top.keys.has(value)) return { kind: 'duplicate-key', path: keyPath(frames, value), key: value };
          top.keys.add(value);
          top.key = value;
          top.expectKey = false;
        }
      }
      i = end;
    } else if (ch === 0x7b || ch === 0x5b) {
      frames.push({ keys: ch === 0x7b ? new Set() : null, key: '', index: 0, expectKey: ch === 0x7b });
      i++;
    } else if (ch === 0x7d || ch === 0x5d) {
      frames.pop();
      i++;
    } else if (ch === 0x2c && top !== undefined) {
      if (top.keys === null) top.index++;
      else top.expectKey = true;
      i++;
    } else {
      i++; // whitespace, `:`, numbers, true, false, null
    }
  }
  return undefined;
}

/** JSON pointer of the value being read: the current member or element of every open container (built only for a finding). */
function pathOf(frames: readonly Frame[]): string {
  return frames.map((frame) => `/${frame.keys === null ? String(frame.index) : pointerSegment(frame.key)}`).join('') || '/';
}

/** JSON pointer of a key of the innermost object. */
function keyPath(frames: readonly Frame[], key: string): string {
  const outer = frames.slice(0, -1);
  return `${outer.length === 0 ? '' : pathOf(outer)}/${pointerSegment(key)}`;
}

function refusal(code: string, detail: string, errors: FieldError[] = []): ProblemError {
  return new ProblemError(makeProblem(400, code, detail, errors));
}

function ambiguityProblem(found: JsonAmbiguity): ProblemError {
  if (found.kind === 'duplicate-key') {
    const key = found.key ?? '';
    const shown = key.length > KEY_SHOWN_MAX ? `${key.slice(0, KEY_SHOWN_MAX)}…` : key;
    return refusal('duplicate-key', `The key ${JSON.stringify(escapeSurrogates(shown))} appears more than once in one object; a body must mean one thing, so send each key once.`, [
      { path: found.path, message: 'appears more than once in its object' },
    ]);
  }
  return refusal('invalid-string', 'A string holds a lone surrogate (e.g. "\\ud800"), which is not Unicode text.', [
    { path: found.path, message: 'must be valid Unicode (no lone surrogate)' },
  ]);
}

/** Refuses a declared charset other than UTF-8 (415, like any other unsupported body). */
function assertUtf8Charset(contentType: string | undefined): void {
  const charset = CHARSET_RE.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemError(makeProblem(415, 'unsupported-media-type', 'Request bodies must be application/json in UTF-8.'));
  }
}

type DefaultJsonParser = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => void;

/** Replaces Fastify's `application/json` parser with the strict one. */
export function registerStrictJsonParser(app: FastifyInstance): void {
  const parseSecurely = app.getDefaultJsonParser('error', 'error') as unknown as DefaultJsonParser;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      assertUtf8Charset(request.headers['content-type']);
      text = UTF8.decode(body as Buffer);
    } catch (error) {
      done(error instanceof ProblemError ? error : refusal('invalid-utf8', 'The request body is not valid UTF-8.'), undefined);
      return;
    }
    parseSecurely(request, text, (error, value) => {
      if (error !== null) return done(error, undefined);
      const found = findAmbiguity(text);
      return found === undefined ? done(null, value) : done(ambiguityProblem(found), undefined);
    });
  });
}
