// autocannon runs its client in a worker thread (so it does not share the server's
// event loop) and loads setupRequest from a file; this is that file. It cycles
// through the request list the bench wrote to POOLSHARE_BENCH_REQUESTS.
'use strict';
const fs = require('node:fs');

const file = process.env.POOLSHARE_BENCH_REQUESTS;
if (!file) throw new Error('POOLSHARE_BENCH_REQUESTS is not set');
/** @type {{path: string, authorization: string, body: string}[]} */
const list = JSON.parse(fs.readFileSync(file, 'utf8'));
let next = 0;

module.exports = function setupRequest(request) {
  const item = list[next++ % list.length];
  request.method = 'POST';
  request.path = item.path;
  request.headers = { ...request.headers, 'content-type': 'application/json', authorization: item.authorization };
  request.body = item.body;
  return request;
};
