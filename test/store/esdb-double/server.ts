// A wire-level EventStoreDB test double: a real gRPC server (@grpc/grpc-js) on the service
// definitions @eventstore/db-client ships in generated/, so the real client talks to it over
// real gRPC. Implements Streams.Append, Streams.Read (a stream, $all, and catch-up subscriptions
// to $all) and ServerFeatures. Not implemented (answered UNIMPLEMENTED): BatchAppend, Delete,
// Tombstone, stream subscriptions, server-side filters, links, projections, persistent
// subscriptions, users, gossip/cluster, authentication, TLS. See docs/store.md.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type * as StreamsPbModule from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPbModule from '@eventstore/db-client/generated/shared_pb.js';
import type * as StreamsGrpcModule from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as FeaturesPbModule from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as FeaturesGrpcModule from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import { DoubleLog, type Expected, type ProposedEvent, type StoredEvent } from './log.js';

const require = createRequire(import.meta.url);
const streamsPb = require('@eventstore/db-client/generated/streams_pb.js') as typeof StreamsPbModule;
const sharedPb = require('@eventstore/db-client/generated/shared_pb.js') as typeof SharedPbModule;
const streamsGrpc = require('@eventstore/db-client/generated/streams_grpc_pb.js') as typeof StreamsGrpcModule;
const featuresPb = require('@eventstore/db-client/generated/serverfeatures_pb.js') as typeof FeaturesPbModule;
const featuresGrpc = require('@eventstore/db-client/generated/serverfeatures_grpc_pb.js') as typeof FeaturesGrpcModule;

type ReadReq = StreamsPbModule.ReadReq;
type ReadResp = StreamsPbModule.ReadResp;
type AppendReq = StreamsPbModule.AppendReq;
type AppendResp = StreamsPbModule.AppendResp;

const SERVER_VERSION = '23.10.0';
const FORWARDS = 0;

export interface EsdbDouble {
  /** Connection string for the real client, e.g. esdb://127.0.0.1:40123?tls=false */
  url: string;
  log: DoubleLog;
  /** How many Append calls the double has answered (to prove the client really came over gRPC). */
  calls: { append: number; read: number; subscribe: number };
  close(): Promise<void>;
}

const utf8 = (b: Uint8Array | string): string => (typeof b === 'string' ? Buffer.from(b, 'base64').toString('utf8') : Buffer.from(b).toString('utf8'));

function streamName(id: SharedPbModule.StreamIdentifier | undefined): string {
  if (id === undefined) throw new Error('missing stream identifier');
  return utf8(id.getStreamName());
}

function identifier(name: string): SharedPbModule.StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return id;
}

function unimplemented(what: string): grpc.ServiceError {
  return Object.assign(new Error(`${what} is not implemented by the test double`), {
    code: grpc.status.UNIMPLEMENTED,
    details: `${what} is not implemented by the test double`,
    metadata: new grpc.Metadata(),
  });
}

function bytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? Uint8Array.from(Buffer.from(v, 'base64')) : v;
}

// ---- Append -------------------------------------------------------------------------------

function expectedOf(options: StreamsPbModule.AppendReq.Options): Expected {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function appendResponse(log: DoubleLog, stream: string, expected: Expected, proposed: ProposedEvent[]): AppendResp {
  const outcome = log.append(stream, expected, proposed);
  const resp = new streamsPb.AppendResp();
  if (outcome.kind === 'wrong_expected_version') {
    const wev = new streamsPb.AppendResp.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wev.setCurrentNoStream(new sharedPb.Empty());
    else wev.setCurrentRevision(outcome.current.toString());
    if (expected.kind === 'revision') wev.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'no_stream') wev.setExpectedNoStream(new sharedPb.Empty());
    else if (expected.kind === 'stream_exists') wev.setExpectedStreamExists(new sharedPb.Empty());
    else wev.setExpectedAny(new sharedPb.Empty());
    resp.setWrongExpectedVersion(wev);
    return resp;
  }
  const success = new streamsPb.AppendResp.Success();
  success.setCurrentRevision(outcome.currentRevision.toString());
  const pos = new streamsPb.AppendResp.Position();
  pos.setCommitPosition(outcome.position.toString());
  pos.setPreparePosition(outcome.position.toString());
  success.setPosition(pos);
  resp.setSuccess(success);
  return resp;
}

function handleAppend(log: DoubleLog, calls: EsdbDouble['calls']) {
  return (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>): void => {
    let stream: string | undefined;
    let expected: Expected = { kind: 'any' };
    const proposed: ProposedEvent[] = [];
    let failed = false;
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) {
        const options = req.getOptions()!;
        stream = streamName(options.getStreamIdentifier());
        expected = expectedOf(options);
        return;
      }
      const m = req.getProposedMessage();
      if (m === undefined || stream === undefined) {
        failed = true;
        return;
      }
      const meta = m.getMetadataMap();
      const type = meta.get('type');
      const contentType = meta.get('content-type');
      if (typeof type !== 'string' || typeof contentType !== 'string') {
        failed = true;
        return;
      }
      const id = m.getId();
      proposed.push({
        id: id?.hasString() === true ? id.getString() : randomUUID(),
        type,
        contentType,
        data: bytes(m.getData()),
        customMetadata: bytes(m.getCustomMetadata()),
      });
    });
    call.on('end', () => {
      calls.append++;
      if (failed || stream === undefined) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: 'append without options, or an event without type/content-type' });
        return;
      }
      // One synchronous step: the whole batch is decided and written at once, or not at all.
      callback(null, appendResponse(log, stream, expected, proposed));
    });
  };
}

// ---- Read -----------------------------------------------------------------------------------

function readEvent(e: StoredEvent, withCommitPosition: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(e.id);
  recorded.setId(id);
  recorded.setStreamIdentifier(identifier(e.streamId));
  recorded.setStreamRevision(e.revision.toString());
  recorded.setCommitPosition(e.position.toString());
  recorded.setPreparePosition(e.position.toString());
  const meta = recorded.getMetadataMap();
  meta.set('type', e.type);
  meta.set('content-type', e.contentType);
  meta.set('created', e.createdTicks.toString());
  recorded.setCustomMetadata(e.customMetadata);
  recorded.setData(e.data);
  const read = new streamsPb.ReadResp.ReadEvent();
  read.setEvent(recorded);
  if (withCommitPosition) read.setCommitPosition(e.position.toString());
  else read.setNoPosition(new sharedPb.Empty());
  const resp = new streamsPb.ReadResp();
  resp.setEvent(read);
  return resp;
}

function countOf(options: StreamsPbModule.ReadReq.Options): number {
  const c = BigInt(options.getCount());
  return c > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(c);
}

function readStream(log: DoubleLog, options: StreamsPbModule.ReadReq.Options): ReadResp[] {
  const so = options.getStream()!;
  const name = streamName(so.getStreamIdentifier());
  const events = log.stream(name);
  if (events === undefined) {
    const nf = new streamsPb.ReadResp.StreamNotFound();
    nf.setStreamIdentifier(identifier(name));
    const resp = new streamsPb.ReadResp();
    resp.setStreamNotFound(nf);
    return [resp];
  }
  const forwards = options.getReadDirection() === FORWARDS;
  const last = BigInt(events.length - 1);
  const from = so.hasRevision() ? BigInt(so.getRevision()) : so.hasEnd() ? last : forwards ? 0n : last;
  const selected = forwards
    ? events.filter((e) => e.revision >= from)
    : events.filter((e) => e.revision <= from).reverse();
  return selected.slice(0, countOf(options)).map((e) => readEvent(e, false));
}

function allFrom(options: StreamsPbModule.ReadReq.Options): bigint | 'start' | 'end' {
  const all = options.getAll()!;
  if (all.hasPosition()) return BigInt(all.getPosition()!.getCommitPosition());
  return all.hasEnd() ? 'end' : 'start';
}

function readAll(log: DoubleLog, options: StreamsPbModule.ReadReq.Options): ReadResp[] {
  const from = allFrom(options);
  const forwards = options.getReadDirection() === FORWARDS;
  let selected: StoredEvent[];
  if (forwards) {
    // Inclusive, as on the server: an event at exactly the given position is returned.
    selected = from === 'end' ? [] : from === 'start' ? log.events : log.events.filter((e) => e.position >= from);
  } else {
    selected = (from === 'end' ? [...log.events] : from === 'start' ? [] : log.events.filter((e) => e.position < from)).reverse();
  }
  return selected.slice(0, countOf(options)).map((e) => readEvent(e, true));
}

function subscribeToAll(log: DoubleLog, options: StreamsPbModule.ReadReq.Options, call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
  const from = allFrom(options);
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const first = new streamsPb.ReadResp();
  first.setConfirmation(confirmation);
  call.write(first);
  // Catch-up and going live happen in one synchronous step: nothing can be appended in between.
  // A subscription's start position is exclusive.
  const past = from === 'end' ? [] : from === 'start' ? log.events : log.events.filter((e) => e.position > from);
  for (const e of past) call.write(readEvent(e, true));
  const caughtUp = new streamsPb.ReadResp();
  caughtUp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  call.write(caughtUp);
  const live = (written: StoredEvent[]): void => {
    for (const e of written) call.write(readEvent(e, true));
  };
  log.emitter.on('appended', live);
  const stop = (): void => {
    log.emitter.off('appended', live);
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}

function handleRead(log: DoubleLog, calls: EsdbDouble['calls']) {
  return (call: grpc.ServerWritableStream<ReadReq, ReadResp>): void => {
    const options = call.request.getOptions();
    if (options === undefined) {
      call.destroy(Object.assign(new Error('read without options'), { code: grpc.status.INVALID_ARGUMENT }));
      return;
    }
    if (options.hasFilter()) {
      call.emit('error', unimplemented('server-side filters'));
      return;
    }
    const uuid = options.getUuidOption();
    if (uuid !== undefined && uuid.hasStructured()) {
      call.emit('error', unimplemented('structured UUIDs'));
      return;
    }
    if (options.hasSubscription()) {
      if (!options.hasAll()) {
        call.emit('error', unimplemented('stream subscriptions'));
        return;
      }
      calls.subscribe++;
      subscribeToAll(log, options, call);
      return;
    }
    calls.read++;
    const responses = options.hasStream() ? readStream(log, options) : readAll(log, options);
    for (const r of responses) call.write(r);
    call.end();
  };
}

// ---- Server ---------------------------------------------------------------------------------

function supportedMethods(): FeaturesPbModule.SupportedMethods {
  const methods = ['read', 'append'].map((name) => {
    const m = new featuresPb.SupportedMethod();
    m.setServiceName('event_store.client.streams.streams');
    m.setMethodName(name);
    return m;
  });
  const s = new featuresPb.SupportedMethods();
  s.setEventStoreServerVersion(SERVER_VERSION);
  s.setMethodsList(methods);
  return s;
}

export async function startEsdbDouble(): Promise<EsdbDouble> {
  const log = new DoubleLog();
  const calls = { append: 0, read: 0, subscribe: 0 };
  const server = new grpc.Server();
  const notImplemented = (what: string) => (_call: unknown, callback?: unknown): void => {
    if (typeof callback === 'function') (callback as grpc.sendUnaryData<unknown>)(unimplemented(what));
    else (_call as grpc.ServerWritableStream<unknown, unknown>).emit('error', unimplemented(what));
  };
  server.addService(streamsGrpc.StreamsService, {
    read: handleRead(log, calls),
    append: handleAppend(log, calls),
    delete: notImplemented('Delete'),
    tombstone: notImplemented('Tombstone'),
    batchAppend: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', unimplemented('BatchAppend')),
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<FeaturesPbModule.SupportedMethods>) => callback(null, supportedMethods()),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    log,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        log.emitter.removeAllListeners();
        server.tryShutdown(() => resolve());
        // Open subscriptions would hold tryShutdown forever: cut them after a moment.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
