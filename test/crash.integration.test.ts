import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type StoreConfig } from '../src/store/store.js';
import { dropSchemas, postgresAvailable, postgresUrl } from './support/engines.js';
import { runCli, startServerProcess } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

interface Setup { name: string; args: string[]; env: Record<string, string>; store: StoreConfig; cleanup: () => Promise<void> }

function sqliteSetup(): Setup {
  const db = join(tempDir('tailor-crash-'), 'crash.db');
  return { name: 'sqlite', args: ['--db', db], env: {}, store: { engine: 'sqlite', filename: db }, cleanup: async () => {} };
}

function postgresSetup(): Setup {
  const schema = `tailor_crash_${randomBytes(5).toString('hex')}`;
  return {
    name: 'postgres', args: [], env: { DATABASE_URL: postgresUrl, TAILOR_DB_SCHEMA: schema }, store: { engine: 'postgres', connectionString: postgresUrl, schema },
    cleanup: () => dropSchemas([schema]),
  };
}

const setups: Array<() => Setup> = [sqliteSetup, ...(postgresAvailable ? [postgresSetup] : [])];

describe.each(setups.map((make) => ({ make, name: make === sqliteSetup ? 'sqlite' : 'postgres' })))('SIGKILL while clients send [$name]', ({ make }) => {
  const setup = make();
  afterAll(() => setup.cleanup());

  it('loses no acknowledged event, and restarts with no manual step', async () => {
    const { writeKey } = JSON.parse(await runCli([...setup.args, '--json', 'init'], setup.env)) as { writeKey: string };
    const server = await startServerProcess(setup.args, setup.env);
    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    const sender = async (id: number) => {
      while (!stop) {
        const batch = Array.from({ length: 20 }, () => ({ type: 'track', messageId: `c${id}-${n++}`, userId: `user-${n % 50}`, event: 'Product Viewed', properties: { product_id: `p${n % 7}` } }));
        try {
          const res = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          if (res.status === 200) acked.push(...batch.map((e) => e.messageId));
        } catch {
          // The connection died with the server: these events were never acknowledged.
        }
      }
    };
    const senders = [0, 1, 2, 3].map(sender);
    await new Promise((r) => setTimeout(r, 1500));
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    stop = true;
    await Promise.all(senders);
    expect(acked.length).toBeGreaterThan(100);

    // Restart on the same database: no repair step, and it serves at once.
    const again = await startServerProcess(setup.args, setup.env);
    try {
      const res = await fetch(`${again.url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'after', event: 'Restarted' }) });
      expect(res.status).toBe(200);
    } finally {
      await again.stop();
    }
    const store = await openStore(setup.store);
    try {
      const stored = new Set<string>();
      for (let i = 0; i < acked.length; i += 500) {
        const rows = await store.db.selectFrom('events').select('message_id').where('message_id', 'in', acked.slice(i, i + 500)).execute();
        for (const r of rows) stored.add(r.message_id);
      }
      const lost = acked.filter((m) => !stored.has(m));
      expect(lost).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
