import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Stands for a named value while a query is compiled. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A query built and compiled once per database handle, then run with new values. Kysely
 * builds its operation tree and compiles it to SQL on every call (about 10 µs for a small
 * select); the lookups a hot path makes on every request (serving: the identifier, the
 * profile, the privacy state) skip that. `build` receives stand-ins for the values: use each
 * only where a single value goes (`=`, `<`, `limit`), never in `in (…)` lists or in code that
 * looks at it.
 *
 * @example
 * const ownerOf = precompiled((db, v: { ws: string; type: string; value: string }) =>
 *   db.selectFrom('identities').select('profile_id').where('workspace_id', '=', v.ws).where('type', '=', v.type).where('value', '=', v.value));
 * const rows = await ownerOf(db, { ws, type: 'user_id', value: '17850' });
 */
export function precompiled<V extends Record<string, unknown>, R>(build: (db: Kysely<Database>, values: V) => Compilable<R>): (db: Kysely<Database>, values: V) => Promise<R[]> {
  const compiled = new WeakMap<Kysely<Database>, { query: CompiledQuery<R>; slots: Array<string | null> }>();
  return async (db, values) => {
    let c = compiled.get(db);
    if (c === undefined) {
      const stand = new Proxy({}, { get: (_, name) => new Slot(String(name)) }) as V;
      const query = build(db, stand).compile();
      const slots = query.parameters.map((p) => (p instanceof Slot ? p.name : null));
      compiled.set(db, (c = { query, slots }));
    }
    const { query, slots } = c;
    const parameters = slots.map((name, i) => {
      if (name === null) return query.parameters[i];
      if (!(name in values)) throw new Error(`precompiled query: no value for "${name}"`);
      return values[name];
    });
    return (await db.executeQuery<R>({ ...query, parameters })).rows;
  };
}
