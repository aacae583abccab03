import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../shared/errors.js';

/**
 * Reads a JSON file given on the command line, with an error that names the file and the problem.
 *
 * @example
 * const placement = readJsonFile('home.json');
 */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new ConfigError(`${path}: no such file`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
