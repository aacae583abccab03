import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store, type StoreConfig } from '../../src/store/store.js';

export const PG_URL = process.env.TAILOR_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/**
 * Runs `fn` on a fresh store: an SQLite file in `dir`, or a PostgreSQL schema of its own
 * that is dropped afterwards.
 *
 * @example
 * await withBenchStore('sqlite', dir, 'compute', async (store) => { … });
 */
export async function withBenchStore<T>(engine: 'sqlite' | 'postgres', dir: string, name: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const schema = `tailor_bench_${randomBytes(4).toString('hex')}`;
  const config: StoreConfig = engine === 'sqlite' ? { engine, filename: `${dir}/${name}.db` } : { engine, connectionString: PG_URL, schema };
  const store = await openStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    }
  }
}
