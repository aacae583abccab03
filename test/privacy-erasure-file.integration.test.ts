import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/store.js';
import { appFor, basic, bearer } from './support/app.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('tailor-erasure-file-');

/** The bytes of a file, searched as Latin-1 so that any byte sequence is found (`strings x.db | grep`). */
const holds = (file: string, needle: string) => existsSync(file) && readFileSync(file).toString('latin1').includes(needle);

/**
 * SQLite keeps deleted rows' bytes in the pages they were freed from unless `secure_delete` is
 * on: erasure (P14) must not leave the person readable in the database file. (PostgreSQL keeps
 * dead tuples until VACUUM: see docs/privacy.md "Erasure".)
 */
describe('erasure on a SQLite file', () => {
  it('leaves none of the person\'s values in the database file once the WAL is checkpointed', async () => {
    const filename = join(dir, 'erase.db');
    const store = await openStore({ engine: 'sqlite', filename });
    const { tailor, post, a } = await appFor(store);
    const w = { authorization: basic(a.keys.write) };
    // Other people around them, so that the person's rows share pages that stay in use.
    await post('/v1/batch', { batch: Array.from({ length: 40 }, (_, i) => ({ type: 'identify', userId: `keep-${i}`, traits: { email: `keep-${i}@example.com`, city: 'Leeds' } })) }, w);
    await post('/v1/identify', { userId: 'zq-erase-user', anonymousId: 'zq-erase-device', traits: { email: 'zq-erase@example.com', name: 'Zoltan Qwerty' } }, w);
    await post('/v1/identify', { userId: 'zq-erase-user', traits: { name: 'Zed', city: 'Somewhere much longer than before, really' } }, w);
    await post('/v1/identify', { userId: 'zq-erase-user', traits: { plan: 'gold' } }, w);
    await post('/v1/track', { userId: 'zq-erase-user', event: 'Product Viewed', properties: { note: 'zq-erase-note' } }, w);
    await post('/v1/batch', { batch: Array.from({ length: 40 }, (_, i) => ({ type: 'track', userId: `keep-${i}`, event: 'Product Viewed' })) }, w);
    const res = await tailor.app.request('/v1/profiles/user_id:zq-erase-user', { method: 'DELETE', headers: { authorization: bearer(a.keys.admin) } });
    expect(res.status).toBe(200);
    // The setting is per connection and put back: ingest after the erasure frees pages as before.
    expect((await sql<{ secure_delete: number }>`pragma secure_delete`.execute(store.db)).rows).toEqual([{ secure_delete: 0 }]);
    await tailor.close();
    await store.close().catch(() => {});

    // Closing the last connection checkpoints the WAL into the file and removes it.
    for (const file of [filename, `${filename}-wal`]) {
      for (const needle of ['zq-erase-user', 'zq-erase-device', 'zq-erase@example.com', 'Zoltan Qwerty', 'zq-erase-note']) {
        expect.soft(holds(file, needle), `${file} holds ${needle}`).toBe(false);
      }
    }
    // The other people are still there (the check reads the file the same way).
    expect(holds(filename, 'keep-7@example.com')).toBe(true);
  });
});
