import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres, postgresFeatures } from '../src/store/dialects/postgres.js';
import { openSqlite, sqliteFeatures } from '../src/store/dialects/sqlite.js';
import type { DialectFeatures } from '../src/store/dialects/features.js';
import { foundation } from '../src/store/migrations/0001-foundation.js';
import { mergePointerIndex } from '../src/store/migrations/0002-merge-pointer-index.js';
import { privacy } from '../src/store/migrations/0003-privacy.js';
import { models } from '../src/store/migrations/0004-models.js';
import { computedTraits } from '../src/store/migrations/0005-computed-traits.js';
import { erasureIndexes } from '../src/store/migrations/0006-erasure-indexes.js';
import { liveProfilesIndex } from '../src/store/migrations/0007-live-profiles-index.js';
import { predictions } from '../src/store/migrations/0008-predictions.js';
import { segments } from '../src/store/migrations/0009-segments.js';
import { clusterAssignments } from '../src/store/migrations/0010-cluster-assignments.js';
import { recommendations } from '../src/store/migrations/0011-recommendations.js';
import { segmentRepositorySql } from '../src/store/repositories/segment-repository-sql.js';
import type { Database } from '../src/store/schema.js';
import { openStore, type StoreConfig } from '../src/store/store.js';
import { dropSchemas, postgresAvailable, postgresUrl } from './support/engines.js';
import { tempDir } from './support/temp-dir.js';

/** The schema as it was before migration 0012. */
function migrationsUpTo0011(f: DialectFeatures): Record<string, Migration> {
  return {
    '0001-foundation': foundation(f), '0002-merge-pointer-index': mergePointerIndex(), '0003-privacy': privacy(f), '0004-models': models(f),
    '0005-computed-traits': computedTraits(f), '0006-erasure-indexes': erasureIndexes(), '0007-live-profiles-index': liveProfilesIndex(),
    '0008-predictions': predictions(f), '0009-segments': segments(f), '0010-cluster-assignments': clusterAssignments(), '0011-recommendations': recommendations(f),
  };
}

const DAY = 86_400_000;
const T = Date.parse('2024-03-01T00:00:00Z');

/**
 * Two workspaces' segment history as migration 0009 stored it: UUID ids, read back in (at, id)
 * order. Ids are chosen so that id order differs from insertion order at equal times.
 */
async function seedOld(db: Kysely<Database>): Promise<void> {
  const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const [ws, id] of [['w1', 's1'], ['w1', 's2'], ['w2', 's9']] as const) {
    await raw.insertInto('segments').values({ workspace_id: ws, id, name: id, description: null, definition: '{"event":"Order Completed"}', created_at: T, updated_at: T, evaluated_at: T, member_count: 1 }).execute();
  }
  await raw.insertInto('segment_members').values([
    { workspace_id: 'w1', segment_id: 's1', profile_id: 'p1', entered_at: T },
    { workspace_id: 'w1', segment_id: 's2', profile_id: 'p1', entered_at: T + DAY },
    { workspace_id: 'w2', segment_id: 's9', profile_id: 'p9', entered_at: T },
  ]).execute();
  const change = (ws: string, id: string, segment: string, profile: string, what: string, at: number) => ({ workspace_id: ws, id, segment_id: segment, profile_id: profile, change: what, reason: 'evaluation', at });
  await raw.insertInto('segment_changes').values([
    change('w1', 'f-id', 's1', 'p2', 'entered', T),
    change('w1', 'c-id', 's1', 'p1', 'entered', T),
    change('w2', 'z-id', 's9', 'p9', 'entered', T),
    change('w1', 'a-id', 's2', 'p2', 'exited', T + 2 * DAY),
    change('w1', 'b-id', 's2', 'p1', 'entered', T + DAY),
    change('w1', 'e-id', 's1', 'p2', 'exited', T + DAY),
  ]).execute();
}

const engines: Array<{ name: string; prepare: () => Promise<StoreConfig>; cleanup: () => Promise<void> }> = [];
const dir = tempDir('tailor-segments-migration-');
engines.push({
  name: 'sqlite',
  prepare: async () => {
    const filename = join(dir, 'before-0012.db');
    const { db } = openSqlite({ filename, checkpoint: 'inline' });
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrationsUpTo0011(sqliteFeatures) } }).migrateToLatest();
    if (error !== undefined) throw error;
    await seedOld(db);
    await db.destroy();
    return { engine: 'sqlite', filename };
  },
  cleanup: async () => {},
});
const schema = `tailor_t_${randomBytes(6).toString('hex')}`;
if (postgresAvailable) {
  engines.push({
    name: 'postgres',
    prepare: async () => {
      const { db } = await openPostgres({ connectionString: postgresUrl, schema, maxConnections: 2 });
      const { error } = await new Migrator({ db, migrationTableSchema: schema, provider: { getMigrations: async () => migrationsUpTo0011(postgresFeatures) } }).migrateToLatest();
      if (error !== undefined) throw error;
      await seedOld(db);
      await db.destroy();
      return { engine: 'postgres', connectionString: postgresUrl, schema, maxConnections: 2 };
    },
    cleanup: () => dropSchemas([schema]),
  });
}

for (const engine of engines) {
  describe(`migration 0012: segment changes numbered per workspace [${engine.name}]`, () => {
    afterAll(() => engine.cleanup());

    it('numbers existing changes in the order the stream returned them, keeps members, and continues the sequence without reuse', async () => {
      const store = await openStore(await engine.prepare());
      try {
        const repository = segmentRepositorySql(store);
        // The stream reads as before (time, then id), now with ids 1, 2, … per workspace.
        const w1 = await repository.changesSince('w1', null, 100);
        expect(w1.map((c) => [c.id, c.profileId, c.change, c.at])).toEqual([
          ['1', 'p1', 'entered', T], ['2', 'p2', 'entered', T], ['3', 'p1', 'entered', T + DAY], ['4', 'p2', 'exited', T + DAY], ['5', 'p2', 'exited', T + 2 * DAY],
        ]);
        expect((await repository.changesSince('w2', null, 100)).map((c) => c.id)).toEqual(['1']);
        // A cursor resumes after the change it names; a cursor from before the migration (a UUID id) resumes after its time.
        expect((await repository.changesSince('w1', { at: T + DAY, id: '3' }, 100)).map((c) => c.id)).toEqual(['4', '5']);
        expect((await repository.changesSince('w1', { at: T + DAY, id: 'b-id' }, 100)).map((c) => c.id)).toEqual(['5']);
        expect(await repository.history('w1', 'p2')).toEqual([
          { segmentId: 's1', profileId: 'p2', change: 'entered', reason: 'evaluation', at: T },
          { segmentId: 's1', profileId: 'p2', change: 'exited', reason: 'evaluation', at: T + DAY },
          { segmentId: 's2', profileId: 'p2', change: 'exited', reason: 'evaluation', at: T + 2 * DAY },
        ]);
        expect(await repository.membershipsOf('w1', ['p1', 'p9'])).toEqual(new Map([['p1', new Set(['s1', 's2'])]]));
        // Migration 0015 packed them per person, with the times they entered.
        expect(await repository.segmentsOf('w1', 'p1')).toEqual([{ segmentId: 's1', enteredAt: T }, { segmentId: 's2', enteredAt: T + DAY }]);
        expect((await repository.members('w1', 's2', { after: null, limit: 10 })).map((m) => [m.profileId, m.enteredAt])).toEqual([['p1', T + DAY]]);

        // New changes continue the workspace's sequence, even after the newest rows are deleted
        // (as erasure does): a reader holding cursor 5 still sees them.
        await store.db.deleteFrom('segment_history').where('workspace_id', '=', 'w1').where('profile_id', '=', 'p2').execute();
        await repository.applyChanges('w1', [{ segmentId: 's1', profileId: 'p3', change: 'entered' }, { segmentId: 's2', profileId: 'p1', change: 'exited' }], T + 3 * DAY, 'event');
        expect((await repository.changesSince('w1', { at: T + 2 * DAY, id: '5' }, 100)).map((c) => [c.id, c.profileId, c.change])).toEqual([['6', 'p1', 'exited'], ['7', 'p3', 'entered']]);
        expect((await repository.changesSince('w2', null, 100)).map((c) => c.id)).toEqual(['1']);
        const rows = await sql<{ n: number }>`select count(*) as n from segment_history`.execute(store.db);
        expect(Number(rows.rows[0]!.n)).toBe(5);
      } finally {
        await store.close();
      }
    });
  });
}
