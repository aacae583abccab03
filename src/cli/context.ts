import { existsSync, readFileSync } from 'node:fs';
import { buildConfig, type Config } from '../config/config.js';
import { createTailor, type Tailor } from '../main.js';
import { ConfigError } from '../shared/errors.js';
import type { Workspace } from '../workspaces/index.js';

export interface GlobalOptions {
  config?: string;
  db?: string;
  databaseUrl?: string;
  json?: boolean;
  quiet?: boolean;
  workspace?: string;
}

/** Reads the config file (an explicit --config must exist; ./tailor.config.json is optional). */
function readConfigFile(path: string | undefined): { file: unknown; fileName: string | undefined } {
  const candidate = path ?? 'tailor.config.json';
  if (!existsSync(candidate)) {
    if (path !== undefined) throw new ConfigError(`--config ${path}: no such file`);
    return { file: {}, fileName: undefined };
  }
  try {
    return { file: JSON.parse(readFileSync(candidate, 'utf8')), fileName: candidate };
  } catch (error) {
    throw new ConfigError(`${candidate}: not valid JSON (${(error as Error).message})`);
  }
}

/** The configuration from file, environment and global flags. */
export function loadConfig(opts: GlobalOptions, extraFlags: Record<string, Record<string, unknown>> = {}): Config {
  const { file, fileName } = readConfigFile(opts.config);
  return buildConfig({
    file, fileName, env: process.env,
    flags: { ...extraFlags, database: { ...(extraFlags.database ?? {}), sqlitePath: opts.db, url: opts.databaseUrl } },
  });
}

/** Opens Tailor for one command and closes it afterwards. */
export async function withTailor<T>(opts: GlobalOptions, fn: (tailor: Tailor) => Promise<T>, extraFlags: Record<string, Record<string, unknown>> = {}): Promise<T> {
  const tailor = await createTailor(loadConfig(opts, extraFlags));
  try {
    return await fn(tailor);
  } finally {
    await tailor.close();
  }
}

/** The workspace a command works on: --workspace, or the only one there is. */
export async function pickWorkspace(tailor: Tailor, id: string | undefined): Promise<Workspace> {
  if (id !== undefined) {
    const w = await tailor.workspaces.getWorkspace(id);
    if (w === null) throw new ConfigError(`--workspace ${id}: no such workspace`);
    return w;
  }
  const all = await tailor.workspaces.listWorkspaces();
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new ConfigError('no workspace yet: run `tailor init` first');
  throw new ConfigError(`several workspaces exist; choose one with --workspace (${all.map((w) => `${w.id} "${w.name}"`).join(', ')})`);
}

/** Prints a result: one JSON document with --json, else the human text. */
export function output(opts: GlobalOptions, json: unknown, human: () => string): void {
  if (opts.json === true) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}
