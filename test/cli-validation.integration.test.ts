import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

describe('tailor init and keys create (CLI)', () => {
  // Made here, not in the test: the directory is removed by an afterAll hook, which a running test cannot register.
  const dir = tempDir('tailor-cli-names-');

  it('hold names to the API\'s rules: a blank name is refused, a padded one trimmed', async () => {
    const db = join(dir, 'names.db');
    await expect(runCli(['--db', db, '--json', 'init', '--name', '   '])).rejects.toThrow(/exited 2: tailor: --name: Too small/);
    const created = JSON.parse(await runCli(['--db', db, '--json', 'init', '--name', ' Corner shop '])) as { name: string };
    expect(created.name).toBe('Corner shop');
    await expect(runCli(['--db', db, 'keys', 'create', '--kind', 'write', '--name', ''])).rejects.toThrow(/exited 2: tailor: --name: Too small/);
  });
});
