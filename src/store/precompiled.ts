import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** Stands for a value while a query is compiled, and reads it from what a run is given. */
class StandIn<V> {
  constructor(readonly read: (values: V) => unknown) {}
}

/**
 * A compiled query whose stand-in parameters are filled, on each run, from that run's values
 * (the other parameters are literals of the query and stay as compiled).
 */
function template<V, R>(query: CompiledQuery<R>): (values: V) => CompiledQuery<R> {
  const reads = query.parameters.map((p) => (p instanceof StandIn ? (p as StandIn<V>).read : null));
  return (values) => ({ ...query, parameters: reads.map((read, i) => (read === null ? query.parameters[i] : read(values))) });
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
  const compiled = new WeakMap<Kysely<Database>, (values: V) => CompiledQuery<R>>();
  return async (db, values) => {
    let bind = compiled.get(db);
    if (bind === undefined) {
      const stand = new Proxy({}, {
        get: (_, property) => new StandIn<V>((v) => {
          const name = String(property);
          if (!(name in v)) throw new Error(`precompiled query: no value for "${name}"`);
          return v[name];
        }),
      }) as V;
      compiled.set(db, (bind = template<V, R>(build(db, stand).compile())));
    }
    return (await db.executeQuery<R>(bind(values))).rows;
  };
}

/**
 * A multi-row statement built and compiled once per row count, then run with new rows (in
 * the transaction given to each run): for a 256-row insert, building Kysely's operation tree
 * and compiling it costs about as much as SQLite takes to run it. `build` receives stand-in
 * rows and must put every value of every row in as a plain parameter. Give it row counts from
 * `chunkRowsInShapes`, so that a few shapes recur.
 *
 * @example
 * const insert = precompiledRows(db, ['workspace_id', 'id'], (d, rows) => d.insertInto('segments').values(rows));
 * await insert(tx, [{ workspace_id: ws, id: 'a' }]);
 */
export function precompiledRows<Row extends Record<string, unknown>, R>(db: Kysely<Database>, columns: ReadonlyArray<keyof Row & string>, build: (db: Kysely<Database>, rows: Row[]) => Compilable<R>): (tx: Kysely<Database>, rows: readonly Row[]) => Promise<R[]> {
  const run = rowsRunner(db, columns, build);
  return async (tx, rows) => (await run(tx, rows)).rows;
}

/**
 * `precompiledRows` for a statement that returns nothing: resolves to the number of rows it
 * changed (an insert's "on conflict do nothing" does not count the rows it left alone).
 *
 * @example
 * const insert = precompiledRowsCounted(db, ['workspace_id', 'id'], (d, rows) => d.insertInto('segments').values(rows).onConflict((oc) => oc.doNothing()));
 * const added = await insert(tx, [{ workspace_id: ws, id: 'a' }]);
 */
export function precompiledRowsCounted<Row extends Record<string, unknown>>(db: Kysely<Database>, columns: ReadonlyArray<keyof Row & string>, build: (db: Kysely<Database>, rows: Row[]) => Compilable<unknown>): (tx: Kysely<Database>, rows: readonly Row[]) => Promise<number> {
  const run = rowsRunner(db, columns, build);
  return async (tx, rows) => Number((await run(tx, rows)).numAffectedRows ?? 0n);
}

function rowsRunner<Row extends Record<string, unknown>, R>(db: Kysely<Database>, columns: ReadonlyArray<keyof Row & string>, build: (db: Kysely<Database>, rows: Row[]) => Compilable<R>): (tx: Kysely<Database>, rows: readonly Row[]) => Promise<QueryResult<R>> {
  const shapes = new Map<number, (rows: readonly Row[]) => CompiledQuery<R>>();
  return (tx, rows) => {
    let bind = shapes.get(rows.length);
    if (bind === undefined) {
      const stand = rows.map((_, i) => Object.fromEntries(columns.map((c) => [c, new StandIn<readonly Row[]>((r) => r[i]![c])])) as Row);
      shapes.set(rows.length, (bind = template<readonly Row[], R>(build(db, stand).compile())));
    }
    return tx.executeQuery<R>(bind(rows));
  };
}
