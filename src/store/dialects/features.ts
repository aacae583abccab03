import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../schema.js';

/**
 * What differs between the engines, in one small typed object (STYLE.md "Storage").
 * Code asks for a capability; it never branches on the engine's name.
 */
export interface DialectFeatures {
  /** Engine name, for messages and benchmark labels only. */
  readonly name: 'sqlite' | 'postgres';
  /** Column type for JSON documents in migrations. */
  readonly jsonType: 'text' | 'jsonb';
  /** Column type for integer milliseconds and counters. */
  readonly bigIntType: 'integer' | 'bigint';
  /** Column type for floating-point amounts. */
  readonly floatType: 'real' | 'double precision';
  /** Most parameters one statement may carry (SQLite's default limit is 32,766; PostgreSQL's 65,535). */
  readonly maxParameters: number;
  /**
   * Serializes, inside a transaction, the writers that name the same key (a workspace's
   * identity graph, its audit chain). PostgreSQL: a transaction-scoped advisory lock.
   * SQLite: writers are already serialized by BEGIN IMMEDIATE.
   */
  lock(tx: Kysely<Database>, key: string): Promise<void>;
  /** Column names of a table. */
  listColumns(db: Kysely<Database>, table: string): Promise<string[]>;
  /**
   * The text value of a top-level key of a JSON column (null when absent), computed by the
   * database so that callers needing one field need not fetch and parse the whole document.
   * `key` must be a plain identifier.
   */
  jsonText(column: string, key: string): RawBuilder<string | null>;
  /**
   * A JSON object with the keys of `right` set on `left` (a shallow merge; SQLite's
   * json_patch drops keys whose new value is null, which readers see as null). Both are
   * column references such as `computed_traits.traits` and `excluded.traits`.
   */
  jsonMerge(left: string, right: string): RawBuilder<unknown>;
  /**
   * The value at a path of keys inside a JSON column as a scalar of one kind, null when absent
   * or of another JSON type: `number` as a number, `text` as text, `boolean` as the text
   * 'true'/'false' (so that callers compare it the same way on both engines). Keys travel as
   * parameters; they may not contain `"` or `\`.
   */
  jsonScalar(column: string, path: readonly string[], kind: 'text' | 'number' | 'boolean'): RawBuilder<unknown>;
  /** Whether a JSON column has a non-null value at the path. */
  jsonHas(column: string, path: readonly string[]): RawBuilder<boolean>;
  /** Whether the value at the path of a JSON column is an array holding `value`. */
  jsonArrayContains(column: string, path: readonly string[], value: string | number): RawBuilder<boolean>;
  /**
   * `events` under an alias, read through index `events_profile_time`: for correlated lookups
   * of one person's events, which SQLite's planner (without statistics) would otherwise
   * answer from the event-name index, scanning every event of that name.
   */
  eventsOfProfile(alias: string): RawBuilder<unknown>;
  /**
   * Runs `fn` (inside transaction `tx`) with deleted content overwritten rather than only
   * unlinked, for erasure. SQLite: `secure_delete` switched on for this connection and put back
   * as it was afterwards (it is per connection). PostgreSQL has no such mode (dead tuples stay
   * until VACUUM): `fn` runs as it is.
   */
  overwritingDeletes<T>(tx: Kysely<Database>, fn: () => Promise<T>): Promise<T>;
  /** Names of the tables in the current schema (for the generic erasure check and diagnostics). */
  listTables(db: Kysely<Database>): Promise<string[]>;
}
