import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import type { RecommendationLogRow } from '../src/recommend/recommendation-repository.js';
import { fixedClock } from '../src/shared/clock.js';
import { startLogWriter } from '../src/store/log-writer.js';
import { recommendationRepositorySql } from '../src/store/repositories/recommendation-repository-sql.js';
import { openStore, type Store } from '../src/store/store.js';
import { postgresAvailable, postgresHandle } from './support/engines.js';
import { SHOP_CATALOG } from './support/shop.js';
import { tempDir } from './support/temp-dir.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const dir = tempDir('tailor-log-writer-');
let files = 0;
const fileStore = () => openStore({ engine: 'sqlite', filename: join(dir, `logs-${files++}.db`) });

const row = (id: string, at = NOW): RecommendationLogRow => ({
  id, profileId: null, placement: 'home', personalized: false, modelVersion: null,
  items: [{ itemId: 'tea-1', exploration: false }, { itemId: 'tea-2', exploration: true }],
  details: { strategies: ['trending'], scenes: [] }, createdAt: at,
});

/** A thread entry standing in for the real one: it starts, then fails the way `behaviour` says. */
const FAKE_ENTRIES = {
  'cannot-open': `parentPort.postMessage({ type: 'failed-to-start', error: { message: 'unable to open database file' } }); process.exit(1);`,
  'dies-on-first-batch': `parentPort.postMessage({ type: 'ready' }); parentPort.on('message', () => process.exit(3));`,
  'never-ready': `setInterval(() => {}, 1000);`,
};
const fakeEntry = (behaviour: keyof typeof FAKE_ENTRIES) => new URL(`data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads';\n${FAKE_ENTRIES[behaviour]}\n`)}`);

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await fileStore();
  try { return await fn(store); } finally { await store.close(); }
}

describe('recommendation logs written on their own thread (SQLite file)', () => {
  it('commits each batch from the thread, readable from the serving connection once appendLogs resolves', () => withStore(async (store) => {
    const repository = recommendationRepositorySql(store);
    const fallback: string[] = [];
    const messages: string[] = [];
    const writer = await startLogWriter(store, { fallback: async (_ws, rows) => { fallback.push(...rows.map((r) => r.id)); }, log: (m) => messages.push(m) });
    expect(writer).not.toBeNull();
    const batches = Array.from({ length: 5 }, (_, b) => Array.from({ length: 300 }, (_, i) => row(`r-${b}-${i}`, NOW + b)));
    await Promise.all(batches.map((rows) => writer!.appendLogs('ws-1', rows)));
    expect(await repository.getLog('ws-1', 'r-0-0')).toEqual(row('r-0-0'));
    expect(await repository.getLog('ws-1', 'r-4-299')).toEqual(row('r-4-299', NOW + 4));
    const counted = await store.db.selectFrom('recommendation_log').select((e) => e.fn.countAll<number>().as('n')).where('workspace_id', '=', 'ws-1').executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(1_500);
    // A retried batch is stored once.
    await writer!.appendLogs('ws-1', batches[0]!);
    expect(Number((await store.db.selectFrom('recommendation_log').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(1_500);
    expect(fallback).toEqual([]);
    expect(messages).toEqual([]);
    await writer!.close();
    await writer!.close();
    // After close, batches go to the serving thread's repository.
    await writer!.appendLogs('ws-1', [row('late')]);
    expect(fallback).toEqual(['late']);
  }));

  it('is not used where no other connection can reach the store (in-memory SQLite)', async () => {
    const store = await openStore({ engine: 'sqlite', filename: ':memory:' });
    try {
      expect(await startLogWriter(store, { fallback: async () => {}, log: () => {} })).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('gives up when the thread cannot open the store, saying why', () => withStore(async (store) => {
    const messages: string[] = [];
    expect(await startLogWriter(store, { fallback: async () => {}, log: (m) => messages.push(m), entry: fakeEntry('cannot-open') })).toBeNull();
    expect(messages).toEqual(['recommendation log writer thread could not open the store (unable to open database file): logs are written by the serving thread from now on']);
  }));

  it('gives up on a thread that does not start in time, and stops it', () => withStore(async (store) => {
    const messages: string[] = [];
    const started = performance.now();
    expect(await startLogWriter(store, { fallback: async () => {}, log: (m) => messages.push(m), entry: fakeEntry('never-ready'), startTimeoutMs: 300 })).toBeNull();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(messages).toEqual(['recommendation log writer thread did not start within 0.3 s: logs are written by the serving thread from now on']);
  }));

  it('writes the batches a dead thread had not confirmed, and every later one, on the serving thread — saying so once', () => withStore(async (store) => {
    const repository = recommendationRepositorySql(store);
    const messages: string[] = [];
    const writer = await startLogWriter(store, { fallback: repository.appendLogs, log: (m) => messages.push(m), entry: fakeEntry('dies-on-first-batch') });
    expect(writer).not.toBeNull();
    await writer!.appendLogs('ws-1', [row('a'), row('b')]);
    await writer!.appendLogs('ws-1', [row('c')]);
    for (const id of ['a', 'b', 'c']) expect((await repository.getLog('ws-1', id))?.id).toBe(id);
    expect(messages).toEqual(['recommendation log writer thread exited (code 3): logs are written by the serving thread from now on']);
    await writer!.close();
  }));

  it('logs every list served while an earlier batch of logs is being written', () => withStore(async (store) => {
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock: fixedClock(NOW), log: () => {}, logWriterThread: true, recommendationTimers: false });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'shop', jurisdiction: 'US' });
      await tailor.catalog.upsert(workspace.id, SHOP_CATALOG);
      const ids: string[] = [];
      const flushes: Array<Promise<void>> = [];
      for (let i = 0; i < 30; i++) {
        const served = await tailor.recommendations.recommend(workspace, { anonymousId: `visitor-${i}`, n: 3 });
        if (!served.ok) throw new Error(JSON.stringify(served.error));
        ids.push(served.value.recommendationId);
        // Not awaited: the next lists are served while this batch is on its way to the thread.
        if (i % 5 === 0) flushes.push(tailor.recommendations.flush());
      }
      await Promise.all(flushes);
      await tailor.recommendations.flush();
      const rows = await store.db.selectFrom('recommendation_log').select('id').where('workspace_id', '=', workspace.id).execute();
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    } finally {
      await tailor.close();
    }
  }));

  it('serves and logs through createTailor({ logWriterThread: true }): a logged response is readable at once', () => withStore(async (store) => {
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock: fixedClock(NOW), log: () => {}, logWriterThread: true, recommendationTimers: false });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'shop', jurisdiction: 'US' });
      await tailor.catalog.upsert(workspace.id, SHOP_CATALOG);
      const served = await tailor.recommendations.recommend(workspace, { anonymousId: 'visitor-1', n: 3 });
      if (!served.ok) throw new Error(JSON.stringify(served.error));
      const logged = await tailor.recommendations.get(workspace, served.value.recommendationId);
      if (!logged.ok) throw new Error(JSON.stringify(logged.error));
      expect(logged.value.items.map((i) => i.itemId)).toEqual(served.value.items.map((i) => i.itemId));
    } finally {
      await tailor.close();
    }
  }));
});

describe.skipIf(!postgresAvailable)('recommendation logs on PostgreSQL', () => {
  const engine = postgresHandle();
  afterAll(() => engine.cleanup());
  it('stay on the serving connection pool (no thread: PostgreSQL writes do not block the event loop)', async () => {
    const store = await engine.open();
    try {
      expect(await startLogWriter(store, { fallback: async () => {}, log: () => {} })).toBeNull();
    } finally {
      await store.close();
    }
  });
});
