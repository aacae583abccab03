import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store, type StoreConfig } from '../../src/store/store.js';

export const PG_URL = process.env.TAILOR_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Drops a PostgreSQL schema of a benchmark run, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await c.end();
  }
}

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
    if (engine === 'postgres') await dropSchema(schema);
  }
}

/**
 * A store that outlives the run, found again by `name` (`[a-z0-9_]`): an SQLite file in a
 * directory of the system's temp dir, or a PostgreSQL schema `tailor_bench_kept_<name>`.
 * For data that is slow to generate and read-mostly (the population benchmarks).
 * `wipe` removes it first.
 *
 * @example
 * await withKeptBenchStore('sqlite', 'population_1000000_10000000', { wipe: false }, async (store) => { … });
 */
export async function withKeptBenchStore<T>(engine: 'sqlite' | 'postgres', name: string, options: { wipe: boolean }, fn: (store: Store) => Promise<T>): Promise<T> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`kept bench store name must match [a-z0-9_]+: ${name}`);
  const dir = join(tmpdir(), 'tailor-bench-kept');
  const filename = join(dir, `${name}.db`);
  const schema = `tailor_bench_kept_${name}`;
  if (options.wipe) {
    if (engine === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(`${filename}${suffix}`, { force: true });
    else await dropSchema(schema);
  }
  mkdirSync(dir, { recursive: true });
  const store = await openStore(engine === 'sqlite' ? { engine, filename } : { engine, connectionString: PG_URL, schema });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
