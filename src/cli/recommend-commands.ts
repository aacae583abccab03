import { createReadStream, createWriteStream, openSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Option } from 'commander';
import { MAX_PLACEMENTS, MAX_RECOMMENDATIONS, MAX_SCENES, placementSchema, sceneSchema, STRATEGIES, type Placement, type Strategy } from '../contracts/recommendation.js';
import { describeIssues } from '../contracts/segment.js';
import type { OfflineEvaluation } from '../recommend/offline-evaluation.js';
import type { RecommendationResponse } from '../recommend/recommendation-service.js';
import { ConfigError } from '../shared/errors.js';
import { removeByName, upsertByName } from '../recommend/named-entries.js';
import { output, pickWorkspace, withTailor, type GlobalOptions } from './context.js';
import { readJsonFile } from './json-file.js';
import { csvCell } from '../shared/csv-cell.js';
import { parseIsoDate } from '../shared/iso-date.js';
import { wholeNumber } from './options.js';


/** A served list as people read it: position, item, score, exploration mark, and reasons with their weights. */
export function formatRecommendations(r: RecommendationResponse): string {
  return [
    `${r.placement} (${r.strategies.map((s) => `${s.strategy}×${s.weight}`).join(' + ')}), model v${r.modelVersion ?? '–'}, ${r.personalized ? `personalized (${r.personalization.basis})` : `NOT personalized: ${r.personalization.reasons.map((x) => x.message).join('; ')}`}${r.scenes.length > 0 ? `, scenes: ${r.scenes.join(', ')}` : ''}`,
    `recommendation id ${r.recommendationId}`,
    ...r.items.map((i) => [
      `${String(i.position).padStart(3)}. ${i.itemId.padEnd(12)} ${i.name.slice(0, 48).padEnd(48)} ${i.score.toFixed(3)}${i.exploration ? '  [exploring]' : ''}${i.pinned ? '  [pinned]' : ''}`,
      ...i.reasons.map((x) => `       ${(x.weight * 100).toFixed(0).padStart(3)}%  ${x.message}`),
    ].join('\n')),
  ].join('\n');
}

/** How an output line names a person: the user id of a `user_id:` reference, otherwise the reference as given (`email:ann@x.io`). */
const labelOf = (ref: string) => (ref.startsWith('user_id:') ? ref.slice('user_id:'.length) : ref);

/** The people of a users file: one identifier per line (a user id, or `type:value`), or JSON lines with `userId` / `user`. */
async function* usersOf(path: string): AsyncIterable<{ line: number; ref: string; userId: string }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (text.startsWith('{')) {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        throw new ConfigError(`${path}:${n}: not valid JSON (${(e as Error).message})`);
      }
      const o = v as { userId?: unknown; user?: unknown };
      const userId = typeof o.userId === 'string' || typeof o.userId === 'number' ? String(o.userId) : null;
      const user = typeof o.user === 'string' ? o.user : null;
      if (userId === null && user === null) throw new ConfigError(`${path}:${n}: a JSON line needs "userId" or "user"`);
      yield { line: n, ref: user ?? `user_id:${userId}`, userId: userId ?? labelOf(user!) };
    } else {
      const ref = text.includes(':') ? text : `user_id:${text}`;
      yield { line: n, ref, userId: labelOf(ref) };
    }
  }
}

const bar = (value: number, max: number, width = 24) => '█'.repeat(Math.max(value > 0 ? 1 : 0, Math.round((Math.max(0, value) / Math.max(max, 1e-12)) * width)));

/** An offline evaluation as people read it: per K a table, and NDCG as bars against the popularity baseline. */
export function formatEvaluation(e: OfflineEvaluation & { excludedPeople: number }): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const f = (v: number | null, digits = 4) => (v === null ? '–' : v.toFixed(digits));
  const out = [
    `Temporal split at ${day(e.splitAt)}: trained on ${e.trainInteractions.toLocaleString('en-GB')} interactions before it, tested on ${e.testPeople.toLocaleString('en-GB')} people's purchases of items new to them from then to ${day(e.until)} (${e.testPairs.toLocaleString('en-GB')} person–item pairs); catalog at the split ${e.catalogItems.toLocaleString('en-GB')} items; left out for privacy: ${e.excludedPeople}.`,
  ];
  for (const k of e.ks) {
    const rows = e.rows.filter((r) => r.k === k);
    const baseline = rows.find((r) => r.strategy === 'popularity')?.ndcg ?? 0;
    const best = Math.max(...rows.map((r) => r.ndcg));
    out.push('', `K = ${k}`, `  ${'strategy'.padEnd(16)} ${`Recall@${k}`.padStart(9)} ${`NDCG@${k}`.padStart(8)} ${`MAP@${k}`.padStart(8)} ${'coverage'.padStart(8)} ${'diversity'.padStart(9)}  NDCG (× popularity)`);
    for (const r of rows) {
      out.push(`  ${r.strategy.padEnd(16)} ${f(r.recall).padStart(9)} ${f(r.ndcg).padStart(8)} ${f(r.map).padStart(8)} ${f(r.coverage, 3).padStart(8)} ${f(r.diversity, 3).padStart(9)}  ${bar(r.ndcg, best).padEnd(24)} ${baseline > 0 ? `${(r.ndcg / baseline).toFixed(2)}×` : ''}`);
    }
  }
  out.push('', 'Not in this table: buy_again (repeat purchases are its task), new_arrivals (recency), cold start (people without history are not tested).');
  return out.join('\n');
}

/** `tailor train`, `tailor recommend`, `tailor eval recs`, `tailor placements …`, `tailor scenes …`. */
export function registerRecommendCommands(program: Command, globals: () => GlobalOptions): void {
  program.command('train')
    .description('train the recommendation model on the workspace\'s purchases, cart adds and views (README "Recommendations"); a running server picks it up within 30 s')
    .action(async () => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const quiet = globals().quiet === true || globals().json === true;
        const started = performance.now();
        const summary = await tailor.recommendations.train(workspace, {
          onProgress: (step) => { if (!quiet) process.stderr.write(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${step}\n`); },
        });
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'model.trained', subject: 'recommender', details: { version: summary.version, excludedPeople: summary.excludedPeople } });
        const day = (t: number | null) => (t === null ? '–' : new Date(t).toISOString().slice(0, 10));
        output(globals(), summary, () => (summary.version === null
          ? `Nothing to train on: no purchases, cart adds or views from ${day(summary.window.from)} to ${day(summary.window.to)} (people left out for privacy: ${summary.excludedPeople}).`
          : [
            `Recommendation model v${summary.version} (${summary.modelId}) in ${summary.seconds.toFixed(1)} s.`,
            `  data ${day(summary.dataFrom)} … ${day(summary.dataTo)}: ${summary.stats!.people} people, ${summary.stats!.orders} orders, ${summary.stats!.interactions.purchase} purchase lines, ${summary.stats!.interactions.add_to_cart} cart adds, ${summary.stats!.interactions.view} views`,
            `  ${summary.stats!.items} items (catalog ${summary.catalogItems}); people the personal model did not learn from (profiling refused, PRIVACY.md P5): ${summary.excludedPeople}`,
            ...(summary.stats!.popularity === undefined ? [] : [`  popularity counted ${summary.stats!.popularity.interactions} interactions of ${summary.stats!.popularity.people} people (an aggregate, not profiling)`]),
          ].join('\n')));
      });
    });

  program.command('eval')
    .description('offline evaluation')
    .command('recs')
    .description('every recommendation strategy against the popularity baseline on this workspace\'s data: temporal split, items new to each person; Recall, NDCG, MAP, coverage, diversity')
    .option('--split-at <date>', 'train before this date, test after it (ISO 8601; default: 90 days before the latest interaction)')
    .option('--k <list>', 'cut-offs, comma-separated', '10,20')
    .action(async (o: { splitAt?: string; k: string }) => {
      const splitAt = o.splitAt === undefined ? undefined : parseIsoDate(o.splitAt.trim()) ?? Number.NaN;
      if (splitAt !== undefined && Number.isNaN(splitAt)) throw new ConfigError(`--split-at must be an ISO 8601 date or time (2011-09-01 or 2011-09-01T00:00:00Z), got ${JSON.stringify(o.splitAt)}`);
      const ks = o.k.split(',').map((v) => Number(v.trim()));
      if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > MAX_RECOMMENDATIONS)) throw new ConfigError(`--k takes whole numbers 1–${MAX_RECOMMENDATIONS} separated by commas, got ${o.k}`);
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const quiet = globals().quiet === true || globals().json === true;
        const started = performance.now();
        let result;
        try {
          result = await tailor.recommendations.evaluate(workspace, {
            ...(splitAt === undefined ? {} : { splitAt }), ks,
            onProgress: (step) => { if (!quiet && !step.startsWith('read ')) process.stderr.write(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${step}\n`); },
          });
        } catch (error) {
          if (error instanceof RangeError) throw new ConfigError(error.message);
          throw error;
        }
        output(globals(), result, () => formatEvaluation(result));
      });
    });

  program.command('recommend')
    .description('recommendations for one person (--user) or a batch export for many (--users FILE): one line per person {"userId", "items"}')
    .option('--user <ref>', 'one person: a user id or type:value (email:ann@example.com)')
    .option('--users <file>', 'a file with one person per line (user id, type:value, or JSON {"userId": …})')
    .option('--placement <name>', 'a placement of the workspace')
    .addOption(new Option('--strategy <strategy>', 'a single strategy instead of a placement').choices([...STRATEGIES]))
    .option('--n <n>', `items per person (1–${MAX_RECOMMENDATIONS}; default: the placement's)`, wholeNumber(1, MAX_RECOMMENDATIONS))
    .option('--item <id>', 'the item being looked at (for similar / bought_together)')
    .addOption(new Option('--format <format>', 'batch output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write the batch here instead of stdout')
    .option('--include-bought', 'batch: keep items people already bought (default: left out)')
    .option('--explore', 'batch: keep the placement\'s exploration slots, drawn per person reproducibly (default: off, so a list is the best items); an export records no impressions either way')
    .action(async (o: { user?: string; users?: string; placement?: string; strategy?: Strategy; n?: number; item?: string; format: 'jsonl' | 'csv'; out?: string; includeBought?: boolean; explore?: boolean }) => {
      if ((o.user === undefined) === (o.users === undefined)) throw new ConfigError('give --user REF for one person or --users FILE for a batch');
      if (o.placement !== undefined && o.strategy !== undefined) throw new ConfigError('give --placement or --strategy, not both');
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const base = { ...(o.placement === undefined ? {} : { placement: o.placement }), ...(o.strategy === undefined ? {} : { strategy: o.strategy }), ...(o.n === undefined ? {} : { n: o.n }), ...(o.item === undefined ? {} : { itemId: o.item }) };
        if (o.user !== undefined) {
          const r = await tailor.recommendations.recommend(workspace, { ...base, user: o.user.includes(':') ? o.user : `user_id:${o.user}` });
          if (!r.ok) throw new ConfigError(r.error.message);
          output(globals(), r.value, () => formatRecommendations(r.value));
          return;
        }
        const adjust = (p: Placement): Placement => ({
          ...p,
          exploration: o.explore === true ? p.exploration : { ...p.exploration, share: 0 },
          excludePurchased: o.includeBought === true ? { withinDays: 0, keepReplenishable: true } : { withinDays: null, keepReplenishable: false },
        });
        // Bad paths are bad input, named before any work (a stream's late error would crash the process).
        const users = statSync(o.users!, { throwIfNoEntry: false });
        if (users === undefined || !users.isFile()) throw new ConfigError(`--users ${o.users}: ${users === undefined ? 'no such file' : 'not a file'}`);
        let fd: number | undefined;
        if (o.out !== undefined) {
          try {
            fd = openSync(o.out, 'w');
          } catch (error) {
            throw new ConfigError(`--out ${o.out}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`);
          }
        }
        const sink = fd === undefined ? process.stdout : createWriteStream('', { fd });
        const quiet = globals().quiet === true || o.out === undefined;
        const started = performance.now();
        let people = 0;
        let personalized = 0;
        if (o.format === 'csv') sink.write('userId,rank,itemId,score\n');
        for await (const u of usersOf(o.users!)) {
          // An export is not an impression: nothing is recorded (fatigue, bandit, log, report).
          const r = await tailor.recommendations.recommend(workspace, { ...base, user: u.ref }, { adjust, record: false });
          if (!r.ok) throw new ConfigError(`${o.users}:${u.line}: ${r.error.message}`);
          people++;
          if (r.value.personalized) personalized++;
          if (o.format === 'jsonl') sink.write(`${JSON.stringify({ userId: u.userId, items: r.value.items.map((i) => i.itemId) })}\n`);
          else for (const i of r.value.items) sink.write(`${csvCell(u.userId)},${i.position},${csvCell(i.itemId)},${i.score}\n`);
          if (!quiet && people % 500 === 0) process.stderr.write(`  ${people} people, ${(people / ((performance.now() - started) / 1000)).toFixed(0)}/s\n`);
        }
        if (sink !== process.stdout) await new Promise<void>((resolve, reject) => (sink as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? reject(e) : resolve())));
        if (o.out !== undefined) {
          output(globals(), { people, personalized, out: o.out, seconds: (performance.now() - started) / 1000 }, () => `Wrote recommendations for ${people} people (${personalized} personalized; the others per PRIVACY.md P5/P6) to ${o.out} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
        }
      });
    });

  for (const kind of ['placements', 'scenes'] as const) {
    const schema = kind === 'placements' ? placementSchema : sceneSchema;
    const group = program.command(kind).description(kind === 'placements'
      ? 'named recommendation configurations (strategies, filters, boosts, pins, diversity, exploration)'
      : 'scenes: context (time, device, activity, weather…) mapped to boosts and exclusions');
    group.command('list').action(async () => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const list = workspace.settings.recommendations[kind];
        output(globals(), { [kind]: list }, () => (list.length === 0 ? `No ${kind} yet.` : list.map((x) => `${x.name}  ${JSON.stringify(x)}`).join('\n')));
      });
    });
    group.command('set <file>')
      .description(`create or replace ${kind} from a JSON file (one object or an array); each is validated first`)
      .action(async (file: string) => {
        const raw = readJsonFile(file);
        const list = Array.isArray(raw) ? raw : [raw];
        const parsed = list.map((x, i) => {
          const r = schema.safeParse(x);
          if (!r.success) throw new ConfigError(`${file}${Array.isArray(raw) ? `[${i}]` : ''}: ${describeIssues(r.error)}`);
          return r.data;
        });
        await withTailor(globals(), async (tailor) => {
          const workspace = await pickWorkspace(tailor, globals().workspace);
          // Edited as stored, in one transaction: a server's concurrent edits are kept.
          const r = await tailor.workspaces.updateSettings(workspace.id, (settings) => {
            const edited = upsertByName(settings.recommendations[kind] as Array<{ name: string }>, parsed as Array<{ name: string }>, kind === 'placements' ? MAX_PLACEMENTS : MAX_SCENES, kind);
            if (!edited.ok) throw new ConfigError(edited.error);
            return { recommendations: { ...settings.recommendations, [kind]: edited.value.list } as typeof settings.recommendations };
          });
          if (!r.ok) throw new ConfigError(r.error.type === 'invalid_settings' ? r.error.message : 'workspace not found');
          await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'config.changed', subject: `recommendations.${kind}`, details: { change: `set ${parsed.map((x) => x.name).join(', ')}` } });
          output(globals(), { [kind]: parsed }, () => `Saved ${parsed.map((x) => x.name).join(', ')}.`);
        });
      });
    group.command('delete <name>').action(async (name: string) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.workspaces.updateSettings(workspace.id, (settings) => {
          const left = removeByName(settings.recommendations[kind] as Array<{ name: string }>, name);
          if (left === null) throw new ConfigError(`no ${kind === 'placements' ? 'placement' : 'scene'} "${name}"`);
          return { recommendations: { ...settings.recommendations, [kind]: left } as typeof settings.recommendations };
        });
        if (!r.ok) throw new ConfigError('workspace not found');
        await tailor.audit.record({ workspaceId: workspace.id, actor: 'cli', action: 'config.changed', subject: `recommendations.${kind}`, details: { change: `deleted ${name}` } });
        output(globals(), { deleted: name }, () => `Deleted ${name}.`);
      });
    });
  }
}
