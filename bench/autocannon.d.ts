// The little of autocannon 8's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface RequestOptions {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** With `workers`: a path to a CommonJS module exporting the function. */
    setupRequest?: string;
  }
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    workers?: number;
    timeout?: number;
    pipelining?: number;
    requests?: RequestOptions[];
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
    total?: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    requests: Histogram & { sent: number; total: number };
    latency: Histogram;
    statusCodeStats: Record<string, { count: number }>;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
