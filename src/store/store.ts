import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import type { DialectFeatures } from './dialects/features.js';
import { isSharedFile, openSqlite, sqliteFeatures } from './dialects/sqlite.js';
import { openPostgres, postgresFeatures } from './dialects/postgres.js';
import { foundation } from './migrations/0001-foundation.js';
import { mergePointerIndex } from './migrations/0002-merge-pointer-index.js';
import { privacy } from './migrations/0003-privacy.js';
import { models } from './migrations/0004-models.js';
import { computedTraits } from './migrations/0005-computed-traits.js';
import { erasureIndexes } from './migrations/0006-erasure-indexes.js';
import { liveProfilesIndex } from './migrations/0007-live-profiles-index.js';
import { predictions } from './migrations/0008-predictions.js';
import { segments } from './migrations/0009-segments.js';
import { clusterAssignments } from './migrations/0010-cluster-assignments.js';
import { recommendations } from './migrations/0011-recommendations.js';
import { segmentChangeSequence } from './migrations/0012-segment-change-sequence.js';
import { erasureScrubs } from './migrations/0013-erasure-scrubs.js';
import { guardianConsent } from './migrations/0014-guardian-consent.js';
import { packedMemberships } from './migrations/0015-packed-memberships.js';

/** An open store: the Kysely database, what its engine can do, and how to close it. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly features: DialectFeatures;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  inTransaction<T>(fn: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * How another thread or process reaches this same database (`openStore(config, { secondary:
   * true })`); null for an in-memory SQLite database, which no other connection can see.
   */
  readonly shareableConfig: StoreConfig | null;
  close(): Promise<void>;
}

export type StoreConfig =
  | { engine: 'sqlite'; filename: string; synchronous?: 'NORMAL' | 'FULL' }
  | { engine: 'postgres'; connectionString: string; schema?: string; maxConnections?: number };

/** The ordered list of migrations; names sort in the order they must run. */
function migrationsFor(features: DialectFeatures): Record<string, Migration> {
  return {
    '0001-foundation': foundation(features),
    '0002-merge-pointer-index': mergePointerIndex(),
    '0003-privacy': privacy(features),
    '0004-models': models(features),
    '0005-computed-traits': computedTraits(features),
    '0006-erasure-indexes': erasureIndexes(),
    '0007-live-profiles-index': liveProfilesIndex(),
    '0008-predictions': predictions(features),
    '0009-segments': segments(features),
    '0010-cluster-assignments': clusterAssignments(),
    '0011-recommendations': recommendations(features),
    '0012-segment-change-sequence': segmentChangeSequence(features),
    '0013-erasure-scrubs': erasureScrubs(features),
    '0014-guardian-consent': guardianConsent(features),
    '0015-packed-memberships': packedMemberships(features),
  };
}

/**
 * Opens the store and brings its schema up to date (migrations run on every start and
 * are a no-op when nothing is pending). `secondary: true` opens one more connection to a
 * store this process has opened already (a worker thread's): no migrations, and on SQLite
 * no background checkpointer of its own (the first opener's checkpoints the shared WAL).
 *
 * @example
 * const store = await openStore({ engine: 'sqlite', filename: ':memory:' });
 * await store.close();
 */
export async function openStore(config: StoreConfig, options: { secondary?: boolean } = {}): Promise<Store> {
  const secondary = options.secondary === true;
  let db: Kysely<Database>;
  let features: DialectFeatures;
  let closeDriver: () => Promise<void>;
  let shareableConfig: StoreConfig | null = config;
  const where = describeDatabase(config);
  if (config.engine === 'sqlite') {
    let opened: ReturnType<typeof openSqlite>;
    try {
      opened = openSqlite({ ...config, checkpoint: secondary ? 'elsewhere' : 'background' });
    } catch (error) {
      throw new Error(`cannot open the SQLite database ${where}: ${(error as Error).message}`, { cause: error });
    }
    if (!isSharedFile(config.filename)) shareableConfig = null;
    db = opened.db;
    features = sqliteFeatures;
    closeDriver = async () => {
      await opened.checkpointer?.stop();
      await db.destroy();
    };
  } else {
    const opened = await openPostgres(config);
    db = opened.db;
    features = postgresFeatures;
    closeDriver = async () => { await db.destroy(); };
  }
  try {
    if (!secondary) await migrate(db, features, config.engine === 'postgres' ? config.schema ?? 'public' : undefined);
  } catch (error) {
    await closeDriver();
    // The first statement is where an unreachable server or a file that is no database shows.
    const cause = (error as Error).cause ?? error;
    const code = (cause as { code?: string }).code;
    if (config.engine === 'postgres' && code !== undefined && CONNECTION_ERRORS.has(code)) {
      throw new Error(`cannot connect to PostgreSQL at ${where}: ${(cause as Error).message || code}`, { cause });
    }
    throw new Error(`${(error as Error).message} (${where})`, { cause });
  }
  return {
    db,
    features,
    inTransaction: features.name === 'sqlite' ? (fn) => sqliteImmediateTransaction(db, fn) : (fn) => db.transaction().execute(fn),
    shareableConfig,
    close: closeDriver,
  };
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: they take the write lock up front, so a
 * second process (an import while the server runs) waits on busy_timeout instead of
 * failing when a read transaction tries to become a write transaction.
 */
async function sqliteImmediateTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
  });
}

/** Driver and server codes that mean "could not connect or log in", not "a migration failed". */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', '28P01', '28000', '3D000']);

/** The database as an error message names it: the SQLite file, or the PostgreSQL server and database without the password. */
function describeDatabase(config: StoreConfig): string {
  if (config.engine === 'sqlite') return config.filename;
  try {
    const url = new URL(config.connectionString);
    return `${url.hostname}${url.port === '' ? '' : `:${url.port}`}${url.pathname}${config.schema === undefined ? '' : ` (schema ${config.schema})`}`;
  } catch {
    return 'the configured URL';
  }
}

async function migrate(db: Kysely<Database>, features: DialectFeatures, schema: string | undefined): Promise<void> {
  const all = migrationsFor(features);
  const provider: MigrationProvider = { getMigrations: async () => all };
  // Kysely looks for its bookkeeping tables in every schema unless told which one is ours.
  const migrator = new Migrator({ db, provider, ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? '(unknown)'} failed on ${features.name}`, { cause: error });
  }
}
