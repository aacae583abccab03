import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { openStore } from '../src/store/store.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage } from './support/factories.js';
import { runCliInProcess } from './support/cli-in-process.js';
import { tempDir } from './support/temp-dir.js';

describeEachEngine('audit: reads of personal data and key changes through the API (P20, P21)', (engine) => {
  afterAll(() => engine.cleanup());

  it('records one entry per request, naming whose data was read, without identifiers or secrets', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      await post('/v1/batch', { batch: [
        identifyMessage({ userId: 'r1', traits: { email: 'reader-one@x.io' } }),
        identifyMessage({ userId: 'r2', traits: { email: 'reader-two@x.io' } }),
        identifyMessage({ userId: 'r3', traits: { email: 'someone@y.io' } }),
      ] }, { authorization: basic(a.keys.write) });
      const id = async (ref: string) => {
        const r = await tailor.profiles.resolve(a.workspace.id, ref);
        if (!r.ok) throw new Error(`no profile ${ref}`);
        return r.value.id;
      };
      const [p1, p2] = [await id('user_id:r1'), await id('user_id:r2')];
      const admin = { authorization: bearer(a.keys.admin), 'content-type': 'application/json' };
      const call = async (path: string, init: RequestInit = {}) => {
        const res = await tailor.app.request(path, { ...init, headers: admin });
        expect(res.status, path).toBeLessThan(300);
        return res.json() as Promise<Record<string, unknown>>;
      };
      const segment = await call('/v1/segments', { method: 'POST', body: JSON.stringify({ name: 'Readers', condition: { trait: 'email', source: 'profile', op: 'contains', value: 'reader-' } }) }) as { segment: { id: string } };
      const keyed = await call('/v1/keys', { method: 'POST', body: JSON.stringify({ kind: 'write', name: 'shop' }) }) as { key: string; record: { id: string } };
      const after = (await tailor.audit.entries(a.workspace.id, {})).at(-1)!.seq;

      const listed = await call('/v1/profiles?q=reader-') as { profiles: Array<{ id: string; traits: Record<string, unknown> }> };
      expect(listed.profiles.map((p) => p.traits['email']).sort()).toEqual(['reader-one@x.io', 'reader-two@x.io']);
      await call('/v1/profiles/user_id:r1/segments');
      await call('/v1/profiles/user_id:r1/policy?action=send_marketing&channel=email');
      const members = await call(`/v1/segments/${segment.segment.id}/members?limit=1`) as { members: Array<{ profileId: string }> };
      await call(`/v1/keys/${keyed.record.id}`, { method: 'DELETE' });
      const preview = await call('/v1/segments/preview', { method: 'POST', body: JSON.stringify({ name: 'Readers?', condition: { trait: 'email', source: 'profile', op: 'contains', value: 'reader-' } }) }) as { count: number; sample: string[] };

      const entries = await tailor.audit.entries(a.workspace.id, { afterSeq: after });
      const actor = `admin_key:${a.keys.adminKeyId}`;
      expect(entries.map(({ actor: who, action, subject, details }) => ({ actor: who, action, subject, details }))).toEqual([
        { actor, action: 'profiles.listed', subject: 'profiles', details: { via: 'GET /v1/profiles', search: true, count: 2, profileIds: listed.profiles.map((p) => p.id) } },
        { actor, action: 'profile.segments.read', subject: p1, details: { via: 'GET /v1/profiles/{ref}/segments' } },
        { actor, action: 'profile.policy.read', subject: p1, details: { via: 'GET /v1/profiles/{ref}/policy', action: 'send_marketing', channel: 'email' } },
        { actor, action: 'segment.members.read', subject: segment.segment.id, details: { via: 'GET /v1/segments/{id}/members', count: 1, profileIds: [members.members[0]!.profileId] } },
        { actor, action: 'key.revoked', subject: `key:${keyed.record.id}`, details: {} },
        { actor, action: 'segment.previewed', subject: 'segments', details: { via: 'POST /v1/segments/preview', count: 2, profileIds: preview.sample } },
      ]);
      expect(preview.sample.sort()).toEqual([p1, p2].sort());
      expect([p1, p2]).toContain(members.members[0]!.profileId);
      // The search text can be an identifier (an email's start); key secrets never enter the log.
      const log = JSON.stringify(await tailor.audit.entries(a.workspace.id, {}));
      expect(log).not.toContain('reader-');
      expect(log).not.toContain(keyed.key);
      expect(log).toContain(`"action":"key.created","subject":"key:${keyed.record.id}"`);
      // A list is no read of each person: their own trail (and export) shows what was read about them alone.
      expect((await tailor.audit.entries(a.workspace.id, { subject: p1 })).map((e) => e.action)).toEqual(['profile.segments.read', 'profile.policy.read']);
    } finally {
      await store.close();
    }
  });
});

describe('audit: tailor profiles show, keys create and keys revoke (CLI, SQLite)', () => {
  const dir = tempDir('tailor-audit-reads-cli-');
  afterEach(() => vi.restoreAllMocks());

  const cli = runCliInProcess;


  it('records the read and the key changes with the cli as actor, never the secret', async () => {
    const db = join(dir, 'cli.db');
    const store = await openStore({ engine: 'sqlite', filename: db });
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, computeWorkers: 0 });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'CLI shop', jurisdiction: 'EU' });
      expect(await tailor.ingest.ingest({ workspace, messages: [{ raw: identifyMessage({ userId: 'c1', traits: { email: 'c1@x.io' } }) }] })).toMatchObject({ accepted: 1 });
    } finally {
      await tailor.close();
    }
    const base = ['--db', db, '--quiet'];
    const shown = JSON.parse(await cli(...base, '--json', 'profiles', 'show', 'user_id:c1')) as { profile: { id: string } };
    const created = JSON.parse(await cli(...base, '--json', 'keys', 'create', '--kind', 'admin', '--name', 'ops')) as { key: string; id: string };
    await cli(...base, 'keys', 'revoke', created.id);
    await cli(...base, '--json', 'profiles', 'list', '--q', 'c1');
    await cli(...base, '--json', 'segments', 'history', 'user_id:c1');

    const audit = JSON.parse(await cli(...base, '--json', 'audit', 'list')) as { entries: Array<{ actor: string; action: string; subject: string; details: unknown }> };
    expect(audit.entries.map(({ actor, action, subject, details }) => ({ actor, action, subject, details }))).toEqual([
      { actor: 'cli', action: 'profile.read', subject: shown.profile.id, details: { via: 'tailor profiles show' } },
      { actor: 'cli', action: 'key.created', subject: `key:${created.id}`, details: { kind: 'admin' } },
      { actor: 'cli', action: 'key.revoked', subject: `key:${created.id}`, details: {} },
      { actor: 'cli', action: 'profiles.listed', subject: 'profiles', details: { via: 'tailor profiles list', search: true, count: 1, profileIds: [shown.profile.id] } },
      { actor: 'cli', action: 'profile.segments.read', subject: shown.profile.id, details: { via: 'tailor segments history' } },
    ]);
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });
});
