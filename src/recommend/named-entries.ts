import { err, ok, type Result } from '../shared/result.js';

/**
 * Adds or replaces entries of a named list (placements, scenes) by name: a replaced entry
 * keeps its place, new ones go at the end, and an entry given twice counts once (the last
 * wins). Refuses, naming the limit, a list that would hold more than `max`. Pure: the API
 * and the CLI edit the list as stored with it.
 *
 * @example
 * upsertByName([{ name: 'home' }], [{ name: 'cart' }], 100, 'placements');
 * // { ok: true, value: { list: [{ name: 'home' }, { name: 'cart' }], created: ['cart'], replaced: [] } }
 */
export function upsertByName<T extends { name: string }>(list: readonly T[], entries: readonly T[], max: number, kind: string): Result<{ list: T[]; created: string[]; replaced: string[] }, string> {
  const byName = new Map(list.map((x) => [x.name, x] as const));
  const created: string[] = [];
  const replaced: string[] = [];
  for (const entry of entries) {
    if (byName.has(entry.name)) { if (!replaced.includes(entry.name) && !created.includes(entry.name)) replaced.push(entry.name); } else created.push(entry.name);
    byName.set(entry.name, entry);
  }
  if (byName.size > max) return err(`a workspace has at most ${max} ${kind}: it has ${list.length}, and ${created.length} would be added`);
  return ok({ list: [...byName.values()], created, replaced });
}

/** The list without the entry of that name, or null when there is none. */
export function removeByName<T extends { name: string }>(list: readonly T[], name: string): T[] | null {
  return list.some((x) => x.name === name) ? list.filter((x) => x.name !== name) : null;
}
