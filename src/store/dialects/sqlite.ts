import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { DialectFeatures } from './features.js';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer.js';

export const sqliteFeatures: DialectFeatures = {
  name: 'sqlite',
  jsonType: 'text',
  bigIntType: 'integer',
  floatType: 'real',
  maxParameters: 32_000,
  // better-sqlite3 is one connection and Kysely runs one transaction at a time on it;
  // other processes wait on SQLite's own write lock (busy_timeout below).
  lock: async () => {},
  listColumns: async (db, table) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
    const rows = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
    return rows.rows.map((r) => r.name);
  },
  jsonText: (column, key) => sql<string | null>`json_extract(${sql.ref(column)}, ${`$.${plainKey(key)}`})`,
  jsonMerge: (left, right) => sql`json_patch(${sql.ref(left)}, ${sql.ref(right)})`,
  jsonScalar: (column, path, kind) => {
    const at = jsonPath(path);
    const col = sql.ref(column);
    if (kind === 'boolean') return sql`(case json_type(${col}, ${at}) when 'true' then 'true' when 'false' then 'false' end)`;
    const types = kind === 'number' ? sql`('integer', 'real')` : sql`('text')`;
    return sql`(case when json_type(${col}, ${at}) in ${types} then json_extract(${col}, ${at}) end)`;
  },
  jsonHas: (column, path) => sql<boolean>`(coalesce(json_type(${sql.ref(column)}, ${jsonPath(path)}), 'null') <> 'null')`,
  jsonArrayContains: (column, path, value) => {
    const at = jsonPath(path);
    return sql<boolean>`(json_type(${sql.ref(column)}, ${at}) = 'array' and exists (select 1 from json_each(${sql.ref(column)}, ${at}) as je where je.value = ${value}))`;
  },
  eventsOfProfile: (alias) => sql`events as ${sql.id(alias)} indexed by events_profile_time`,
  overwritingDeletes: async (tx, fn) => {
    // Off by default: the freed cells of deleted and rewritten rows keep their bytes in the file.
    // Switching it on for everything would zero every page ingest frees as well; erasure is rare.
    const before = (await sql<{ secure_delete: number }>`pragma secure_delete`.execute(tx)).rows[0]?.secure_delete ?? 0;
    await sql`pragma secure_delete = on`.execute(tx);
    try {
      return await fn();
    } finally {
      await sql.raw(`pragma secure_delete = ${before === 1 ? 'on' : before === 2 ? 'fast' : 'off'}`).execute(tx);
    }
  },
  listTables: async (db) => {
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(db);
    return rows.rows.map((r) => r.name);
  },
};

/** Whether a filename names a database file other connections can open (not `:memory:` or a temporary database). */
export function isSharedFile(filename: string): boolean {
  return filename !== ':memory:' && filename !== '';
}

/**
 * Opens (creating if needed) a SQLite database file in WAL mode.
 * `synchronous=NORMAL` in WAL mode loses no committed transaction when the process is
 * killed; only an operating-system crash or power loss can drop the last commits
 * (set `TAILOR_SQLITE_SYNCHRONOUS=FULL` to pay for that too — see README "Configuration").
 * `checkpoint` says who copies the WAL back into the database file: a background thread
 * started here (the default for a file), the writers' own auto-checkpoint (`inline`, and
 * always for `:memory:`), or a connection opened earlier in this process (`elsewhere`: one
 * more connection, such as a worker thread's, keeps only the large backstop).
 *
 * @example
 * const { db } = openSqlite({ filename: ':memory:' });
 */
export function openSqlite(options: { filename: string; synchronous?: 'NORMAL' | 'FULL'; checkpoint?: 'background' | 'inline' | 'elsewhere' }): { db: Kysely<Database>; raw: SQLite.Database; checkpointer: Checkpointer | null } {
  const raw = new SQLite(options.filename);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  raw.pragma('busy_timeout = 10000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('cache_size = -65536');
  raw.pragma('temp_store = MEMORY');
  // A file database is checkpointed by a background thread (sqlite-checkpointer.ts); the
  // writer's own auto-checkpoint stays as a backstop at ~256 MB of WAL. Without the thread,
  // checkpoint every ~16 MB instead of SQLite's default 4 MB: fewer stalls inside commits.
  const mode = isSharedFile(options.filename) ? options.checkpoint ?? 'background' : 'inline';
  raw.pragma(`wal_autocheckpoint = ${mode === 'inline' ? 4_000 : 65_536}`);
  const checkpointer = mode === 'background' ? startCheckpointer({ filename: options.filename, intervalMs: 100, log: (m) => console.error(m) }) : null;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, raw, checkpointer };
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing a multi-row insert costs as
 * much as running it. Statements are reusable in better-sqlite3, so keep the most recently
 * used ones by SQL text (the SQL text of a given statement shape never changes), up to
 * 200 statements of at most 64 KB of SQL each (hot paths use a few fixed row counts per
 * statement, `chunkRowsInShapes`, so their multi-row statements are reused too).
 */
function withStatementCache(raw: SQLite.Database, max = 200, maxSqlLength = 65_536): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string) => {
    let stmt = cache.get(source);
    if (stmt !== undefined) {
      cache.delete(source);
      cache.set(source, stmt);
      return stmt;
    }
    stmt = raw.prepare(source);
    // Very long statements (inserts of hundreds of rows) vary in shape and hold large
    // programs: caching them costs more memory than re-preparing costs time.
    if (source.length > maxSqlLength) return stmt;
    cache.set(source, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return stmt;
  };
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A JSON key safe to put in a path: letters, digits and underscores. */
/** An SQLite JSON path (`$."a"."b"`) from keys; the path is a bound parameter. */
function jsonPath(path: readonly string[]): string {
  return `$${path.map((k) => `."${safeKey(k)}"`).join('')}`;
}

function safeKey(key: string): string {
  if (key === '' || /["\\]/.test(key)) throw new Error(`not a usable JSON key: ${JSON.stringify(key)}`);
  return key;
}

function plainKey(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a plain JSON key: ${key}`);
  return key;
}
