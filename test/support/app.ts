import { buildConfig } from '../../src/config/config.js';
import { createTailor } from '../../src/main.js';
import { fixedClock } from '../../src/shared/clock.js';
import type { Store } from '../../src/store/store.js';

export const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
export const bearer = (key: string) => `Bearer ${key}`;

/** A Tailor over the given store with two workspaces, and helpers to call its app. */
export async function appFor(store: Store, rateLimits: Partial<{ writePerSecond: number; writeBurst: number; adminPerSecond: number; adminBurst: number }> = {}) {
  const clock = fixedClock(Date.parse('2024-03-02T00:00:00Z'));
  const config = buildConfig({ env: {}, flags: { rateLimits } });
  const errors: unknown[] = [];
  const tailor = await createTailor(config, { store, clock, log: (_m, e) => errors.push(e) });
  const a = await tailor.workspaces.createWorkspace({ name: 'Shop A', jurisdiction: 'EU' });
  const b = await tailor.workspaces.createWorkspace({ name: 'Shop B', jurisdiction: 'CN' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    tailor.app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const get = (path: string, key: string) => tailor.app.request(path, { headers: { authorization: bearer(key) } });
  return { tailor, clock, a, b, post, get, errors };
}
