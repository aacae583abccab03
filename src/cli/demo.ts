import { ONLINE_RETAIL_MAPPING } from '../imports/order-rows.js';
import { createTailor, type Tailor } from '../main.js';
import { privacySettingsSchema } from '../contracts/workspace.js';
import { loadConfig, output, type GlobalOptions } from './context.js';
import { fileSource } from './file-source.js';
import { formatSummary, importOrdersCsv } from './importers.js';
import { closeOnSignals, startServer } from './serve.js';

const DEMO_WORKSPACE = 'Demo shop (Online Retail excerpt)';
const EXAMPLE_CUSTOMER = '17850';

/**
 * `tailor demo`: builds a demo database from the bundled Online Retail excerpt — one
 * workspace, profiles from customer ids, orders and returns, a catalog from the order
 * lines, computed traits, customer clusters, a recommendation model — prints what it built
 * (with a person's recommendations and their reasons), and serves it. Re-running reuses the database (imports are
 * idempotent) and issues a fresh key pair, since stored keys are only hashes.
 */
/**
 * The demo workspace: UK law, pounds, and profiling and personalization on by default on the
 * basis of legitimate interests — a choice the data set's historical wholesale customers
 * make plausible and a real brand must make (and document) itself; without it the UK's
 * opt-in default would leave every computed interest trait empty (PRIVACY.md P3, P5).
 */
const DEMO_SETTINGS = {
  defaultCurrency: 'GBP',
  privacy: privacySettingsSchema.parse({
    defaults: {
      overrides: (['profiling', 'personalization'] as const).map((purpose) => ({
        purpose, default: 'on' as const, legalBasis: 'legitimate_interests' as const,
        note: 'Demo data set: historical business customers of a wholesaler; analytics of their own purchases.',
      })),
    },
  }),
};

/** How many people hold each RFM segment (computed traits). */
async function rfmSegmentCounts(tailor: Tailor, workspaceId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let after: string | null = null;
  for (;;) {
    const page = await tailor.profiles.list(workspaceId, { limit: 200, ...(after === null ? {} : { cursor: after }) });
    if (!page.ok) break;
    for (const p of page.value.profiles) {
      const got = await tailor.profiles.get(workspaceId, p.id, { events: 0 });
      const segment = got.ok ? got.value.computedTraits?.['rfm_segment'] : undefined;
      if (typeof segment === 'string') counts[segment] = (counts[segment] ?? 0) + 1;
    }
    if (page.value.nextCursor === null) break;
    after = page.value.nextCursor;
  }
  return counts;
}

/** A bar per segment, largest first. */
function rfmChart(counts: Record<string, number>): string[] {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return rows.map(([name, n]) => `  ${name.padEnd(18)} ${'█'.repeat(Math.max(1, Math.round((n / max) * 40)))} ${n}`);
}

export async function runDemo(args: { globals: GlobalOptions; dataFile: string; demoDb: string; port: number; host: string; serve: boolean }): Promise<void> {
  const config = loadConfig({ ...args.globals, db: args.globals.db ?? args.demoDb }, { server: { host: args.host, port: args.port } });
  const tailor = await createTailor(config);
  let keepOpen = false;
  try {
    const existing = (await tailor.workspaces.listWorkspaces()).find((w) => w.name === DEMO_WORKSPACE);
    let workspace;
    let keys: { write: string; admin: string };
    if (existing === undefined) {
      const created = await tailor.workspaces.createWorkspace({ name: DEMO_WORKSPACE, jurisdiction: 'UK', settings: DEMO_SETTINGS });
      workspace = created.workspace;
      keys = { write: created.keys.write, admin: created.keys.admin };
    } else {
      workspace = existing;
      keys = {
        write: (await tailor.workspaces.createKey(workspace.id, 'write', 'demo write key')).key,
        admin: (await tailor.workspaces.createKey(workspace.id, 'admin', 'demo admin key')).key,
      };
    }
    const quiet = args.globals.quiet === true || args.globals.json === true;
    const summary = await importOrdersCsv({
      tailor, workspace, source: await fileSource(args.dataFile), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail',
      guests: 'skip', catalog: true, restart: true, quiet,
    });
    const computed = await tailor.compute.computeWorkspace(workspace);
    const segments = await rfmSegmentCounts(tailor, workspace.id);
    const clustering = await tailor.clusters.run(workspace, { seed: 42 }, 'demo');
    const trained = await tailor.recommendations.train(workspace);
    const forYou = await tailor.recommendations.recommend(workspace, { user: `user_id:${EXAMPLE_CUSTOMER}`, n: 5 });
    const profiles = await tailor.profiles.count(workspace.id);
    const items = await tailor.catalog.count(workspace.id);
    const example = await tailor.profiles.get(workspace.id, `user_id:${EXAMPLE_CUSTOMER}`, { events: 3 });

    let url = `http://${config.server.host}:${config.server.port}`;
    if (args.serve) {
      const server = await startServer(tailor, config.server);
      url = server.url;
      closeOnSignals(server.close);
      keepOpen = true;
    }
    const exampleOrders = example.ok ? example.value.orders.length : 0;
    const result = {
      database: config.database.url === undefined ? config.database.sqlitePath : 'postgres',
      workspaceId: workspace.id, writeKey: keys.write, adminKey: keys.admin,
      built: { profiles, catalogItems: items, orders: summary.extra.orders ?? 0, returns: summary.extra.returns ?? 0 },
      computedTraits: { profiles: computed.profiles, rfmPopulation: computed.rfmPopulation, seconds: computed.durationMs / 1000, rfmSegments: segments },
      recommendations: { modelVersion: trained.version, trainingSeconds: trained.seconds, example: forYou.ok ? forYou.value : null },
      clusters: clustering.ok ? { id: clustering.value.id, k: clustering.value.model.k, clusters: clustering.value.model.clusters.map((c) => ({ number: c.number, size: c.size, description: c.description })) } : null,
      import: summary,
      urls: {
        health: `${url}/healthz`,
        openapi: `${url}/openapi.json`,
        exampleProfile: `${url}/v1/profiles/user_id:${EXAMPLE_CUSTOMER}`,
        track: `${url}/v1/track`,
        recommendations: `${url}/v1/recommendations?user=user_id:${EXAMPLE_CUSTOMER}&n=10`,
      },
      serving: args.serve,
    };
    output(args.globals, result, () => [
      formatSummary(summary),
      '',
      `Built in ${result.database}: ${profiles.toLocaleString('en')} profiles, ${items.toLocaleString('en')} catalog items, ${(summary.extra.orders ?? 0).toLocaleString('en')} orders and ${(summary.extra.returns ?? 0).toLocaleString('en')} returns.`,
      `Customer ${EXAMPLE_CUSTOMER} has ${exampleOrders} of the orders shown on their profile (most recent 50).`,
      `Computed traits of ${computed.profiles} profiles in ${(computed.durationMs / 1000).toFixed(1)} s; customers per RFM segment:`,
      ...rfmChart(segments),
      '',
      ...(clustering.ok ? [
        `Customer clusters (k-means, k = ${clustering.value.model.k} chosen by silhouette; \`tailor --db ${config.database.sqlitePath} segments clusters\` for details, \`tailor --db ${config.database.sqlitePath} segments save-clusters latest --clusters all\` to keep them as segments):`,
        ...clustering.value.model.clusters.map((c) => `  ${String(c.number).padEnd(2)} ${'█'.repeat(Math.max(1, Math.round(c.share * 40))).padEnd(40)} ${String(c.size).padStart(5)}  ${c.description}`),
      ] : [`Customer clusters: not built (${clustering.error.message}).`]),
      '',
      ...(forYou.ok && trained.version !== null ? [
        `Recommendation model v${trained.version} trained in ${trained.seconds.toFixed(1)} s. For customer ${EXAMPLE_CUSTOMER} (\`tailor --db ${config.database.sqlitePath} recommend --user ${EXAMPLE_CUSTOMER}\`):`,
        ...forYou.value.items.map((i) => `  ${String(i.position).padStart(2)}. ${i.name.slice(0, 40).padEnd(40)} ${i.reasons.slice(0, 2).map((r) => `${Math.round(r.weight * 100)}% ${r.message}`).join('; ')}`),
      ] : ['Recommendations: no model (nothing to train on).']),
      '',
      `Workspace ${workspace.id}`,
      `  write key: ${keys.write}`,
      `  admin key: ${keys.admin}`,
      '',
      args.serve ? `Serving on ${url} — press Ctrl-C to stop. Try:` : `Not serving (--no-serve). With \`tailor serve --db ${config.database.sqlitePath}\`, try:`,
      `  curl ${result.urls.health}`,
      `  curl -H 'Authorization: Bearer ${keys.admin}' ${result.urls.exampleProfile}`,
      `  curl -u '${keys.write}:' -H 'content-type: application/json' -d '{"userId":"${EXAMPLE_CUSTOMER}","event":"Product Viewed","properties":{"product_id":"85123A"}}' ${result.urls.track}`,
      `  curl -H 'Authorization: Bearer ${keys.admin}' '${result.urls.recommendations}'`,
      `  OpenAPI: ${result.urls.openapi}`,
    ].join('\n'));
  } finally {
    if (!keepOpen) await tailor.close();
  }
}
