// One size limit for an append, checked above the adapters so both stores refuse the same
// commands. EventStoreDB refuses an append request over its MaxAppendSize (1 MiB by default
// before 25.1, and still what its docs say); we stay at half of that so the gRPC framing, event
// ids and type names never tip a batch over, and so a store configured tighter still has room.
import type { EventToAppend } from './port.js';

/** The most bytes one append may carry (data + metadata + type + id + framing, UTF-8). */
export const APPEND_BYTES_MAX = 512 * 1024;

/** Per event, for the id (16 bytes), protobuf tags and lengths, and the content-type entries. */
const EVENT_OVERHEAD_BYTES = 96;

/** The command's events would not fit in one append: refused before anything is written. */
export class EventsTooLargeError extends Error {
  readonly stream: string;
  readonly bytes: number;
  readonly limit: number;
  constructor(stream: string, bytes: number, limit: number) {
    super(`the events this command would record on ${stream} take ${bytes} bytes, more than the ${limit} bytes one append may hold`);
    this.name = 'EventsTooLargeError';
    this.stream = stream;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** Bytes of one append as the stores write it: data and metadata as JSON text, as both adapters do. */
export function appendBytes(events: readonly EventToAppend[]): number {
  let total = 0;
  for (const e of events) {
    total += Buffer.byteLength(JSON.stringify(e.data ?? null), 'utf8');
    total += Buffer.byteLength(JSON.stringify(e.metadata ?? null), 'utf8');
    total += Buffer.byteLength(e.type, 'utf8') + EVENT_OVERHEAD_BYTES;
  }
  return total;
}

/** Throws EventsTooLargeError when the batch would not fit; call it before appending. */
export function assertAppendFits(stream: string, events: readonly EventToAppend[], limit = APPEND_BYTES_MAX): void {
  const bytes = appendBytes(events);
  if (bytes > limit) throw new EventsTooLargeError(stream, bytes, limit);
}
