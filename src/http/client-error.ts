// Answers for requests that never become requests: Node's HTTP parser refuses them
// (a malformed request line, headers over the size limit) or they do not arrive in
// time (408). Fastify's default writes plain JSON here; ours is problem+json like
// every other answer. There is no request object, so no route, URL or key: the
// answer is written to the raw socket, which is then closed.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { makeProblem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

/** How long a refused socket may take to take its answer before it is destroyed anyway. */
const FLUSH_GRACE_MS = 1_000;

interface ClientErrorLike extends Error {
  code?: string;
}

/** The problem for a parser or timeout error of Node's HTTP server. */
export function clientErrorProblem(error: ClientErrorLike): Problem {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return makeProblem(408, 'request-timeout', 'The request did not arrive in full in time; the connection is closed. Send it again, promptly.');
    case 'HPE_HEADER_OVERFLOW':
      return makeProblem(431, 'headers-too-large', 'The request headers are larger than the server accepts.');
    default:
      return makeProblem(400, 'malformed-request', 'The request is not well-formed HTTP/1.1 and cannot be read.');
  }
}

/** A response already started on this socket must not be interleaved with another. */
function responseStarted(socket: Socket): boolean {
  // `_httpMessage` is how Node's own clientError fallback makes the same check.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

export function rawProblemResponse(problem: Problem, requestId: string): string {
  const body = JSON.stringify({ ...problem, requestId });
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler` (`this` is the app). */
export function clientErrorHandler(this: FastifyInstance, error: ClientErrorLike, socket: Socket): void {
  // A reset connection is gone already: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = clientErrorProblem(error);
  const requestId = randomUUID();
  this.log.debug({ reqId: requestId, code: error.code, status: problem.status }, 'client error');
  if (!socket.writable || responseStarted(socket)) {
    socket.destroy();
    return;
  }
  // end(), not destroy(): closing with the answer unsent, or with request bytes unread, can
  // make the client's side reset and lose the answer. The peer closes when it has read it;
  // one that does not is cut off after a short grace.
  setTimeout(() => socket.destroy(), FLUSH_GRACE_MS).unref();
  socket.end(rawProblemResponse(problem, requestId));
}
