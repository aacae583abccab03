import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

describe('tailor exit codes and messages for bad input (CLI)', () => {
  const dir = tempDir('tailor-cli-exit-');

  it('exits 2 naming what was wrong, and names a database it cannot open', async () => {
    const db = join(dir, 'exit.db');
    await runCli(['--db', db, '--json', 'init', '--name', 'Exit shop']);
    const cases: Array<[string[], RegExp]> = [
      [['--bogus'], /exited 2: error: unknown option '--bogus'/],
      [['profiles', 'list', '--limit', 'abc'], /exited 2: error: option '--limit <n>' argument 'abc' is invalid\. must be a whole number 1–200/],
      [['profiles', 'show', '17850', '--events', '-1'], /exited 2: error: option '--events <n>' argument '-1' is invalid/],
      [['predict', '--horizon-days', '0.5'], /exited 2: error: option '--horizon-days <n>' argument '0\.5' is invalid/],
      [['import', 'events', join(dir, 'missing.jsonl')], /exited 2: tailor: cannot read .*missing\.jsonl: no such file/],
      [['recommend', '--users', join(dir, 'missing.txt')], /exited 2: tailor: --users .*missing\.txt: no such file/],
      [['segments', 'cluster', '--min-k', '1'], /exited 2: error: option '--min-k <k>' argument '1' is invalid\. must be a whole number 2–20/],
      [['segments', 'cluster', '--min-k', '5', '--max-k', '3'], /exited 2: tailor: --min-k 5 is more than --max-k 3/],
      [['segments', 'cluster', '--max-k', '4', '--save', '7'], /exited 2: tailor: --save: clusters are numbered 1 to at most 4/],
    ];
    for (const [args, expected] of cases) await expect(runCli(['--db', db, ...args]), args.join(' ')).rejects.toThrow(expected);
    writeFileSync(join(dir, 'users.txt'), '17850\n');
    await expect(runCli(['--db', db, 'recommend', '--users', join(dir, 'users.txt'), '--out', join(dir, 'no', 'such', 'dir.jsonl')])).rejects.toThrow(/exited 2: tailor: --out .*: no such directory/);
    writeFileSync(join(dir, 'not-a-db.db'), 'hello\n');
    await expect(runCli(['--db', join(dir, 'not-a-db.db'), 'profiles', 'list'])).rejects.toThrow(/exited 1: tailor: cannot open the SQLite database .*not-a-db\.db: file is not a database/);
  });
});
