import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createKeySchema, createWorkspaceSchema, jurisdictionSchema } from '../contracts/workspace.js';
import { MAX_CONFLICTS } from '../profiles/profile-service.js';
import { parseCalibrationEnd, PURCHASE_MODEL_KIND } from '../predict/predict-service.js';
import { MAPPING_PRESETS, orderCsvMappingSchema, type OrderCsvMapping } from '../imports/order-rows.js';
import { describeIssues } from '../contracts/segment.js';
import { VERSION } from '../main.js';
import { ConfigError } from '../shared/errors.js';
import { output, pickWorkspace, withTailor, type GlobalOptions, loadConfig } from './context.js';
import { fileSource } from './file-source.js';
import { formatSummary, importCatalogFile, importEventsJsonl, importOrdersCsv } from './importers.js';
import { closeOnSignals, startServer } from './serve.js';
import { answerMetricsRequests, clusterScrape } from './cluster-metrics.js';
import { startScheduler } from './scheduler.js';
import { numberIn, wholeNumber } from './options.js';
import { reportListening, runWorkers, workerIndex } from './workers.js';
import { createProgress } from './progress.js';
import { CLUSTER_MODEL_KIND } from '../segments/segment-service.js';
import { createTailor } from '../main.js';
import { runDemo } from './demo.js';
import { registerSegmentCommands } from './segment-commands.js';
import { registerRecommendCommands } from './recommend-commands.js';
import { openStore } from '../store/store.js';
import { openApiDocument } from '../server/app.js';
import { exportDocumentJsonSchema } from '../privacy/export-schema.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0–65535');
  return n;
};

function mappingFrom(value: string): OrderCsvMapping {
  const preset = MAPPING_PRESETS[value];
  if (preset !== undefined) return preset;
  if (!existsSync(value)) throw new ConfigError(`--mapping ${value}: neither a preset (${Object.keys(MAPPING_PRESETS).join(', ')}) nor a JSON file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(value, 'utf8'));
  } catch (error) {
    throw new ConfigError(`--mapping ${value}: not valid JSON (${(error as Error).message})`);
  }
  const r = orderCsvMappingSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(`--mapping ${value}: ${describeIssues(r.error)}`);
  return r.data;
}

/** The `tailor` command line. */
export function buildProgram(): Command {
  const program = new Command('tailor')
    // Usage errors (an unknown option, a bad value) are thrown to `run`, which exits 2 for them as for other bad input.
    .exitOverride()
    .description('Tailor: self-hostable personalized marketing — Segment-compatible ingest, one profile per person, and more.')
    .version(VERSION)
    .option('--config <file>', 'JSON config file (default: ./tailor.config.json when present)')
    .option('--db <file>', 'SQLite database file (default: tailor.db; env TAILOR_DB)')
    .option('--database-url <url>', 'PostgreSQL connection string (env DATABASE_URL); overrides --db')
    .option('--workspace <id>', 'workspace to work on (default: the only one)')
    .option('--json', 'print one JSON document on stdout')
    .option('--quiet', 'no progress bars');
  const globals = () => program.opts<GlobalOptions>();

  program.command('init')
    .description('create the database (if needed), a workspace, a write key and an admin key')
    .option('--name <name>', 'workspace name', 'My shop')
    .addOption(new Option('--jurisdiction <code>', 'where the workspace operates; sets consent defaults').choices(jurisdictionSchema.options).default('OTHER'))
    .action(async (o: { name: string; jurisdiction: 'CN' | 'EU' | 'UK' | 'US' | 'OTHER' }) => {
      // The API's rules for a workspace (a name of 1–200 characters once trimmed).
      const input = createWorkspaceSchema.safeParse({ name: o.name, jurisdiction: o.jurisdiction });
      if (!input.success) throw new ConfigError(`--name: ${describeIssues(input.error).replace(/^name: /, '')}`);
      await withTailor(globals(), async (tailor) => {
        const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: input.data.name, jurisdiction: o.jurisdiction });
        output(globals(), { workspaceId: workspace.id, name: workspace.name, jurisdiction: workspace.jurisdiction, writeKey: keys.write, adminKey: keys.admin, database: tailor.store.features.name },
          () => [
            `Created workspace "${workspace.name}" (${workspace.id}) on ${tailor.store.features.name}.`,
            `  write key: ${keys.write}   (ingest only; safe in a browser)`,
            `  admin key: ${keys.admin}   (everything else; keep it secret)`,
            'The keys are shown only now; they are stored hashed.',
          ].join('\n'));
      });
    });

  program.command('serve')
    .description('run the HTTP API')
    .option('--host <host>', 'address to listen on (env TAILOR_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port (env TAILOR_PORT; default 8700)', port)
    .option('--workers <n>', 'processes sharing the port, e.g. one per core (default 1)', wholeNumber(1, 64), 1)
    .action(async (o: { host?: string; port?: number; workers: number }) => {
      const config = loadConfig(globals(), { server: { host: o.host, port: o.port } });
      const worker = workerIndex();
      if (o.workers > 1 && worker === null) {
        // The primary brings the schema up to date once, then forks the workers.
        const tailor = await createTailor(config);
        const database = tailor.store.features.name;
        await tailor.close();
        answerMetricsRequests();
        const { url } = await runWorkers({ workers: o.workers, log: (m) => console.error(m) });
        output(globals(), { url, database, workers: o.workers }, () => `Tailor ${VERSION} listening on ${url} (${database}) with ${o.workers} workers; OpenAPI at ${url}/openapi.json`);
        return;
      }
      // Recommendation logs are written off the serving thread (SQLite: a commit blocks the thread that runs it).
      // In a cluster, `GET /metrics` answers with every worker's metrics, summed by the primary.
      const tailor = await createTailor(config, { logWriterThread: true, ...(worker === null ? {} : { metricsScrape: (own) => clusterScrape(own.registry) }) });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(tailor, config.server);
      } catch (error) {
        // Not listening (a port in use…): close the store and the log thread, or the process would stay up serving nothing.
        await tailor.close();
        throw error;
      }
      // In a cluster, the scheduled jobs run in worker 1 only.
      const scheduler = worker === null || worker === 1 ? startScheduler(tailor, (m) => console.error(m)) : { stop: () => {} };
      closeOnSignals(async () => { scheduler.stop(); await server.close(); });
      if (worker !== null) {
        reportListening(server.url);
        return;
      }
      output(globals(), { url: server.url, database: tailor.store.features.name }, () => `Tailor ${VERSION} listening on ${server.url} (${tailor.store.features.name}); OpenAPI at ${server.url}/openapi.json`);
    });

  const imp = program.command('import').description('import events, orders or catalog items from files (resumable)');
  imp.command('events <file>')
    .description('Segment messages, one JSON object per line (.jsonl, optionally gzipped)')
    .option('--restart', 'start over instead of resuming an unfinished import of the same file')
    .action(async (file: string, o: { restart?: boolean }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const s = await importEventsJsonl({ tailor, workspace, source: await fileSource(file), restart: o.restart === true, quiet: globals().quiet === true || globals().json === true });
        output(globals(), s, () => formatSummary(s));
      });
    });
  imp.command('orders <file>')
    .description('historical orders from CSV, one row per order line (optionally gzipped)')
    .option('--mapping <preset|file>', `column mapping: a preset (${Object.keys(MAPPING_PRESETS).join(', ')}) or a JSON file`, 'online-retail')
    .addOption(new Option('--guests <mode>', 'rows without a customer id').choices(['skip', 'import']).default('skip'))
    .option('--no-catalog', 'do not create catalog items from the order lines')
    .option('--restart', 'start over instead of resuming an unfinished import of the same file')
    .action(async (file: string, o: { mapping: string; guests: 'skip' | 'import'; catalog: boolean; restart?: boolean }) => {
      const mapping = mappingFrom(o.mapping);
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const s = await importOrdersCsv({
          tailor, workspace, source: await fileSource(file), mapping, sourceName: MAPPING_PRESETS[o.mapping] === undefined ? 'orders' : o.mapping,
          guests: o.guests, catalog: o.catalog, restart: o.restart === true, quiet: globals().quiet === true || globals().json === true,
        });
        output(globals(), s, () => formatSummary(s));
      });
    });
  imp.command('catalog <file>')
    .description('catalog items from CSV (id,name,category,brand,price,currency,tags separated by |,attributes as a JSON object,url,image,in_stock,created_at) or JSONL')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'jsonl']))
    .option('--restart', 'start over instead of resuming an unfinished import of the same file')
    .action(async (file: string, o: { format?: 'csv' | 'jsonl'; restart?: boolean }) => {
      const format = o.format ?? (/\.jsonl?(\.gz)?$/i.test(file) ? 'jsonl' : 'csv');
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const s = await importCatalogFile({ tailor, workspace, source: await fileSource(file), format, restart: o.restart === true, quiet: globals().quiet === true || globals().json === true });
        output(globals(), s, () => formatSummary(s));
      });
    });

  program.command('compute')
    .description('recompute every computed trait (commerce, RFM, lifecycle, engagement…) of every profile of the workspace')
    .option('--workers <n>', 'worker threads that compute pages of profiles in parallel (default: one per core; 0: in this thread)', wholeNumber(0, 64))
    .action(async (o: { workers?: number }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const total = await tailor.profiles.count(workspace.id);
        const quiet = globals().quiet === true || globals().json === true;
        let bar = createProgress({ label: 'population', total, quiet });
        let phase = 'population';
        const summary = await tailor.compute.computeWorkspace(workspace, {
          ...(o.workers === undefined ? {} : { workers: o.workers }),
          onProgress: (p) => {
            if (p.phase !== phase) {
              bar.stop();
              phase = p.phase;
              bar = createProgress({ label: 'traits    ', total, quiet });
            }
            bar.update(p.done, { rows: p.done });
          },
        });
        bar.stop();
        output(globals(), summary, () => [
          `Computed traits of ${summary.profiles} profiles in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.workers === 0 ? 'in one thread' : `${summary.workers} worker threads`}).`,
          `  RFM population (people with a counted order, profiling allowed): ${summary.rfmPopulation}`,
          `  profiling refused by policy (only non-profiling traits kept): ${summary.profilingSkipped}`,
          `  population median purchase interval: ${summary.populationMedianIntervalDays === null ? 'n/a' : `${summary.populationMedianIntervalDays} days`}`,
        ].join('\n'));
      });
    });

  program.command('predict')
    .description('fit the purchase (BG/NBD) and spend (Gamma-Gamma) models and write each customer\'s predictions: P(alive), expected purchases, CLV, churn risk, value tier, replenishment dates')
    .option('--calibration-end <date>', 'use orders up to this date (ISO 8601; default now)')
    .option('--unit <unit>', 'time unit of the purchase model: day or week', 'week')
    .option('--horizon-days <n>', 'CLV horizon in days (1–3,650)', wholeNumber(1, 3650), 365)
    .option('--discount-rate <r>', 'yearly discount rate of the CLV (0 ≤ r < 10)', numberIn(0, 10, { maxExclusive: true }), 0.1)
    .action(async (o: { calibrationEnd?: string; unit: string; horizonDays: number; discountRate: number }) => {
      if (o.unit !== 'day' && o.unit !== 'week') throw new ConfigError(`--unit must be day or week, got ${o.unit}`);
      const unit: 'day' | 'week' = o.unit;
      const parsedEnd = o.calibrationEnd === undefined ? undefined : parseCalibrationEnd(o.calibrationEnd);
      if (parsedEnd !== undefined && !parsedEnd.ok) throw new ConfigError(`--calibration-end: ${parsedEnd.error.message}`);
      const calibrationEnd = parsedEnd?.value;
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const total = await tailor.profiles.count(workspace.id);
        const quiet = globals().quiet === true || globals().json === true;
        let phase = 'summaries';
        let bar = createProgress({ label: 'summaries  ', total, quiet });
        const r = await tailor.predict.predictWorkspace(workspace, {
          ...(calibrationEnd === undefined ? {} : { calibrationEnd }), unit, horizonDays: o.horizonDays, annualDiscountRate: o.discountRate,
          onProgress: (p) => {
            if (p.phase !== phase) { bar.stop(); phase = p.phase; bar = createProgress({ label: 'predictions', total, quiet }); }
            bar.update(p.done, { rows: p.done });
          },
        });
        bar.stop();
        if (!r.ok) throw new ConfigError(r.error.message);
        const s = r.value;
        const f = (v: number) => v.toPrecision(4);
        output(globals(), s, () => [
          `Model ${PURCHASE_MODEL_KIND} v${s.version} (${s.modelId}), calibration to ${s.calibrationEnd}, unit ${s.unit}, in ${(s.durationMs / 1000).toFixed(1)} s.`,
          `  customers ${s.customers} (repeat ${s.repeatCustomers}); profiling refused by policy: ${s.profilingSkipped}`,
          `  BG/NBD r=${f(s.purchaseModel.params.r)} α=${f(s.purchaseModel.params.alpha)} a=${f(s.purchaseModel.params.a)} b=${f(s.purchaseModel.params.b)}  log-likelihood ${s.purchaseModel.logLikelihood.toFixed(1)}  ${s.purchaseModel.converged ? 'converged' : 'NOT converged'} in ${s.purchaseModel.iterations} iterations`,
          s.spendModel === null ? '  Gamma-Gamma: not fitted (too few repeat customers): no CLV, no value tiers'
            : `  Gamma-Gamma p=${f(s.spendModel.params.p)} q=${f(s.spendModel.params.q)} γ=${f(s.spendModel.params.gamma)}  log-likelihood ${s.spendModel.logLikelihood.toFixed(1)}  ${s.spendModel.converged ? 'converged' : 'NOT converged'}`,
          `  CLV over ${s.horizonDays} days at ${(s.annualDiscountRate * 100).toFixed(1)}% a year; repeat-bought products with a replenishment interval: ${s.replenishableProducts}`,
          `  predictions written ${s.predictionsWritten}, earlier ones removed ${s.predictionsRemoved}`,
        ].join('\n'));
      });
    });

  /** A clustering run in two lines (its centres and statistics are long; `tailor segments clusters ID` shows it all). */
  const clusteringLines = (id: string, params: Record<string, unknown>) => {
    const m = params as { k?: number; people?: number; silhouettes?: Array<{ k: number; silhouette: number }>; clusters?: Array<{ number: number; share: number; description: string }> };
    const chosen = m.silhouettes?.find((x) => x.k === m.k)?.silhouette;
    return [
      `  k=${m.k ?? '?'} over ${m.people ?? '?'} customers, silhouette ${chosen ?? '?'}; details: tailor segments clusters ${id}`,
      `  ${(m.clusters ?? []).map((c) => `${c.number}: ${(c.share * 100).toFixed(0)}% ${c.description}`).join(' | ')}`,
    ];
  };
  const models = program.command('models').description('trained models');
  models.command('show')
    .description('stored model versions, newest first, with parameters and fit statistics')
    .option('--kind <kind>', `only this kind (e.g. ${PURCHASE_MODEL_KIND})`)
    .action(async (o: { kind?: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const list = await tailor.predict.models(workspace.id, o.kind);
        output(globals(), { models: list }, () => (list.length === 0 ? 'No models yet: run `tailor predict`.' : list.map((m) => [
          `${m.kind} v${m.version} ${m.status}  ${new Date(m.createdAt).toISOString()}  data ${m.dataFrom === null ? '?' : new Date(m.dataFrom).toISOString().slice(0, 10)} … ${m.dataTo === null ? '?' : new Date(m.dataTo).toISOString().slice(0, 10)}`,
          ...(m.kind === CLUSTER_MODEL_KIND ? clusteringLines(m.id, m.params) : [`  params ${JSON.stringify(m.params)}`, `  stats  ${JSON.stringify(m.stats)}`]),
        ].join('\n')).join('\n')));
      });
    });

  registerSegmentCommands(program, globals);
  registerRecommendCommands(program, globals);

  const profiles = program.command('profiles').description('look at profiles');
  profiles.command('show <ref>')
    .description('a profile by any identifier: user_id:42, email:ann@example.com, anonymous_id:…, profile_id:… or a bare user id')
    .option('--events <n>', 'recent events to show (0–200)', wholeNumber(0, 200), 10)
    .action(async (ref: string, o: { events: number }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.profiles.get(workspace.id, ref, { events: o.events });
        if (!r.ok) throw new ConfigError(r.error.type === 'profile_not_found' ? `no profile matches ${ref}` : r.error.message);
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'profile.read', subject: r.value.profile.id, details: { via: 'tailor profiles show' } });
        output(globals(), r.value, () => formatProfile(r.value));
      });
    });
  profiles.command('list')
    .description('profiles, most recently seen first')
    .option('--q <prefix>', 'only those with an identifier starting with this')
    .option('--limit <n>', 'how many (1–200)', wholeNumber(1, 200), 20)
    .option('--cursor <cursor>', 'the page after the one that returned this nextCursor')
    .action(async (o: { q?: string; limit: number; cursor?: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.profiles.list(workspace.id, { q: o.q, limit: o.limit, cursor: o.cursor });
        if (!r.ok) throw new ConfigError(r.error.message);
        // `total` counts what the query matches, not the whole workspace.
        const total = await tailor.profiles.count(workspace.id, o.q);
        const what = o.q === undefined || o.q.trim() === '' ? 'profiles' : `profiles with an identifier starting with "${o.q.trim()}"`;
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'profiles.listed', subject: 'profiles', details: { via: 'tailor profiles list', search: (o.q ?? '').trim() !== '', count: r.value.profiles.length, profileIds: r.value.profiles.map((p) => p.id) } });
        output(globals(), { total, ...r.value }, () => [
          `${total} ${what}; showing ${r.value.profiles.length}:`, ...r.value.profiles.map((p) => `  ${p.id}  last seen ${new Date(p.lastSeenAt).toISOString()}`),
          ...(r.value.nextCursor === null ? [] : [`(next page: --cursor ${r.value.nextCursor})`]),
        ].join('\n'));
      });
    });

  const keys = program.command('keys').description('manage API keys');
  keys.command('list').action(async () => {
    await withTailor(globals(), async (tailor) => {
      const workspace = await pickWorkspace(tailor, globals().workspace);
      const list = await tailor.workspaces.listKeys(workspace.id);
      output(globals(), { keys: list }, () => list.map((k) => `${k.id}  ${k.kind.padEnd(5)}  ${k.prefix}…  ${k.name}${k.revokedAt === null ? '' : '  (revoked)'}`).join('\n'));
    });
  });
  keys.command('create')
    .addOption(new Option('--kind <kind>', 'write (ingest only) or admin').choices(['write', 'admin']).makeOptionMandatory())
    .option('--name <name>', 'a label', 'unnamed')
    .action(async (o: { kind: 'write' | 'admin'; name: string }) => {
      const input = createKeySchema.safeParse({ kind: o.kind, name: o.name });
      if (!input.success) throw new ConfigError(describeIssues(input.error).replace(/^name: /, '--name: '));
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const { key, record } = await tailor.workspaces.createKey(workspace.id, o.kind, input.data.name);
        // As POST /v1/keys records it: the id and kind, never the secret.
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'key.created', subject: `key:${record.id}`, details: { kind: record.kind } });
        output(globals(), { key, id: record.id, kind: record.kind }, () => `${record.kind} key ${record.id}: ${key}\n(shown only now)`);
      });
    });
  keys.command('revoke <keyId>').action(async (keyId: string) => {
    await withTailor(globals(), async (tailor) => {
      const workspace = await pickWorkspace(tailor, globals().workspace);
      const r = await tailor.workspaces.revokeKey(workspace.id, keyId);
      if (!r.ok) throw new ConfigError(`no active key ${keyId} in this workspace`);
      await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'key.revoked', subject: `key:${keyId}`, details: {} });
      output(globals(), { revoked: keyId }, () => `revoked ${keyId}`);
    });
  });

  const privacy = program.command('privacy').description('rights of the people in your data: export and erasure (PRIVACY.md P13, P14)');
  privacy.command('export <ref>')
    .description('everything held about a person, as one JSON document')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (ref: string, o: { out?: string }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.exporter.export(workspace, ref, 'cli');
        if (!r.ok) throw new ConfigError(r.error.type === 'profile_not_found' ? `no profile matches ${ref}` : r.error.message);
        const text = `${JSON.stringify(r.value, null, 2)}\n`;
        if (o.out === undefined) process.stdout.write(text);
        else {
          writeFileSync(o.out, text, { mode: 0o600 });
          output(globals(), { written: o.out, events: r.value.events.length }, () => `wrote ${o.out} (${r.value.events.length} events, ${r.value.orders.length} orders)`);
        }
      });
    });
  privacy.command('schema')
    .description('print the JSON Schema of the export document (generated from its zod schema)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(exportDocumentJsonSchema(), null, 2)}\n`);
    });
  privacy.command('erase <ref>')
    .description('delete the person everywhere and suppress their identifiers; prints the completion report')
    .action(async (ref: string) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.erasure.erase(workspace, ref, 'cli');
        if (!r.ok) throw new ConfigError(r.error.type === 'profile_not_found' ? `no profile matches ${ref}` : r.error.message);
        let report = r.value;
        if (report.othersScrubbed.status === 'running') {
          // The search of other people's rows goes on here, with progress, until it ends.
          const total = await tailor.erasure.rowsToSearch(workspace.id);
          const progress = createProgress({ label: 'searching others', total, quiet: globals().quiet === true || globals().json === true });
          tailor.erasure.onScrubStep((job) => { if (job.reportId === report.reportId) progress.update(Math.min(job.scanned, total), { rows: job.scanned }); });
          const outcome = await tailor.erasure.outcome(report.reportId);
          progress.stop();
          if (outcome === null) throw new Error(`the search of other people's rows for report ${report.reportId} did not finish here (another process holds it, or it failed: see above); \`tailor serve\` takes it up`);
          report = { ...report, othersScrubbed: outcome };
        }
        const others = report.othersScrubbed;
        output(globals(), report, () => [
          `erased profile ${report.profileId} (+${report.mergedProfiles} merged), ${report.identifiersSuppressed} identifiers suppressed; report ${report.reportId}`,
          ...Object.entries(report.tables).filter(([, n]) => n > 0).map(([t, n]) => `  ${String(n).padStart(7)}  ${t}`),
          ...(others.status === 'done' ? [`  identifiers removed from ${others.eventsChanged} events and ${others.profilesChanged} profiles of other people (${others.rowsSearched} rows searched)`] : []),
        ].join('\n'));
      });
    });

  const auditCommand = program.command('audit').description('the hash-chained audit log (PRIVACY.md P20)');
  auditCommand.command('verify')
    .description('check the chain; prints its head, which you can keep elsewhere and pass back with --expect')
    .option('--expect <seq:hash>', 'a head recorded earlier (the log may have grown since): also detects removal of the newest entries and a rewritten, re-hashed log')
    .action(async (o: { expect?: string }) => {
      let expected: { seq: number; hash: string } | undefined;
      if (o.expect !== undefined) {
        const m = /^(\d+):([0-9a-f]{64})$/.exec(o.expect);
        if (m === null) throw new ConfigError('--expect: must be <seq>:<64 hex digits>, as printed by a previous verify');
        expected = { seq: Number(m[1]), hash: m[2]! };
      }
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.audit.verify(workspace.id, expected);
        output(globals(), r, () => r.ok ? `audit chain intact: ${r.checked} entries; head ${r.head.seq}:${r.head.hash}${expected === undefined ? '' : `; entry ${expected.seq} still has the recorded hash`}` : `audit chain BROKEN at seq ${r.seq}: ${r.reason} — ${r.message}`);
        if (!r.ok) process.exitCode = 3;
      });
    });
  auditCommand.command('list')
    .option('--after <seq>', 'entries after this sequence number', wholeNumber(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--limit <n>', 'how many (1–1,000)', wholeNumber(1, 1000), 50)
    .action(async (o: { after: number; limit: number }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const entries = await tailor.audit.entries(workspace.id, { afterSeq: o.after, limit: o.limit });
        output(globals(), { entries }, () => entries.map((e) => `${String(e.seq).padStart(6)}  ${new Date(e.at).toISOString()}  ${e.actor.padEnd(24)} ${e.action.padEnd(22)} ${e.subject}`).join('\n'));
      });
    });

  program.command('openapi')
    .description('print the OpenAPI 3.1 document, generated from the request schemas (also served at /openapi.json)')
    .action(async () => {
      const tailor = await createTailor(loadConfig(globals()), { store: await openStore({ engine: 'sqlite', filename: ':memory:' }) });
      try {
        process.stdout.write(`${JSON.stringify(openApiDocument(tailor.app, VERSION), null, 2)}\n`);
      } finally {
        await tailor.close();
      }
    });

  program.command('demo')
    .description('load a bundled excerpt of the Online Retail data set into a demo database, print what was built, and serve it')
    .option('--demo-db <file>', 'SQLite file for the demo', 'tailor-demo.db')
    .option('--port <port>', 'port', port, 8700)
    .option('--host <host>', 'address', '127.0.0.1')
    .option('--no-serve', 'build and print, then exit')
    .action(async (o: { demoDb: string; port: number; host: string; serve: boolean }) => {
      await runDemo({ globals: globals(), dataFile: bundledDemoFile(), ...o });
    });

  return program;
}

/** The demo data shipped with the package. */
export function bundledDemoFile(): string {
  return fileURLToPath(new URL('../../data/online-retail-sample.csv.gz', import.meta.url));
}

/** `tailor profiles show` for people: identifiers, traits, orders, events and computed traits (README "CLI"). */
function formatProfile(v: { profile: { id: string; traits: Record<string, unknown>; firstSeenAt: number; lastSeenAt: number }; identifiers: Array<{ type: string; value: string }>; events: Array<{ type: string; event: string | null; name: string | null; timestamp: number }>; orders: Array<{ orderId: string; kind: string; revenue: number; currency: string; placedAt: number; lines: unknown[] }>; merges: unknown[]; conflicts: Array<{ identifier: { type: string; value: string }; reason: string; recordedAt: number }>; computedTraits: Record<string, unknown> | null }): string {
  const time = (t: unknown) => (typeof t === 'number' ? new Date(t).toISOString() : 'never');
  const computed = (() => {
    if (v.computedTraits === null) return ['  computed traits: none yet'];
    const { computedAt, updatedAt, ...traits } = v.computedTraits;
    return [
      `  computed traits (last recompute ${time(computedAt)}, updated ${time(updatedAt)}):`,
      // Times (`first_seen`, `last_order_at`…) are epoch ms in the JSON; people read dates.
      ...Object.entries(traits).map(([name, value]) => `    ${name}: ${/(_at|_seen)$/.test(name) && typeof value === 'number' ? time(value) : JSON.stringify(value)}`),
    ];
  })();
  const lines = [
    `profile ${v.profile.id}`,
    `  first seen ${new Date(v.profile.firstSeenAt).toISOString()}, last seen ${new Date(v.profile.lastSeenAt).toISOString()}, ${v.merges.length} merges`,
    `  identifiers: ${v.identifiers.map((i) => `${i.type}:${i.value}`).join(', ')}`,
    ...(v.conflicts.length === 0 ? [] : [`  identity conflicts (${v.conflicts.length}${v.conflicts.length >= MAX_CONFLICTS ? ', the latest' : ''}):`, ...v.conflicts.map((c) => `    ${new Date(c.recordedAt).toISOString()}  ${c.identifier.type}:${c.identifier.value} — ${c.reason}`)]),
    `  traits: ${JSON.stringify(v.profile.traits)}`,
    `  orders (${v.orders.length} most recent):`,
    ...v.orders.slice(0, 10).map((o) => `    ${new Date(o.placedAt).toISOString().slice(0, 10)}  ${o.orderId.padEnd(10)} ${o.kind.padEnd(6)} ${o.revenue.toFixed(2).padStart(10)} ${o.currency}  ${o.lines.length} lines`),
    `  recent events:`,
    ...v.events.map((e) => `    ${new Date(e.timestamp).toISOString()}  ${e.type} ${e.event ?? e.name ?? ''}`),
    ...computed,
  ];
  return lines.join('\n');
}

/** Entry point: parses argv, runs the command, turns errors into a message and exit code. */
export async function run(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help or version that was asked for).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof ConfigError) {
      console.error(`tailor: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`tailor: ${(error as Error).message}`);
    if ((error as Error).cause !== undefined) console.error('  cause:', (error as Error).cause);
    process.exitCode = 1;
  } finally {
    // A `serve --workers` worker that failed keeps its channel to the primary open, and with it
    // the process: exit, so that the primary learns it never listened.
    if (process.exitCode !== undefined && process.exitCode !== 0 && workerIndex() !== null) process.exit();
  }
}
