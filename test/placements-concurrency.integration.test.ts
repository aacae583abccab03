import { afterAll, expect, it } from 'vitest';
import { appFor, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

/**
 * Placements and scenes are edited as stored, in one transaction: an edit through the API does
 * not write back the list as its key's cached workspace held it, so what another process (the
 * CLI, another server worker) saved meanwhile is kept.
 */
describeEachEngine('placement edits', (engine) => {
  afterAll(() => engine.cleanup());

  it('keep what another process saved since the key was cached', async () => {
    const store = await engine.open();
    try {
      const { tailor, get, a } = await appFor(store);
      const admin = { authorization: bearer(a.keys.admin), 'content-type': 'application/json' };
      const put = (name: string) => tailor.app.request(`/v1/placements/${name}`, { method: 'PUT', headers: admin, body: JSON.stringify({ strategies: [{ strategy: 'popular', weight: 1 }] }) });
      const names = async () => ((await (await get('/v1/placements', a.keys.admin)).json()) as { placements: Array<{ name: string }> }).placements.map((p) => p.name).sort();
      expect(await names()).toEqual([]); // the key and its workspace are cached from here on
      // Another process adds one, as `tailor placements set` does.
      const other = await tailor.workspaces.updateSettings(a.workspace.id, (s) => ({ recommendations: { ...s.recommendations, placements: [...s.recommendations.placements, { ...s.recommendations.placements[0], name: 'from_cli', strategies: [{ strategy: 'trending', weight: 1 }] } as never] } }));
      expect(other.ok).toBe(true);
      expect((await put('from_api')).status).toBe(200);
      expect(await names()).toEqual(['from_api', 'from_cli']);
      const gone = await tailor.app.request('/v1/placements/from_cli', { method: 'DELETE', headers: admin });
      expect(gone.status).toBe(200);
      expect(await names()).toEqual(['from_api']);
      const missing = await tailor.app.request('/v1/placements/from_cli', { method: 'DELETE', headers: admin });
      expect(missing.status).toBe(404);
    } finally {
      await store.close();
    }
  });
});
