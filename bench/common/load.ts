/**
 * A small HTTP load generator for benchmarks, run in its own process so that it does not share
 * the server's event loop. Keep-alive connections; two modes:
 * - closed loop: `concurrency` requests in flight, each sent when the previous one answered
 *   (measures throughput);
 * - open loop: requests sent on a fixed schedule at `rate` per second whatever the answers
 *   (measures latency at a load; latency counts from the scheduled send time, so a server
 *   that falls behind is charged for the queue — no coordinated omission).
 * Reads one JSON job on stdin, writes one JSON result on stdout. Stops by itself after the
 * job's duration.
 */
import http from 'node:http';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Request bodies to cycle through (POST), or paths to cycle through (GET; appended to url). */
  bodies: string[];
  mode: 'closed' | 'open';
  concurrency: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Closed loop only: stop once this many requests were sent (each body once, for a pass over them), or when `seconds` run out. */
  requests?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
}

function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.mode === 'closed' ? job.concurrency : 512 });
  const base = new URL(job.url);
  let i = 0;
  const send = (): Promise<number> => new Promise((resolve) => {
    const item = job.bodies[i++ % job.bodies.length]!;
    const path = job.method === 'GET' ? `${base.pathname}${item}` : base.pathname;
    const req = http.request({ host: base.hostname, port: base.port, path, method: job.method, agent, headers: job.method === 'POST' ? { ...job.headers, 'content-length': Buffer.byteLength(item) } : job.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    if (job.method === 'POST') req.end(item);
    else req.end();
  });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let measuring = false;
  const record = (status: number, ms: number) => {
    if (!measuring) return;
    latencies.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status < 200 || status >= 300) errors++;
  };
  return new Promise((resolve) => {
    const started = performance.now();
    const measureFrom = started + job.warmupSeconds * 1000;
    const end = measureFrom + job.seconds * 1000;
    let measuredStart = measureFrom;
    setTimeout(() => { measuring = true; measuredStart = performance.now(); }, job.warmupSeconds * 1000);
    const finish = () => {
      const seconds = (performance.now() - measuredStart) / 1000;
      latencies.sort((a, b) => a - b);
      const q = (p: number) => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))]!;
      agent.destroy();
      resolve({ requests: latencies.length, errors, statuses, seconds, perSecond: latencies.length / seconds, latencyMs: { p50: q(50), p90: q(90), p95: q(95), p99: q(99), max: latencies.at(-1) ?? NaN } });
    };
    if (job.mode === 'closed') {
      let active = 0;
      const worker = async () => {
        active++;
        while (performance.now() < end && (job.requests === undefined || i < job.requests)) {
          const t = performance.now();
          const status = await send();
          record(status, performance.now() - t);
        }
        if (--active === 0) finish();
      };
      for (let k = 0; k < job.concurrency; k++) void worker();
      return;
    }
    // Open loop: a 1 ms timer sends whatever the schedule says is due.
    const interval = 1000 / job.rate;
    let next = performance.now();
    let inFlight = 0;
    let stopped = false;
    const timer = setInterval(() => {
      const now = performance.now();
      if (now >= end) {
        clearInterval(timer);
        stopped = true;
        if (inFlight === 0) finish();
        return;
      }
      while (next <= now) {
        const scheduled = next;
        next += interval;
        inFlight++;
        void send().then((status) => {
          record(status, performance.now() - scheduled);
          if (--inFlight === 0 && stopped) finish();
        });
      }
    }, 1);
  });
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  let input = '';
  process.stdin.on('data', (d: Buffer) => { input += d.toString(); });
  process.stdin.on('end', () => {
    void run(JSON.parse(input) as LoadJob).then((r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    });
  });
}
