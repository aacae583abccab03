import pg from 'pg';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import type { DialectFeatures } from './features.js';

export const postgresFeatures: DialectFeatures = {
  name: 'postgres',
  jsonType: 'jsonb',
  bigIntType: 'bigint',
  floatType: 'double precision',
  maxParameters: 65_000,
  lock: async (tx, key) => {
    // hashtext gives a stable 32-bit key; the lock ends with the transaction.
    await sql`select pg_advisory_xact_lock(hashtext(${`tailor:${key}`}))`.execute(tx);
  },
  listColumns: async (db, table) => {
    const rows = await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
    return rows.rows.map((r) => r.name);
  },
  jsonText: (column, key) => sql<string | null>`${sql.ref(column)}->>${plainKey(key)}`,
  jsonMerge: (left, right) => sql`${sql.ref(left)} || ${sql.ref(right)}`,
  jsonScalar: (column, path, kind) => {
    const at = jsonAt(column, path);
    if (kind === 'number') return sql`(case when jsonb_typeof(${at}) = 'number' then (${at} #>> '{}')::double precision end)`;
    return sql`(case when jsonb_typeof(${at}) = ${kind === 'boolean' ? 'boolean' : 'string'} then ${at} #>> '{}' end)`;
  },
  jsonHas: (column, path) => sql<boolean>`(coalesce(jsonb_typeof(${jsonAt(column, path)}), 'null') <> 'null')`,
  jsonArrayContains: (column, path, value) => {
    const at = jsonAt(column, path);
    const element = typeof value === 'number' ? sql`to_jsonb(${value}::double precision)` : sql`to_jsonb(${value}::text)`;
    return sql<boolean>`(jsonb_typeof(${at}) = 'array' and ${at} @> jsonb_build_array(${element}))`;
  },
  eventsOfProfile: (alias) => sql`events as ${sql.id(alias)}`,
  // Deleted and updated rows stay as dead tuples until (auto)VACUUM reclaims them.
  overwritingDeletes: (_tx, fn) => fn(),
  listTables: async (db) => {
    const rows = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(db);
    return rows.rows.map((r) => r.name);
  },
};

// int8 (bigint, count(*)) and numeric come back as strings by default; our values fit
// in a double (milliseconds, counters, amounts), so parse them as numbers on this pool only.
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Opens a PostgreSQL pool. When `schema` is given, every connection works in that schema
 * (created if missing), which lets test runs and workspaces of tests never collide.
 *
 * @example
 * const { db } = await openPostgres({ connectionString: 'postgres://root@127.0.0.1:5432/test', schema: 'tailor_test_1' });
 */
export async function openPostgres(options: { connectionString: string; schema?: string; maxConnections?: number }): Promise<{ db: Kysely<Database>; pool: pg.Pool }> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`PostgreSQL schema name "${options.schema}" must match [a-z_][a-z0-9_]*`);
  }
  if (options.schema !== undefined) {
    const admin = new pg.Client({ connectionString: options.connectionString });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${options.schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    types: typeParsers,
    ...(options.schema === undefined ? {} : { options: `-c search_path="${options.schema}"` }),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

/** A JSON key safe to put in a path: letters, digits and underscores. */
/** `column->key->key…`, each key a bound parameter. */
function jsonAt(column: string, path: readonly string[]): RawBuilder<unknown> {
  return path.reduce<RawBuilder<unknown>>((at, key) => {
    if (key === '' || /["\\]/.test(key)) throw new Error(`not a usable JSON key: ${JSON.stringify(key)}`);
    return sql`(${at}->${key}::text)`;
  }, sql`${sql.ref(column)}`);
}

function plainKey(key: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not a plain JSON key: ${key}`);
  return key;
}
