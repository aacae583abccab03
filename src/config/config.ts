import { z } from 'zod';
import { describeIssues } from '../contracts/segment.js';
import { ConfigError } from '../shared/errors.js';

/** Tailor's configuration. Every field is documented in README "Configuration". */
export const configSchema = z.object({
  database: z.object({
    /** PostgreSQL connection string; when absent, the embedded SQLite file is used. */
    url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string').optional(),
    /** PostgreSQL schema to work in (created if missing). */
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must match [a-z_][a-z0-9_]*').optional(),
    sqlitePath: z.string().min(1).default('tailor.db'),
    sqliteSynchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    maxConnections: z.number().int().min(1).max(200).default(10),
  }).strict().default({ sqlitePath: 'tailor.db', sqliteSynchronous: 'NORMAL', maxConnections: 10 }),
  server: z.object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8700),
  }).strict().default({ host: '127.0.0.1', port: 8700 }),
  rateLimits: z.object({
    writePerSecond: z.number().positive().default(1000),
    writeBurst: z.number().int().positive().default(2000),
    adminPerSecond: z.number().positive().default(100),
    adminBurst: z.number().int().positive().default(200),
    /** Recommendation requests (`/v1/recommendations`) per admin key: a serving path, counted apart from administration. */
    recommendPerSecond: z.number().positive().default(5000),
    recommendBurst: z.number().int().positive().default(10000),
  }).strict().default({ writePerSecond: 1000, writeBurst: 2000, adminPerSecond: 100, adminBurst: 200, recommendPerSecond: 5000, recommendBurst: 10000 }),
  recommendations: z.object({
    /** Rows of people's records (interactions, order lines, exposures) serving keeps between requests; 0 reads the store for every request. */
    personCacheRows: z.number().int().min(0).max(100_000_000).default(2_000_000),
  }).strict().default({ personCacheRows: 2_000_000 }),
  metrics: z.object({
    /** Bearer token of `GET /metrics` (Prometheus); absent: the route answers 404. */
    token: z.string().min(16, 'must be at least 16 characters (it guards every workspace\'s traffic figures)').max(200).regex(/^\S+$/, 'must not contain spaces').optional(),
    /** Also expose Node's process metrics (CPU, memory, event-loop delay, garbage collection). */
    process: z.boolean().default(true),
  }).strict().default({ process: true }),
}).strict();
export type Config = z.infer<typeof configSchema>;

/** Environment variables Tailor reads, and the config path each sets. */
export const ENV_VARS: Record<string, { path: [string, string]; type: 'string' | 'number' }> = {
  DATABASE_URL: { path: ['database', 'url'], type: 'string' },
  TAILOR_DB_SCHEMA: { path: ['database', 'schema'], type: 'string' },
  TAILOR_DB: { path: ['database', 'sqlitePath'], type: 'string' },
  TAILOR_SQLITE_SYNCHRONOUS: { path: ['database', 'sqliteSynchronous'], type: 'string' },
  TAILOR_DB_MAX_CONNECTIONS: { path: ['database', 'maxConnections'], type: 'number' },
  TAILOR_HOST: { path: ['server', 'host'], type: 'string' },
  TAILOR_PORT: { path: ['server', 'port'], type: 'number' },
  TAILOR_RATE_LIMIT_WRITE_PER_SECOND: { path: ['rateLimits', 'writePerSecond'], type: 'number' },
  TAILOR_RATE_LIMIT_WRITE_BURST: { path: ['rateLimits', 'writeBurst'], type: 'number' },
  TAILOR_RATE_LIMIT_ADMIN_PER_SECOND: { path: ['rateLimits', 'adminPerSecond'], type: 'number' },
  TAILOR_RATE_LIMIT_ADMIN_BURST: { path: ['rateLimits', 'adminBurst'], type: 'number' },
  TAILOR_RECS_PERSON_CACHE_ROWS: { path: ['recommendations', 'personCacheRows'], type: 'number' },
  TAILOR_RATE_LIMIT_RECOMMEND_PER_SECOND: { path: ['rateLimits', 'recommendPerSecond'], type: 'number' },
  TAILOR_RATE_LIMIT_RECOMMEND_BURST: { path: ['rateLimits', 'recommendBurst'], type: 'number' },
  TAILOR_METRICS_TOKEN: { path: ['metrics', 'token'], type: 'string' },
};

type Layer = Record<string, Record<string, unknown>>;

/**
 * Builds the configuration from layers, later ones winning: defaults, the config file
 * (JSON), the environment, command-line flags. Errors name the source and the setting.
 *
 * @example
 * const config = buildConfig({ file: { server: { port: 9000 } }, env: { DATABASE_URL: 'postgres://…' }, flags: {} });
 */
export function buildConfig(sources: { file?: unknown; fileName?: string | undefined; env: Record<string, string | undefined>; flags: Layer }): Config {
  const fromFile = sources.file ?? {};
  const fileCheck = configSchema.safeParse(fromFile);
  if (!fileCheck.success) throw new ConfigError(`${sources.fileName ?? 'config file'}: ${describeIssues(fileCheck.error)}`);

  const envLayer: Layer = {};
  for (const [name, spec] of Object.entries(ENV_VARS)) {
    const raw = sources.env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (spec.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new ConfigError(`environment variable ${name}: expected a number, got "${raw}"`);
    }
    (envLayer[spec.path[0]] ??= {})[spec.path[1]] = value;
  }
  const envCheck = configSchema.safeParse(envLayer);
  if (!envCheck.success) {
    // Each problem under the name of the variable that set the value.
    const named = envCheck.error.issues.map((issue) => {
      const variable = Object.entries(ENV_VARS).find(([name, spec]) => spec.path[0] === issue.path[0] && spec.path[1] === issue.path[1] && sources.env[name] !== undefined && sources.env[name] !== '')?.[0];
      const at = issue.path.join('.');
      return `${variable === undefined ? 'environment' : `environment variable ${variable}`}: ${at === '' ? '' : `${at}: `}${issue.message}`;
    });
    throw new ConfigError(named.join('; '));
  }

  const merged: Layer = {};
  for (const layer of [fromFile as Layer, envLayer, sources.flags]) {
    for (const [section, values] of Object.entries(layer)) {
      if (values === undefined) continue;
      merged[section] = { ...merged[section], ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) };
    }
  }
  const r = configSchema.safeParse(merged);
  if (!r.success) throw new ConfigError(`command-line flags: ${describeIssues(r.error)}`);
  return r.data;
}
