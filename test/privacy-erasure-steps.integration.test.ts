import { afterAll, expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { fixedClock } from '../src/shared/clock.js';
import type { Store } from '../src/store/store.js';
import { privacyRepositorySql } from '../src/store/repositories/privacy-repository-sql.js';
import { describeEachEngine } from './support/engines.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');

/** A Tailor whose erasure searches other people's rows two rows a step. */
async function tailorOn(store: Store) {
  const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock: fixedClock(NOW), log: () => {}, erasureStepRows: 2 });
  return tailor;
}

/** Ten other people, three of whom hold the erased person's identifiers in their events, one in their traits. */
async function shopWithSharedIdentifiers(tailor: Awaited<ReturnType<typeof tailorOn>>) {
  const { workspace } = await tailor.workspaces.createWorkspace({ name: 'Steps shop', jurisdiction: 'UK' });
  const messages = [
    { type: 'identify', userId: 'gone-1', anonymousId: 'dev-gone', traits: { email: 'gone@example.com' }, messageId: 'g-1' },
    ...Array.from({ length: 10 }, (_, i) => ({ type: 'track', userId: `other-${i}`, event: 'Product Viewed', messageId: `o-${i}`, properties: { n: i } })),
    { type: 'track', userId: 'other-3', anonymousId: 'dev-gone', event: 'Signed Up', messageId: 'o-shared-device' },
    { type: 'track', userId: 'other-6', event: 'Referred', messageId: 'o-referral', properties: { friend: 'GONE@example.com' } },
    { type: 'alias', userId: 'other-8', previousId: 'gone-1', messageId: 'o-alias' },
    { type: 'identify', userId: 'other-9', traits: { partner: 'gone-1', name: 'Nine' }, messageId: 'o-partner' },
  ];
  for (const m of messages) {
    const r = await tailor.ingest.ingest({ workspace, messages: [{ raw: m, type: m.type as 'track' }] });
    expect(r.rejected).toEqual([]);
  }
  return workspace;
}

describeEachEngine('erasure: the search of other people\'s rows, in steps', (engine) => {
  afterAll(() => engine.cleanup());

  it('answers before the search ends, keeps the values only while it runs, and completes the report and the audit when it ends', async () => {
    const store = await engine.open();
    try {
      const tailor = await tailorOn(store);
      const workspace = await shopWithSharedIdentifiers(tailor);
      const steps: number[] = [];
      tailor.erasure.onScrubStep((job) => steps.push(job.scanned));
      const r = await tailor.erasure.erase(workspace, 'user_id:gone-1', 'test', { waitMs: 0 });
      if (!r.ok) throw new Error('erase failed');
      expect(r.value.othersScrubbed).toEqual({ status: 'running' });
      // The person's own rows are gone at once.
      expect((await tailor.profiles.resolve(workspace.id, 'user_id:gone-1')).ok).toBe(false);

      const outcome = await tailor.erasure.outcome(r.value.reportId);
      expect(outcome).toMatchObject({ status: 'done', eventsChanged: 4, profilesChanged: 1 });
      // 14 other events and 10 other profiles, two a step: every row read once.
      expect(outcome?.rowsSearched).toBe(24);
      expect(steps.length).toBeGreaterThanOrEqual(12);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));

      const events = await store.db.selectFrom('events').select(['message_id', 'anonymous_id', 'previous_id', 'properties']).where('workspace_id', '=', workspace.id).where('message_id', 'in', ['o-shared-device', 'o-referral', 'o-alias']).orderBy('message_id').execute();
      expect(events.map((e) => [e.message_id, e.anonymous_id, e.previous_id])).toEqual([['o-alias', null, null], ['o-referral', null, null], ['o-shared-device', null, null]]);
      expect(JSON.stringify(events)).not.toMatch(/gone/i);
      const nine = await tailor.profiles.resolve(workspace.id, 'user_id:other-9');
      expect(nine.ok && nine.value.traits).toEqual({ name: 'Nine' });
      // The values it looked for went with it; the stored report and the audit say what it did.
      expect(await store.db.selectFrom('erasure_scrubs').selectAll().execute()).toEqual([]);
      const stored = await store.db.selectFrom('erasure_reports').select('report').where('id', '=', r.value.reportId).executeTakeFirstOrThrow();
      const report = (typeof stored.report === 'string' ? JSON.parse(stored.report) : stored.report) as { othersScrubbed: unknown; tables: Record<string, number> };
      expect(report.othersScrubbed).toMatchObject({ status: 'done', eventsChanged: 4, profilesChanged: 1, rowsSearched: 24 });
      expect(report.tables.events).toBe(1);
      const audit = await tailor.audit.entries(workspace.id, { subject: r.value.profileId });
      expect(audit.map((e) => e.action)).toEqual(['erasure.completed', 'erasure.scrubbed']);
      expect(audit[1]?.details).toMatchObject({ reportId: r.value.reportId, eventsChanged: 4, profilesChanged: 1 });
      await tailor.close();
    } finally {
      await store.close().catch(() => {});
    }
  });

  it('a search stopped half way resumes where it was in the next process, and a small one ends before the answer', async () => {
    const store = await engine.open();
    try {
      const first = await tailorOn(store);
      const workspace = await shopWithSharedIdentifiers(first);
      first.erasure.onScrubStep((job) => { if (job.scanned >= 6) void first.erasure.stop(); });
      const r = await first.erasure.erase(workspace, 'user_id:gone-1', 'test', { waitMs: 0 });
      if (!r.ok) throw new Error('erase failed');
      await first.erasure.scrubsIdle();
      const left = await store.db.selectFrom('erasure_scrubs').select(['phase', 'cursor', 'scanned', 'claimed_until']).execute();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatchObject({ phase: 'events', claimed_until: null });
      expect(Number(left[0]!.scanned)).toBe(6);

      // Another process (here: a second Tailor on the same store) takes it up at once: the stopped one gave up its lease.
      const second = await tailorOn(store);
      await second.erasure.resumeScrubs();
      await second.erasure.scrubsIdle();
      expect(await store.db.selectFrom('erasure_scrubs').selectAll().execute()).toEqual([]);
      const stored = await store.db.selectFrom('erasure_reports').select('report').where('id', '=', r.value.reportId).executeTakeFirstOrThrow();
      expect(JSON.stringify(stored.report)).toMatch(/"eventsChanged\\?":4/);
      const events = await store.db.selectFrom('events').select(['anonymous_id', 'previous_id', 'properties', 'traits', 'context']).where('workspace_id', '=', workspace.id).execute();
      expect(JSON.stringify(events)).not.toMatch(/gone/i);

      // With the default wait, a search this small ends before the answer.
      const again = await second.erasure.erase(workspace, 'user_id:other-3', 'test');
      expect(again.ok && again.value.othersScrubbed).toMatchObject({ status: 'done', rowsSearched: 21 });
      await second.close();
    } finally {
      await store.close().catch(() => {});
    }
  });

  it('one process at a time holds a search: a lease, and a step that finds the cursor moved does nothing', async () => {
    const store = await engine.open();
    try {
      const tailor = await tailorOn(store);
      const workspace = await shopWithSharedIdentifiers(tailor);
      await tailor.erasure.stop(); // this process will not search; the test drives the repository
      const r = await tailor.erasure.erase(workspace, 'user_id:gone-1', 'test', { waitMs: 0 });
      if (!r.ok) throw new Error('erase failed');
      const repo = privacyRepositorySql(store);
      const a = await repo.claimScrub(NOW, 60_000);
      expect(a).toMatchObject({ reportId: r.value.reportId, phase: 'events', cursor: null });
      expect(await repo.claimScrub(NOW + 59_999, 60_000)).toBeNull();
      const b = await repo.claimScrub(NOW + 60_001, 60_000);
      expect(b).toMatchObject({ reportId: r.value.reportId, cursor: null });
      const moved = await repo.scrubStep(b!, { limit: 5, now: NOW + 60_001, leaseMs: 60_000 });
      expect(moved).toMatchObject({ phase: 'events', scanned: 5 });
      // `a` still thinks the cursor is at the start: its step must not run twice over those rows.
      expect(await repo.scrubStep(a!, { limit: 5, now: NOW + 60_002, leaseMs: 60_000 })).toBeNull();
      let job = moved;
      while (job !== null && job.phase !== 'done') job = await repo.scrubStep(job, { limit: 5, now: NOW + 60_003, leaseMs: 60_000 });
      expect(job).toMatchObject({ phase: 'done', eventsScrubbed: 4, profilesScrubbed: 1, scanned: 24 });
      await tailor.close();
    } finally {
      await store.close().catch(() => {});
    }
  });
});
