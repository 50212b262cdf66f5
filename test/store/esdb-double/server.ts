// A wire-level EventStoreDB test double: real gRPC servers (@grpc/grpc-js) on the service
// definitions @eventstore/db-client ships in generated/, so the real client talks to them over
// real gRPC. Implements Streams.Append, Streams.Read (a stream, $all, and catch-up subscriptions
// to $all, with a server-side stream-name prefix filter and its checkpoints), ServerFeatures,
// and Gossip.Read. One node, or a cluster of nodes sharing one log: one leader, followers that
// answer a call carrying `requires-leader: true` with NotLeader and the leader's endpoint in the
// trailing metadata (as KurrentDB's RpcExceptions.LeaderInfo does), an election during which
// every node is "not ready", and nodes that are down.
//
// Faults, injected per node: NotLeader, Unavailable, a call slower than the client's deadline,
// and faults after the write was applied but before the answer (the one a retry must survive).
// Not implemented (answered UNIMPLEMENTED): BatchAppend, Delete, Tombstone, stream
// subscriptions, filters on event types or by regex, filtered reads, links, projections,
// persistent subscriptions, users, authentication, TLS. See docs/store.md.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type * as StreamsPbModule from '@eventstore/db-client/generated/streams_pb.js';
import type * as SharedPbModule from '@eventstore/db-client/generated/shared_pb.js';
import type * as StreamsGrpcModule from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as FeaturesPbModule from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as FeaturesGrpcModule from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as GossipPbModule from '@eventstore/db-client/generated/gossip_pb.js';
import type * as GossipGrpcModule from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import { DoubleLog, type Expected, type ProposedEvent, type StoredEvent } from './log.js';

const require = createRequire(import.meta.url);
const streamsPb = require('@eventstore/db-client/generated/streams_pb.js') as typeof StreamsPbModule;
const sharedPb = require('@eventstore/db-client/generated/shared_pb.js') as typeof SharedPbModule;
const streamsGrpc = require('@eventstore/db-client/generated/streams_grpc_pb.js') as typeof StreamsGrpcModule;
const featuresPb = require('@eventstore/db-client/generated/serverfeatures_pb.js') as typeof FeaturesPbModule;
const featuresGrpc = require('@eventstore/db-client/generated/serverfeatures_grpc_pb.js') as typeof FeaturesGrpcModule;
const gossipPb = require('@eventstore/db-client/generated/gossip_pb.js') as typeof GossipPbModule;
const gossipGrpc = require('@eventstore/db-client/generated/gossip_grpc_pb.js') as typeof GossipGrpcModule;

type ReadReq = StreamsPbModule.ReadReq;
type ReadResp = StreamsPbModule.ReadResp;
type AppendReq = StreamsPbModule.AppendReq;
type AppendResp = StreamsPbModule.AppendResp;

const SERVER_VERSION = '23.10.0';
const FORWARDS = 0;
const HOST = '127.0.0.1';

// ---- faults ---------------------------------------------------------------------------------

/**
 * - `not-leader`, `unavailable`: refused, nothing applied.
 * - `slow`: the answer comes `delayMs` late; an append is applied only then, as a server that
 *   queued it would, even if the client has given up meanwhile.
 * - `unavailable-after-write`, `slow-after-write`: the append is applied at once, then the
 *   answer is an error, or comes `delayMs` late.
 */
export type FaultKind = 'not-leader' | 'unavailable' | 'slow' | 'unavailable-after-write' | 'slow-after-write';
export type FaultTarget = 'append' | 'read' | 'subscribe';

export interface Fault {
  kind: FaultKind;
  on: FaultTarget;
  /** How many calls in a row get it; default 1. */
  times?: number;
  /** For the slow kinds; default 1000 ms. */
  delayMs?: number;
}

interface PendingFault {
  kind: FaultKind;
  on: FaultTarget;
  left: number;
  delayMs: number;
}

export class Faults {
  private pending: PendingFault[] = [];
  /** How many calls were answered with a fault, by kind. */
  readonly fired = new Map<FaultKind, number>();

  inject(fault: Fault): void {
    this.pending.push({ kind: fault.kind, on: fault.on, left: fault.times ?? 1, delayMs: fault.delayMs ?? 1000 });
  }

  clear(): void {
    this.pending = [];
  }

  take(on: FaultTarget): PendingFault | undefined {
    const fault = this.pending.find((f) => f.on === on);
    if (fault === undefined) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) this.pending = this.pending.filter((f) => f !== fault);
    this.fired.set(fault.kind, (this.fired.get(fault.kind) ?? 0) + 1);
    return fault;
  }

  get total(): number {
    return [...this.fired.values()].reduce((a, b) => a + b, 0);
  }
}

// ---- nodes and cluster ----------------------------------------------------------------------

export interface Calls {
  append: number;
  read: number;
  subscribe: number;
  gossip: number;
  /** Checkpoints sent on filtered subscriptions (each one pointing past the log's end, as in #4970). */
  checkpoints: number;
  /** The position the last of them named. */
  lastCheckpoint: bigint | null;
}

interface Node {
  index: number;
  port: number;
  instanceId: string;
  server: grpc.Server;
  calls: Calls;
  faults: Faults;
  down: boolean;
  subscriptions: Set<grpc.ServerWritableStream<ReadReq, ReadResp>>;
}

interface Cluster {
  log: DoubleLog;
  nodes: Node[];
  /** Index of the leader; null while an election runs. */
  leader: number | null;
}

export interface EsdbDouble {
  /** Connection string for the real client, e.g. esdb://127.0.0.1:40123?tls=false */
  url: string;
  log: DoubleLog;
  /** How many calls the double has answered (to prove the client really came over gRPC). */
  calls: Calls;
  faults: Faults;
  /** Ends every open subscription with UNAVAILABLE (a node restarting, a dropped connection). */
  dropSubscriptions(): void;
  close(): Promise<void>;
}

export interface EsdbCluster {
  /** Every node as a gossip seed, nodePreference=leader. */
  url: string;
  log: DoubleLog;
  nodes: readonly { port: number; calls: Calls; faults: Faults }[];
  readonly leader: number | null;
  /** Starts an election: every node answers "Server Is Not Ready" until elect(). */
  startElection(): void;
  /** `index` becomes the leader; open subscriptions are dropped, as on a real role change. */
  elect(index: number): void;
  setDown(index: number, down: boolean): void;
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

function statusError(code: grpc.status, details: string, metadata = new grpc.Metadata()): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

function unimplemented(what: string): grpc.ServiceError {
  return statusError(grpc.status.UNIMPLEMENTED, `${what} is not implemented by the test double`);
}

const notReady = (): grpc.ServiceError => statusError(grpc.status.UNAVAILABLE, 'Server Is Not Ready');

/** What KurrentDB answers on a follower for a call that requires the leader. */
function notLeader(leader: Node): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('exception', 'not-leader');
  metadata.set('leader-endpoint-host', HOST);
  metadata.set('leader-endpoint-port', String(leader.port));
  return statusError(grpc.status.NOT_FOUND, 'Leader info available', metadata);
}

function bytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? Uint8Array.from(Buffer.from(v, 'base64')) : v;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Node state first (down, election, not the leader), then an injected fault; undefined: go on. */
function refusal(cluster: Cluster, node: Node, metadata: grpc.Metadata): grpc.ServiceError | undefined {
  if (node.down || cluster.leader === null) return notReady();
  const requiresLeader = metadata.get('requires-leader')[0] === 'true';
  if (requiresLeader && cluster.leader !== node.index) return notLeader(cluster.nodes[cluster.leader]!);
  return undefined;
}

function faultError(cluster: Cluster, node: Node, fault: PendingFault): grpc.ServiceError {
  // A single node is its own leader: the client reconnects to the same endpoint.
  return fault.kind === 'not-leader' ? notLeader(cluster.nodes[cluster.leader ?? node.index]!) : notReady();
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

/** Decides the append once every message has arrived, with the node's state and its faults. */
async function answerAppend(
  cluster: Cluster,
  node: Node,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  decide: () => AppendResp,
): Promise<[grpc.ServiceError | null, AppendResp?]> {
  const refused = refusal(cluster, node, call.metadata);
  if (refused !== undefined) return [refused];
  const fault = node.faults.take('append');
  if (fault === undefined) return [null, decide()]; // one synchronous step: all of the batch or none
  switch (fault.kind) {
    case 'not-leader':
    case 'unavailable':
      return [faultError(cluster, node, fault)];
    case 'unavailable-after-write':
      decide();
      return [faultError(cluster, node, fault)];
    case 'slow-after-write': {
      const resp = decide();
      await sleep(fault.delayMs);
      return [null, resp];
    }
    case 'slow':
      await sleep(fault.delayMs);
      return [null, decide()];
  }
}

function handleAppend(cluster: Cluster, node: Node) {
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
      node.calls.append++;
      if (failed || stream === undefined) {
        callback(statusError(grpc.status.INVALID_ARGUMENT, 'append without options, or an event without type/content-type'));
        return;
      }
      const name = stream;
      void answerAppend(cluster, node, call, () => appendResponse(cluster.log, name, expected, proposed)).then(([error, resp]) => {
        if (call.cancelled) return; // the client gave up (its deadline): nobody is listening
        if (error !== null) callback(error);
        else callback(null, resp);
      });
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

function checkpointAt(position: bigint): ReadResp {
  const checkpoint = new streamsPb.ReadResp.Checkpoint();
  checkpoint.setCommitPosition(position.toString());
  checkpoint.setPreparePosition(position.toString());
  const resp = new streamsPb.ReadResp();
  resp.setCheckpoint(checkpoint);
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

/** The stream-name prefixes of a subscription's filter; undefined: no filter; null: one we do not implement. */
function prefixFilter(options: StreamsPbModule.ReadReq.Options): string[] | undefined | null {
  if (!options.hasFilter()) return undefined;
  const expression = options.getFilter()!.getStreamIdentifier();
  if (expression === undefined || expression.getRegex() !== '' || expression.getPrefixList().length === 0) return null;
  return expression.getPrefixList();
}

function subscribeToAll(cluster: Cluster, node: Node, options: StreamsPbModule.ReadReq.Options, prefixes: string[] | undefined, call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
  const log = cluster.log;
  const from = allFrom(options);
  const matches = (e: StoredEvent): boolean => prefixes === undefined || prefixes.some((p) => e.streamId.startsWith(p));
  // A filtered subscription's checkpoint, sent the way KurrentDB #4970 shows it can be: at the
  // log's end, past the next event any stream will get. A reader that stored it would skip that event.
  const checkpoint = (): void => {
    if (prefixes === undefined) return;
    node.calls.checkpoints++;
    node.calls.lastCheckpoint = log.endPosition;
    call.write(checkpointAt(log.endPosition));
  };
  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(randomUUID());
  const first = new streamsPb.ReadResp();
  first.setConfirmation(confirmation);
  call.write(first);
  // Catch-up and going live happen in one synchronous step: nothing can be appended in between.
  // A subscription's start position is exclusive.
  const past = from === 'end' ? [] : from === 'start' ? log.events : log.events.filter((e) => e.position > from);
  for (const e of past) if (matches(e)) call.write(readEvent(e, true));
  const caughtUp = new streamsPb.ReadResp();
  caughtUp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
  call.write(caughtUp);
  checkpoint();
  const live = (written: StoredEvent[]): void => {
    const wanted = written.filter(matches);
    for (const e of wanted) call.write(readEvent(e, true));
    if (wanted.length === 0) checkpoint();
  };
  log.emitter.on('appended', live);
  node.subscriptions.add(call);
  const stop = (): void => {
    log.emitter.off('appended', live);
    node.subscriptions.delete(call);
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}

function handleRead(cluster: Cluster, node: Node) {
  return (call: grpc.ServerWritableStream<ReadReq, ReadResp>): void => {
    const options = call.request.getOptions();
    if (options === undefined) {
      call.emit('error', statusError(grpc.status.INVALID_ARGUMENT, 'read without options'));
      return;
    }
    const uuid = options.getUuidOption();
    if (uuid !== undefined && uuid.hasStructured()) {
      call.emit('error', unimplemented('structured UUIDs'));
      return;
    }
    const refused = refusal(cluster, node, call.metadata);
    if (refused !== undefined) {
      call.emit('error', refused);
      return;
    }
    if (options.hasSubscription()) {
      const prefixes = prefixFilter(options);
      if (!options.hasAll() || prefixes === null) {
        call.emit('error', unimplemented(options.hasAll() ? 'filters other than stream-name prefixes' : 'stream subscriptions'));
        return;
      }
      node.calls.subscribe++;
      const fault = node.faults.take('subscribe');
      if (fault !== undefined) {
        call.emit('error', faultError(cluster, node, fault));
        return;
      }
      subscribeToAll(cluster, node, options, prefixes, call);
      return;
    }
    if (options.hasFilter()) {
      call.emit('error', unimplemented('filtered reads'));
      return;
    }
    node.calls.read++;
    const fault = node.faults.take('read');
    const respond = (): void => {
      if (call.cancelled) return;
      const responses = options.hasStream() ? readStream(cluster.log, options) : readAll(cluster.log, options);
      for (const r of responses) call.write(r);
      call.end();
    };
    if (fault === undefined) respond();
    else if (fault.kind === 'slow' || fault.kind === 'slow-after-write') void sleep(fault.delayMs).then(respond);
    else call.emit('error', faultError(cluster, node, fault));
  };
}

// ---- ServerFeatures and Gossip -----------------------------------------------------------------

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

function clusterInfo(cluster: Cluster): GossipPbModule.ClusterInfo {
  const info = new gossipPb.ClusterInfo();
  info.setMembersList(
    cluster.nodes.map((n) => {
      const member = new gossipPb.MemberInfo();
      const id = new sharedPb.UUID();
      id.setString(n.instanceId);
      member.setInstanceId(id);
      member.setTimeStamp(String(Date.now() * 10_000));
      const State = gossipPb.MemberInfo.VNodeState;
      member.setState(cluster.leader === null ? State.PRELEADER : n.index === cluster.leader ? State.LEADER : State.FOLLOWER);
      member.setIsAlive(!n.down);
      const endpoint = new gossipPb.EndPoint();
      endpoint.setAddress(HOST);
      endpoint.setPort(n.port);
      member.setHttpEndPoint(endpoint);
      return member;
    }),
  );
  return info;
}

function emptyCalls(): Calls {
  return { append: 0, read: 0, subscribe: 0, gossip: 0, checkpoints: 0, lastCheckpoint: null };
}

async function startNode(cluster: Cluster, index: number): Promise<Node> {
  const server = new grpc.Server();
  const node: Node = { index, port: 0, instanceId: randomUUID(), server, calls: emptyCalls(), faults: new Faults(), down: false, subscriptions: new Set() };
  const notImplemented = (what: string) => (call: unknown, callback?: unknown): void => {
    if (typeof callback === 'function') (callback as grpc.sendUnaryData<unknown>)(unimplemented(what));
    else (call as grpc.ServerWritableStream<unknown, unknown>).emit('error', unimplemented(what));
  };
  server.addService(streamsGrpc.StreamsService, {
    read: handleRead(cluster, node),
    append: handleAppend(cluster, node),
    delete: notImplemented('Delete'),
    tombstone: notImplemented('Tombstone'),
    batchAppend: (call: grpc.ServerDuplexStream<unknown, unknown>) => call.emit('error', unimplemented('BatchAppend')),
  });
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<FeaturesPbModule.SupportedMethods>) =>
      node.down ? callback(notReady()) : callback(null, supportedMethods()),
  });
  server.addService(gossipGrpc.GossipService, {
    read: (_call: unknown, callback: grpc.sendUnaryData<GossipPbModule.ClusterInfo>) => {
      node.calls.gossip++;
      if (node.down) callback(notReady());
      else callback(null, clusterInfo(cluster));
    },
  });
  node.port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  return node;
}

function dropSubscriptions(node: Node): void {
  for (const call of [...node.subscriptions]) {
    node.subscriptions.delete(call);
    call.emit('error', notReady());
  }
}

function closeNode(node: Node): Promise<void> {
  return new Promise<void>((resolve) => {
    node.server.tryShutdown(() => resolve());
    // Open subscriptions would hold tryShutdown forever: cut them after a moment.
    setTimeout(() => node.server.forceShutdown(), 200).unref();
  });
}

export async function startEsdbDouble(): Promise<EsdbDouble> {
  const cluster: Cluster = { log: new DoubleLog(), nodes: [], leader: 0 };
  const node = await startNode(cluster, 0);
  cluster.nodes.push(node);
  return {
    url: `esdb://${HOST}:${node.port}?tls=false`,
    log: cluster.log,
    calls: node.calls,
    faults: node.faults,
    dropSubscriptions: () => dropSubscriptions(node),
    close: async () => {
      cluster.log.emitter.removeAllListeners();
      await closeNode(node);
    },
  };
}

export async function startEsdbCluster(size = 3): Promise<EsdbCluster> {
  const cluster: Cluster = { log: new DoubleLog(), nodes: [], leader: 0 };
  for (let i = 0; i < size; i++) cluster.nodes.push(await startNode(cluster, i));
  const seeds = cluster.nodes.map((n) => `${HOST}:${n.port}`).join(',');
  return {
    url: `esdb://${seeds}?tls=false&nodePreference=leader`,
    log: cluster.log,
    nodes: cluster.nodes,
    get leader() {
      return cluster.leader;
    },
    startElection: () => {
      cluster.leader = null;
      for (const n of cluster.nodes) dropSubscriptions(n);
    },
    elect: (index) => {
      cluster.leader = index;
      for (const n of cluster.nodes) dropSubscriptions(n);
    },
    setDown: (index, down) => {
      const n = cluster.nodes[index]!;
      n.down = down;
      if (down) dropSubscriptions(n);
    },
    close: async () => {
      cluster.log.emitter.removeAllListeners();
      await Promise.all(cluster.nodes.map(closeNode));
    },
  };
}
