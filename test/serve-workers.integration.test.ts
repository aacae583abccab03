import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SEMI_SPACE_MB } from '../src/cli/workers.js';
import { runCli, startServerProcess } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

/** The processes whose parent is `pid`, with their command lines (Linux /proc). */
function childrenOf(pid: number): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '') });
    } catch {
      // The process ended while we read.
    }
  }
  return out;
}

const METRICS_TOKEN = 'cluster-metrics-token-0123';

describe('tailor serve --workers 2', () => {
  const db = join(tempDir('tailor-serve-workers-'), 'workers.db');
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let keys: { writeKey: string; adminKey: string };

  beforeAll(async () => {
    keys = JSON.parse(await runCli(['--db', db, '--json', 'init', '--name', 'Workers shop'])) as typeof keys;
    server = await startServerProcess(['--db', db], { TAILOR_METRICS_TOKEN: METRICS_TOKEN }, ['--workers', '2']);
  });
  afterAll(async () => { await server?.stop(); });

  it('answers from workers that share the store', async () => {
    const auth = `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`;
    const sent = await fetch(`${server.url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'w-1', event: 'Product Viewed', messageId: 'w-m1' }) });
    expect(sent.status).toBe(200);
    // Whichever worker answers, it reads what the other may have written.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/v1/profiles/user_id:w-1?events=5`, { headers: { authorization: `Bearer ${keys.adminKey}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { events: Array<{ event: string }> }).events.map((e) => e.event)).toEqual(['Product Viewed']);
    }
  });

  it('answers /metrics with the figures of every worker, summed by the primary', async () => {
    const auth = `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`;
    // Sent on fresh connections, so that both workers take some of them.
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${server.url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ userId: `w-${i}`, event: 'Signed Up', messageId: `w-metrics-${i}` }) });
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}`, connection: 'close' } });
      expect(res.status).toBe(200);
      const text = await res.text();
      // 12 here and 1 in the first test, whichever worker took them and whichever answers.
      expect(text).toContain('tailor_ingest_events_total{source="api",outcome="accepted"} 13');
      expect(text).toContain('tailor_http_requests_total{method="POST",route="/v1/track",status="200"} 13');
      expect(text).toMatch(/^tailor_info\{version="[^"]+",database="sqlite"\} 1$/m);
    }
  });

  it.skipIf(!existsSync('/proc/self/stat'))('starts two workers with the serving young generation, and stops them on SIGTERM', async () => {
    const workers = childrenOf(server.child.pid!).filter((c) => c.argv.some((a) => a.endsWith('tailor.js')));
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(w.argv).toContain(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    for (const w of workers) expect(existsSync(`/proc/${w.pid}`) && !readFileSync(`/proc/${w.pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
  });
});

describe('tailor serve on a port in use', () => {
  const db = join(tempDir('tailor-serve-busy-'), 'busy.db');

  it('exits with an error, alone and with workers, instead of staying up serving nothing', async () => {
    await runCli(['--db', db, '--json', 'init', '--name', 'Busy shop']);
    const busy = createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)));
    try {
      for (const extra of [[], ['--workers', '2']]) {
        // Before the fix each run stayed up until killed, and this test timed out.
        await expect(runCli(['--db', db, 'serve', '--port', String(port), ...extra])).rejects.toThrow(/exited 1: .*is in use/s);
      }
    } finally {
      busy.close();
    }
  }, 60_000);
});
