// The probe of the flood scenario (bench/flood.ts), in a worker thread of its own so that its
// timing does not share the server's event loop: sequential GETs round the given paths until
// the deadline, each timed from send to the last byte. Posts back every latency, per path.
// Plain JavaScript: a worker needs no loader for it.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const { base, paths, authorization, seconds } = workerData;
const latencies = Object.fromEntries(paths.map((p) => [p, []]));
const failures = [];
const deadline = performance.now() + seconds * 1000;
let i = 0;
while (performance.now() < deadline) {
  const path = paths[i++ % paths.length];
  const start = performance.now();
  const res = await fetch(`${base}${path}`, { headers: { authorization } });
  await res.arrayBuffer();
  latencies[path].push(performance.now() - start);
  if (res.status !== 200) failures.push(`${path}: ${res.status}`);
}
parentPort.postMessage({ latencies, failures });
