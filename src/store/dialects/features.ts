import type { Kysely } from 'kysely';
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
  /** Names of the tables in the current schema (for the generic erasure check and diagnostics). */
  listTables(db: Kysely<Database>): Promise<string[]>;
}
