import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledDemoFile } from '../src/cli/main.js';
import { runCli } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

const dir = tempDir('tailor-recs-cli-');

describe('tailor train / recommend / eval recs / placements (CLI, SQLite)', () => {
  it('trains on the demo excerpt, recommends for one person and for a file of people, evaluates, and manages placements', async () => {
    const db = join(dir, 'cli.db');
    const cli = (...args: string[]) => runCli(['--db', db, '--quiet', ...args]);
    await cli('--json', 'init', '--name', 'CLI shop', '--jurisdiction', 'US');
    await cli('import', 'orders', bundledDemoFile());

    const trained = JSON.parse(await cli('--json', 'train')) as { version: number; stats: { people: number; items: number } };
    expect(trained).toMatchObject({ version: 1 });
    expect(trained.stats.people).toBeGreaterThan(400);

    const one = JSON.parse(await cli('--json', 'recommend', '--user', '17850', '--n', '5')) as { personalized: boolean; items: Array<{ itemId: string; reasons: unknown[] }> };
    expect(one.personalized).toBe(true);
    expect(one.items).toHaveLength(5);
    expect(await cli('recommend', '--user', 'user_id:17850', '--n', '3')).toMatch(/recommendation id .*\n +1\. /s);

    // A batch: one line per person, {"userId", "items"}, nothing they bought before.
    writeFileSync(join(dir, 'users.txt'), '17850\n# a comment\n{"userId": 16360}\nno-such-customer\n{"user": "user_id:12347"}\n');
    await cli('recommend', '--users', join(dir, 'users.txt'), '--n', '10', '--format', 'jsonl', '--out', join(dir, 'recs.jsonl'));
    const lines = readFileSync(join(dir, 'recs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { userId: string; items: string[] });
    expect(lines.map((l) => l.userId)).toEqual(['17850', '16360', 'no-such-customer', '12347']);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['items', 'userId']);
      expect(l.items).toHaveLength(10);
    }
    const history = JSON.parse(await cli('--json', 'profiles', 'show', 'user_id:16360', '--events', '0')) as { orders: Array<{ lines: Array<{ itemId: string }> }> };
    const bought = new Set(history.orders.flatMap((o) => o.lines.map((x) => x.itemId)));
    expect(lines[1]!.items.filter((i) => bought.has(i))).toEqual([]);
    // An export is not an impression: run again (four times in all; fatigue would drop items shown
    // three times), it gives the same file.
    for (let run = 2; run <= 4; run++) {
      await cli('recommend', '--users', join(dir, 'users.txt'), '--n', '10', '--format', 'jsonl', '--out', join(dir, `recs-${run}.jsonl`));
      expect(readFileSync(join(dir, `recs-${run}.jsonl`), 'utf8'), `run ${run}`).toBe(readFileSync(join(dir, 'recs.jsonl'), 'utf8'));
    }

    // A view today, long after the 2011 purchases: the default split still falls among purchases.
    writeFileSync(join(dir, 'today.jsonl'), `${JSON.stringify({ type: 'track', userId: '17850', event: 'Product Viewed', properties: { product_id: '85123A' } })}\n`);
    await cli('import', 'events', join(dir, 'today.jsonl'));
    const evaluation = JSON.parse(await cli('--json', 'eval', 'recs', '--k', '10')) as { rows: Array<{ strategy: string; k: number; ndcg: number }> };
    expect(evaluation.rows.map((r) => r.strategy)).toEqual(['popularity', 'trending', 'popular', 'item-knn', 'similar', 'bought_together', 'content', 'for_you']);
    const ndcg = (s: string) => evaluation.rows.find((r) => r.strategy === s)!.ndcg;
    expect(ndcg('for_you')).toBeGreaterThan(ndcg('popularity'));
    await expect(cli('eval', 'recs', '--split-at', '1999-01-01')).rejects.toThrow(/exited 2: .*leaves no training data/s);

    writeFileSync(join(dir, 'home.json'), JSON.stringify({ name: 'home', strategies: [{ strategy: 'trending', weight: 1 }], n: 4 }));
    expect(await cli('placements', 'set', join(dir, 'home.json'))).toMatch(/Saved home/);
    const home = JSON.parse(await cli('--json', 'recommend', '--user', '17850', '--placement', 'home')) as { placement: string; items: unknown[] };
    expect(home).toMatchObject({ placement: 'home' });
    expect(home.items).toHaveLength(4);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'bad', n: 0 }));
    await expect(cli('placements', 'set', join(dir, 'bad.json'))).rejects.toThrow(/exited 2: .*n: /s);
    // The API's limit holds here too, said as a usage error.
    writeFileSync(join(dir, 'many.json'), JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ name: `p${i}`, strategies: [{ strategy: 'trending', weight: 1 }] }))));
    await expect(cli('placements', 'set', join(dir, 'many.json'))).rejects.toThrow(/exited 2: .*a workspace has at most 100 placements: it has 1, and 100 would be added/s);
    expect(await cli('placements', 'delete', 'home')).toMatch(/Deleted home/);
    await expect(cli('recommend', '--user', '17850', '--placement', 'home')).rejects.toThrow(/no placement "home"/);
  }, 120_000);
});
