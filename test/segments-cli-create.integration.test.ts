import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCliInProcess } from './support/cli-in-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('tailor-segments-cli-create-');
const cli = (...args: string[]) => runCliInProcess('--db', join(dir, 'cli.db'), '--quiet', ...args);


describe('tailor segments create (CLI, SQLite, in process)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('records the entries with reason `created`, as the API does, and prints the segment as it is after evaluating', async () => {
    await cli('init', '--name', 'CLI shop');
    const events = ['ann', 'bob'].map((user) => ({ type: 'identify', userId: user, messageId: `i-${user}`, traits: { plan: 'pro' }, timestamp: '2024-03-01T10:00:00.000Z' }));
    writeFileSync(join(dir, 'events.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await cli('import', 'events', join(dir, 'events.jsonl'));
    writeFileSync(join(dir, 'pro.json'), JSON.stringify({ name: 'Pro', condition: { trait: 'plan', source: 'profile', op: '=', value: 'pro' } }));

    const created = JSON.parse(await cli('--json', 'segments', 'create', '--file', join(dir, 'pro.json'))) as { segment: { id: string; memberCount: number; evaluatedAt: number | null }; evaluation: { members: number; evaluatedAt: number } };
    expect(created.evaluation.members).toBe(2);
    expect(created.segment).toMatchObject({ memberCount: 2, evaluatedAt: created.evaluation.evaluatedAt });

    const history = JSON.parse(await cli('--json', 'segments', 'history', 'user_id:ann')) as { changes: Array<{ segmentId: string; change: string; reason: string }> };
    expect(history.changes).toEqual([expect.objectContaining({ segmentId: created.segment.id, change: 'entered', reason: 'created' })]);

    // --no-evaluate: saved only, shown as saved.
    const saved = JSON.parse(await cli('--json', 'segments', 'create', '--no-evaluate', '--file', join(dir, 'pro.json'))) as { segment: { memberCount: number; evaluatedAt: number | null }; evaluation: null };
    expect(saved).toMatchObject({ segment: { memberCount: 0, evaluatedAt: null }, evaluation: null });
  });
});
