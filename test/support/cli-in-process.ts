import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

/**
 * Runs a `tailor` command in this process — the source, not the built `dist/` — and returns
 * what it printed on stdout. Errors are thrown (commander's usage errors as CommanderError).
 *
 * @example
 * const shown = JSON.parse(await runCliInProcess('--db', db, '--json', 'profiles', 'show', 'user_id:c1'));
 */
export async function runCliInProcess(...args: string[]): Promise<string> {
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'tailor', ...args]);
  } finally {
    write.mockRestore();
  }
  return out;
}
