import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('tailor-segments-cli-');

describe('tailor segments (CLI, SQLite)', () => {
  it('validates with paths, previews, creates, lists, pages, exports CSV and shows a person\'s history', async () => {
    const db = join(dir, 'cli.db');
    const cli = (...args: string[]) => runCli(['--db', db, '--quiet', ...args]);
    await cli('--json', 'init', '--name', 'CLI shop');
    const now = Date.now();
    const events = ['ann', 'bob', 'cat'].flatMap((user, i) => [
      { type: 'track', userId: user, event: 'Order Completed', messageId: `o-${user}`, properties: { order_id: `o-${user}`, revenue: 10 * (i + 1), currency: 'USD' }, timestamp: new Date(now - (i * 20 + 1) * 86_400_000).toISOString() },
      { type: 'identify', userId: user, messageId: `i-${user}`, traits: { plan: i === 0 ? 'pro' : 'free' }, timestamp: new Date(now - 86_400_000).toISOString() },
    ]);
    writeFileSync(join(dir, 'events.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await cli('import', 'events', join(dir, 'events.jsonl'));

    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad', condition: { any: [{ event: 'Order Completed', count: { atLeast: 3, atMost: 1 } }] } }));
    await expect(cli('segments', 'validate', '--file', join(dir, 'bad.json'))).rejects.toThrow(/exited 2: .*condition\.any\[0\]\.count: atLeast must not exceed atMost/s);
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    await expect(cli('segments', 'validate', '--file', join(dir, 'broken.json'))).rejects.toThrow(/not valid JSON/);

    // Identify traits are not behaviour: the default privacy settings may refuse profiling, not this.
    writeFileSync(join(dir, 'pro.json'), JSON.stringify({ name: 'Pro or free', condition: { trait: 'plan', source: 'profile', op: 'in', value: ['pro', 'free'] } }));
    expect(JSON.parse(await cli('--json', 'segments', 'preview', '--file', join(dir, 'pro.json')))).toMatchObject({ count: 3 });
    const created = JSON.parse(await cli('--json', 'segments', 'create', '--file', join(dir, 'pro.json'))) as { segment: { id: string }; evaluation: { members: number } };
    expect(created.evaluation.members).toBe(3);
    const list = JSON.parse(await cli('--json', 'segments', 'list')) as { segments: Array<{ id: string; memberCount: number }> };
    expect(list.segments).toMatchObject([{ id: created.segment.id, memberCount: 3 }]);

    const page = JSON.parse(await cli('--json', 'segments', 'members', created.segment.id, '--limit', '2')) as { members: unknown[]; next: string };
    expect(page.members).toHaveLength(2);
    const rest = JSON.parse(await cli('--json', 'segments', 'members', created.segment.id, '--limit', '2', '--after', page.next)) as { members: unknown[]; next: string | null };
    expect(rest).toMatchObject({ next: null });
    const csv = await cli('segments', 'members', created.segment.id, '--csv', '-');
    expect(csv.trim().split('\n').map((l) => l.split(',')[1]).slice(1).sort()).toEqual(['ann', 'bob', 'cat']);
    const file = join(dir, 'members.csv');
    expect(JSON.parse(await cli('--json', 'segments', 'members', created.segment.id, '--csv', file))).toEqual({ segmentId: created.segment.id, file, members: 3 });

    const history = JSON.parse(await cli('--json', 'segments', 'history', 'user_id:ann')) as { current: Array<{ segmentId: string }>; changes: Array<{ change: string }> };
    expect(history.current).toEqual([expect.objectContaining({ segmentId: created.segment.id })]);
    expect(history.changes).toEqual([expect.objectContaining({ change: 'entered', reason: 'created' })]); // as the API records a new segment's first entries
    expect(JSON.parse(await cli('--json', 'segments', 'evaluate'))).toMatchObject({ evaluations: [{ members: 3, entered: 0, exited: 0 }] });
    writeFileSync(join(dir, 'pro-only.json'), JSON.stringify({ name: 'Pro only', condition: { trait: 'plan', source: 'profile', op: '=', value: 'pro' } }));
    expect(await cli('segments', 'update', created.segment.id, '--file', join(dir, 'pro-only.json'))).toMatch(/Updated segment "Pro only" .*1 members, 0 entered, 2 exited/);
    await cli('segments', 'update', created.segment.id, '--file', join(dir, 'pro.json'));
    await expect(cli('segments', 'members', 'nope')).rejects.toThrow(/no segment with id nope/);
    expect(JSON.parse(await cli('--json', 'segments', 'delete', created.segment.id))).toEqual({ id: created.segment.id });
  });

  it('builds the demo, clusters its customers (chart, descriptions), saves clusters as segments, and names bad options', async () => {
    const db = join(dir, 'demo.db');
    const demo = JSON.parse(await runCli(['--quiet', '--json', 'demo', '--demo-db', db, '--no-serve'])) as { built: { profiles: number }; clusters: { id: string; k: number; clusters: Array<{ size: number; description: string }> } };
    expect(demo.built.profiles).toBeGreaterThan(400);
    expect(demo.clusters.k).toBeGreaterThanOrEqual(2);
    const cli = (...args: string[]) => runCli(['--db', db, '--quiet', ...args]);
    const text = await cli('segments', 'cluster', '--min-k', '2', '--max-k', '4', '--seed', '3');
    expect(text).toMatch(/Mean silhouette by k/);
    expect(text).toMatch(/k=2 +█+ [0-9.]+/);
    expect(text).toMatch(/◀/);
    expect(text).toMatch(/days since last order [0-9.,]+ · orders [0-9.]+/);
    const latest = JSON.parse(await cli('--json', 'segments', 'clusters')) as { id: string; model: { k: number; people: number; clusters: Array<{ size: number }> } };
    expect(latest.model.clusters.reduce((s, c) => s + c.size, 0)).toBe(latest.model.people);
    const saved = JSON.parse(await cli('--json', 'segments', 'save-clusters', 'latest', '--clusters', 'all')) as { savedSegments: Array<{ name: string; memberCount: number }> };
    expect(saved.savedSegments.map((s) => s.memberCount)).toEqual(latest.model.clusters.map((c) => c.size));
    expect(saved.savedSegments[0]!.name).toMatch(new RegExp(`^Cluster 1 of ${latest.model.k}: `));
    const runs = JSON.parse(await cli('--json', 'segments', 'clusters', '--all')) as { clusterings: Array<{ version: number }> };
    expect(runs.clusterings.map((r) => r.version)).toEqual([2, 1]);
    expect(await cli('models', 'show', '--kind', 'segment-clusters')).toMatch(/segment-clusters v2 active .*\n {2}k=\d+ over \d+ customers, silhouette [0-9.]+; details: tailor segments clusters /);
    await expect(cli('segments', 'cluster', '--max-k', '30')).rejects.toThrow(/exited 2: error: option '--max-k <k>' argument '30' is invalid\. must be a whole number 2–20/s);
    await expect(cli('segments', 'cluster', '--save', 'x')).rejects.toThrow(/--save takes "all" or cluster numbers/);
    await expect(cli('segments', 'save-clusters', 'latest', '--clusters', '9')).rejects.toThrow(/cluster 9 does not exist/);
    await expect(cli('segments', 'clusters', 'nope')).rejects.toThrow(/no clustering model with id "nope"/);
  });
});
