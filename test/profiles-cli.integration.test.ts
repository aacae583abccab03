import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { openStore } from '../src/store/store.js';
import { identifyMessage, orderCompleted } from './support/factories.js';
import { runCliInProcess as cli } from './support/cli-in-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('tailor-profiles-cli-');

describe('tailor profiles show / list (CLI, SQLite)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows computed traits, finds a user id with a colon, and counts only the matches of --q', async () => {
    const db = join(dir, 'cli.db');
    const store = await openStore({ engine: 'sqlite', filename: db });
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, computeWorkers: 0 });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'CLI shop', jurisdiction: 'US', settings: { defaultCurrency: 'GBP' } as never });
      const r = await tailor.ingest.ingest({ workspace, messages: [
        { raw: identifyMessage({ userId: 'auth0:abc123', traits: { email: 'ann@example.com' } }) },
        { raw: orderCompleted({ userId: 'auth0:abc123' }, { revenue: 30 }) },
        { raw: identifyMessage({ userId: 'auth0:def456' }) },
        { raw: identifyMessage({ userId: 'google:zz' }) },
      ] });
      expect(r).toMatchObject({ accepted: 4, rejected: [] });
      await tailor.compute.computeWorkspace(workspace);
    } finally {
      await tailor.close();
    }
    const base = ['--db', db, '--quiet'];

    const json = JSON.parse(await cli(...base, '--json', 'profiles', 'show', 'user_id:auth0:abc123')) as { profile: { id: string }; computedTraits: Record<string, unknown> };
    expect(json.computedTraits).toMatchObject({ orders_count: 1 });
    const text = await cli(...base, 'profiles', 'show', 'user_id:auth0:abc123');
    expect(text).toContain(`profile ${json.profile.id}`);
    expect(text).toMatch(/\n {2}computed traits \(last recompute \d{4}-\d\d-\d\dT[^,]+, updated \d{4}-[^)]+\):\n/);
    expect(text).toContain('\n    orders_count: 1\n');
    expect(text).toContain('\n    first_order_at: 2024-03-01T10:00:00.000Z\n');
    // A bare user id with a colon: `auth0` is no identifier type.
    expect(JSON.parse(await cli(...base, '--json', 'profiles', 'show', 'auth0:abc123'))).toMatchObject({ profile: { id: json.profile.id } });

    const matching = JSON.parse(await cli(...base, '--json', 'profiles', 'list', '--q', 'auth0:')) as { total: number; profiles: unknown[] };
    expect(matching.total).toBe(2);
    expect(matching.profiles).toHaveLength(2);
    expect(await cli(...base, 'profiles', 'list', '--q', 'auth0:', '--limit', '1')).toMatch(/^2 profiles with an identifier starting with "auth0:"; showing 1:/);
    expect(JSON.parse(await cli(...base, '--json', 'profiles', 'list'))).toMatchObject({ total: 3 });
  });
});
