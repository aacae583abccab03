/**
 * Where one ingest commit's writes go: ingests `warm` events into a fresh SQLite file, then
 * one group of `group` events (batches of 100, all in flight at once, so one commit), and
 * reads the pages that commit appended to the write-ahead log, by the table or index that
 * owns each (SQLite's `dbstat`). A commit writes every page it changed, whole: this is what
 * the commit costs, and what the rows of the group cost beyond their own size.
 */
import { readFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { buildConfig } from '../../src/config/config.js';
import { createTailor, type Tailor } from '../../src/main.js';
import { openStore } from '../../src/store/store.js';
import { makeEventFactory } from './events.js';

export interface CommitPages {
  events: number;
  commits: number;
  /** Pages written to the log by the group (a page written twice counts twice). */
  frames: number;
  /** By owning table or index, most first. */
  byOwner: Array<{ owner: string; pages: number }>;
}

/**
 * @example
 * const r = await commitPages('/tmp/x.db', { warm: 70_000, group: 1_600 });
 */
export async function commitPages(filename: string, options: { warm: number; group: number }): Promise<CommitPages> {
  const next = makeEventFactory(42);
  const batches = (n: number) => Array.from({ length: Math.ceil(n / 100) }, () => Array.from({ length: 100 }, next));
  const send = async (tailor: Tailor, workspace: Parameters<Tailor['ingest']['ingest']>[0]['workspace'], list: Array<Array<Record<string, unknown>>>, inFlight: number) => {
    let k = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (k < list.length) await tailor.ingest.ingest({ workspace, messages: list[k++]!.map((raw) => ({ raw })) });
    }));
  };

  const config = buildConfig({ env: {}, flags: {} });
  let tailor = await createTailor(config, { store: await openStore({ engine: 'sqlite', filename }), log: () => {} });
  const { workspace } = await tailor.workspaces.createWorkspace({ name: 'pages', jurisdiction: 'OTHER' });
  await send(tailor, workspace, batches(options.warm), 16);
  await tailor.close();

  // Reopened without a checkpointing thread, and the log emptied: what the log holds after
  // the group is the group's commit (the back-stop auto-checkpoint is at ~256 MB).
  tailor = await createTailor(config, { store: await openStore({ engine: 'sqlite', filename }, { secondary: true }), log: () => {} });
  const raw = new SQLite(filename);
  try {
    raw.pragma('wal_checkpoint(TRUNCATE)');
    const group = batches(options.group);
    await send(tailor, workspace, group, group.length);
    const wal = readFileSync(`${filename}-wal`);
    // WAL format (sqlite.org/fileformat2.html#walformat): a 32-byte header, then frames of a
    // 24-byte header (page number; database size, non-zero on a commit's last frame) and a page.
    const pageSize = wal.readUInt32BE(8);
    const owners = new Map<number, string>();
    for (const r of raw.prepare('select pageno, name from dbstat').all() as Array<{ pageno: number; name: string }>) owners.set(r.pageno, r.name);
    const byOwner = new Map<string, number>();
    let frames = 0;
    let commits = 0;
    for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
      const owner = owners.get(wal.readUInt32BE(offset)) ?? '(freed)';
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
      frames++;
      if (wal.readUInt32BE(offset + 4) !== 0) commits++;
    }
    return { events: group.length * 100, commits, frames, byOwner: [...byOwner].map(([owner, pages]) => ({ owner, pages })).sort((a, b) => b.pages - a.pages) };
  } finally {
    raw.close();
    await tailor.close();
  }
}
