import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { hashAuditEntry, type ChainedAuditEntry } from '../src/privacy/audit-chain.js';
import { createAuditService } from '../src/privacy/audit-service.js';
import { fixedClock } from '../src/shared/clock.js';
import { privacyRepositorySql } from '../src/store/repositories/privacy-repository-sql.js';
import { openStore, type Store } from '../src/store/store.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { tempDir } from './support/temp-dir.js';

interface Verification { ok: boolean; seq?: number; reason?: string; head?: { seq: number; hash: string }; checked: number }

/**
 * What someone with write access to the table can do: change one entry's details and
 * re-hash it and every entry after it, so the chain is consistent in itself again.
 */
async function rewriteFrom(store: Store, workspaceId: string, seq: number): Promise<void> {
  const rows = await store.db.selectFrom('audit_log').selectAll().where('workspace_id', '=', workspaceId).where('seq', '>=', seq - 1).orderBy('seq').execute();
  let prevHash = Number(rows[0]!.seq) === seq ? rows[0]!.prev_hash : rows[0]!.hash;
  for (const r of rows) {
    if (Number(r.seq) < seq) continue;
    const stored = typeof r.details === 'string' ? JSON.parse(r.details) as Record<string, unknown> : r.details as Record<string, unknown>;
    const details = Number(r.seq) === seq ? { ...stored, via: 'nothing to see here' } : stored;
    const entry: ChainedAuditEntry = { seq: Number(r.seq), workspaceId, actor: r.actor, action: r.action, subject: r.subject, details: details as never, at: Number(r.at), prevHash, hash: '' };
    const hash = hashAuditEntry({ prevHash, entry });
    await store.db.updateTable('audit_log').set({ details: JSON.stringify(details), prev_hash: prevHash, hash }).where('workspace_id', '=', workspaceId).where('seq', '=', entry.seq).execute();
    prevHash = hash;
  }
}

describeEachEngine('audit verify against a recorded head (P20)', (engine) => {
  afterAll(() => engine.cleanup());

  async function setup() {
    const store = await engine.open();
    const { tailor, post, a, clock } = await appFor(store);
    await post('/v1/identify', { userId: 'h1' }, { authorization: basic(a.keys.write) });
    const admin = { authorization: bearer(a.keys.admin) };
    const read = async () => expect((await tailor.app.request('/v1/profiles/user_id:h1', { headers: admin })).status).toBe(200);
    const verify = async (query = '') => await (await tailor.app.request(`/v1/audit/verify${query}`, { headers: admin })).json() as Verification;
    return { store, tailor, a, clock, read, verify };
  }

  it('accepts a head recorded before the log grew, and catches a rewrite before it with every later entry re-hashed', async () => {
    const { store, a, read, verify } = await setup();
    try {
      for (let i = 0; i < 23; i++) await read();
      const recorded = await verify();
      expect(recorded).toMatchObject({ ok: true, head: { seq: 23 }, checked: 23 });
      const { seq, hash } = recorded.head!;
      await read();
      await read();
      expect(await verify(`?seq=${seq}&hash=${hash}`)).toMatchObject({ ok: true, head: { seq: 25 }, checked: 25 });

      await rewriteFrom(store, a.workspace.id, 5);
      // In itself the rewritten chain is consistent: only the head kept elsewhere reveals it.
      expect(await verify()).toMatchObject({ ok: true, head: { seq: 25 } });
      expect(await verify(`?seq=${seq}&hash=${hash}`)).toMatchObject({ ok: false, seq: 23, reason: 'altered' });
    } finally {
      await store.close();
    }
  });

  it('catches entries removed at the end, whether or not the log grew again since', async () => {
    const { store, a, clock, read, verify } = await setup();
    try {
      for (let i = 0; i < 6; i++) await read();
      const { seq, hash } = (await verify()).head!;
      await store.db.deleteFrom('audit_log').where('workspace_id', '=', a.workspace.id).where('seq', '>=', 5).execute();
      expect(await verify()).toMatchObject({ ok: true, head: { seq: 4 } });
      expect(await verify(`?seq=${seq}&hash=${hash}`)).toMatchObject({ ok: false, seq: 5, reason: 'deleted' });
      // New reads, later, fill the seqs again with other hashes.
      clock.advance(60_000);
      for (let i = 0; i < 3; i++) await read();
      expect(await verify(`?seq=${seq}&hash=${hash}`)).toMatchObject({ ok: false, seq: 6, reason: 'altered' });
    } finally {
      await store.close();
    }
  });

  it('checks the recorded head in whichever page of the walk holds it', async () => {
    const { store, tailor, a, read } = await setup();
    try {
      for (let i = 0; i < 11; i++) await read();
      const audit = createAuditService({ repository: privacyRepositorySql(store), clock: fixedClock(0), verifyPage: 4 });
      const entries = await tailor.audit.entries(a.workspace.id, {});
      const at = (s: number) => ({ seq: s, hash: entries[s - 1]!.hash });
      for (const s of [3, 4, 5, 8, 11]) expect(await audit.verify(a.workspace.id, at(s))).toMatchObject({ ok: true, head: at(11), count: 11, checked: 11 });
      expect(await audit.verify(a.workspace.id, { seq: 0, hash: '0'.repeat(64) })).toMatchObject({ ok: true, checked: 11 });
      expect(await audit.verify(a.workspace.id, { seq: 12, hash: entries[10]!.hash })).toMatchObject({ ok: false, seq: 12, reason: 'deleted' });

      await rewriteFrom(store, a.workspace.id, 2);
      for (const s of [3, 4, 5, 8, 11]) expect(await audit.verify(a.workspace.id, at(s))).toMatchObject({ ok: false, seq: s, reason: 'altered' });
      expect(await audit.verify(a.workspace.id, at(1))).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });

  it('refuses a seq without a hash instead of ignoring it', async () => {
    const { store, tailor, a } = await setup();
    try {
      const res = await tailor.app.request('/v1/audit/verify?seq=3', { headers: { authorization: bearer(a.keys.admin) } });
      expect(res.status).toBe(400);
    } finally {
      await store.close();
    }
  });
});

describe('tailor audit verify --expect (CLI, SQLite)', () => {
  const dir = tempDir('tailor-audit-cli-');
  afterEach(() => vi.restoreAllMocks());

  async function cli(...args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      await buildProgram().exitOverride().parseAsync(['node', 'tailor', ...args]);
      return { out, exitCode: process.exitCode as number | undefined };
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
  }

  it('fails on a head whose entry was rewritten after the log grew past it', async () => {
    const db = join(dir, 'audit.db');
    let workspaceId = '';
    const record = async (n: number) => {
      const store = await openStore({ engine: 'sqlite', filename: db });
      const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, computeWorkers: 0 });
      try {
        if (workspaceId === '') workspaceId = (await tailor.workspaces.createWorkspace({ name: 'CLI shop', jurisdiction: 'EU' })).workspace.id;
        for (let i = 0; i < n; i++) await tailor.audit.record({ workspaceId, actor: 'cli', action: 'profile.read', subject: `p${i}`, details: { via: 'test' } });
      } finally {
        await tailor.close();
      }
    };
    await record(6);
    const base = ['--db', db, '--quiet'];
    const first = await cli(...base, 'audit', 'verify');
    const head = /head (\d+:[0-9a-f]{64})/.exec(first.out)![1]!;
    expect(head).toMatch(/^6:/);
    await record(2);
    expect(await cli(...base, 'audit', 'verify', '--expect', head)).toMatchObject({ out: expect.stringMatching(/^audit chain intact: 8 entries; head 8:/), exitCode: undefined });

    const again = await openStore({ engine: 'sqlite', filename: db });
    try {
      await rewriteFrom(again, workspaceId, 2);
    } finally {
      await again.close();
    }
    expect((await cli(...base, 'audit', 'verify')).out).toMatch(/^audit chain intact/);
    expect(await cli(...base, 'audit', 'verify', '--expect', head)).toEqual({ out: expect.stringMatching(/^audit chain BROKEN at seq 6: altered/), exitCode: 3 });
  });
});
