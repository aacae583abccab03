import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';

/**
 * Runs a store test suite on every engine: SQLite in memory always, PostgreSQL when it is
 * reachable. Set TAILOR_TEST_POSTGRES=required (CI does) to make an unreachable PostgreSQL
 * a failure instead of a visible skip. TAILOR_TEST_POSTGRES_URL overrides the address.
 * Each PostgreSQL suite works in a schema of its own, dropped afterwards, so runs never collide.
 */
export const postgresUrl = process.env.TAILOR_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
const postgresRequired = process.env.TAILOR_TEST_POSTGRES === 'required';

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    if (postgresRequired) throw new Error(`TAILOR_TEST_POSTGRES=required but PostgreSQL at ${postgresUrl} is unreachable`, { cause: error });
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable: boolean = await probePostgres();
if (!postgresAvailable) {
  console.warn(`\n⚠ PostgreSQL is not reachable at ${postgresUrl}: PostgreSQL store tests are SKIPPED (set TAILOR_TEST_POSTGRES=required to fail instead).\n`);
}

/** Drops PostgreSQL schemas a test made, with everything in them. */
export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
}

export interface EngineHandle {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated store. */
  open(): Promise<Store>;
  /** Drops what `open` created. */
  cleanup(): Promise<void>;
}

function sqliteHandle(): EngineHandle {
  return { name: 'sqlite', open: () => openStore({ engine: 'sqlite', filename: ':memory:' }), cleanup: async () => {} };
}

export function postgresHandle(): EngineHandle {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    open: async () => {
      const schema = `tailor_t_${randomBytes(6).toString('hex')}`;
      schemas.push(schema);
      return openStore({ engine: 'postgres', connectionString: postgresUrl, schema, maxConnections: 4 });
    },
    cleanup: () => dropSchemas(schemas.splice(0)),
  };
}

/**
 * `describe` once per engine.
 *
 * @example
 * describeEachEngine('profiles', (engine) => { it('...', async () => { const store = await engine.open(); ... }); });
 */
export function describeEachEngine(title: string, body: (engine: EngineHandle) => void): void {
  describe(`${title} [sqlite]`, () => body(sqliteHandle()));
  describe.skipIf(!postgresAvailable)(`${title} [postgres]`, () => body(postgresHandle()));
}
