import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `tailor` command of this checkout (built by `npm run bench`). */
export const TAILOR_BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin/tailor.js');

/**
 * Runs `tailor ARGV` and resolves with what it printed on stdout (stderr passes through).
 *
 * @example
 * const { adminKey } = JSON.parse(await runTailor(['--json', 'init'], { TAILOR_DB: db }));
 */
export function runTailor(argv: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TAILOR_BIN, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`tailor ${argv.join(' ')} exited ${code}`))));
  });
}

/**
 * Starts a server process (`node COMMAND…`, by default `tailor --json serve --port 0`) and
 * resolves once it prints its URL. TAILOR_BENCH_PROFILE_DIR writes a V8 CPU profile of it
 * there; TAILOR_BENCH_NODE_ARGS passes more Node options (space-separated).
 *
 * @example
 * const server = await startServerProcess({ env: { TAILOR_DB: db } }); …; await server.stop();
 */
export async function startServerProcess(options: { env?: Record<string, string>; command?: string[] } = {}): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  let command = options.command ?? [TAILOR_BIN, '--json', 'serve', '--port', '0'];
  const profileDir = process.env.TAILOR_BENCH_PROFILE_DIR;
  if (profileDir !== undefined) command = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...command];
  const nodeArgs = process.env.TAILOR_BENCH_NODE_ARGS;
  if (nodeArgs !== undefined) command = [...nodeArgs.split(' ').filter((a) => a !== ''), ...command];
  const child = spawn(process.execPath, command, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"url": "([^"]+)"/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { url, pid: child.pid!, stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}
