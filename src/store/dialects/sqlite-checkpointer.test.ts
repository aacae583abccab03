import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { openSqlite } from './sqlite.js';

const dir = tempDir('tailor-checkpoint-');
const sizeOf = (file: string) => { try { return statSync(file).size; } catch { return 0; } };

async function writeMegabytes(db: ReturnType<typeof openSqlite>['db'], megabytes: number) {
  await sql`create table blobs (id integer primary key, body text not null)`.execute(db);
  const body = 'x'.repeat(1_000);
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < megabytes * 1_000; i++) await sql`insert into blobs (body) values (${body})`.execute(tx);
  });
}

describe('background WAL checkpoints (SQLite)', () => {
  it('copies committed pages into the database file from another thread, without any checkpoint by the writer', async () => {
    const file = join(dir, 'bg.db');
    const opened = openSqlite({ filename: file });
    try {
      expect(opened.checkpointer).not.toBeNull();
      await writeMegabytes(opened.db, 4);
      // The writer's own auto-checkpoint is ~256 MB away: only the background thread can move pages.
      const deadline = performance.now() + 5_000;
      while (sizeOf(file) < 4_000_000 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(sizeOf(file)).toBeGreaterThanOrEqual(4_000_000);
      const rows = await sql<{ n: number }>`select count(*) as n from blobs`.execute(opened.db);
      expect(rows.rows[0]!.n).toBe(4_000);
    } finally {
      await opened.checkpointer?.stop();
      await opened.db.destroy();
    }
  });

  it('is off for in-memory databases and when asked, leaving SQLite\'s own auto-checkpoint', async () => {
    const memory = openSqlite({ filename: ':memory:' });
    expect(memory.checkpointer).toBeNull();
    await memory.db.destroy();
    const file = join(dir, 'off.db');
    const off = openSqlite({ filename: file, checkpoint: 'inline' });
    expect(off.checkpointer).toBeNull();
    expect(off.raw.pragma('wal_autocheckpoint', { simple: true })).toBe(4_000);
    await off.db.destroy();
  });

  it('leaves a secondary connection (checkpointed elsewhere) with only the large backstop', async () => {
    const secondary = openSqlite({ filename: join(dir, 'elsewhere.db'), checkpoint: 'elsewhere' });
    expect(secondary.checkpointer).toBeNull();
    expect(secondary.raw.pragma('wal_autocheckpoint', { simple: true })).toBe(65_536);
    await secondary.db.destroy();
  });

  it('stops cleanly, more than once', async () => {
    const opened = openSqlite({ filename: join(dir, 'stop.db') });
    await opened.checkpointer!.stop();
    await opened.checkpointer!.stop();
    await opened.db.destroy();
  });
});
