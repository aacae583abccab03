import { profilingAllowed } from '../profiles/profiling-policy.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { evaluateOffline, type OfflineEvaluation } from './offline-evaluation.js';
import type { RecommendationRepository } from './recommendation-repository.js';
import { seededRng } from './rng.js';
import { serializeServingModel, trainServingModel, type TrainingInteraction, type TrainingStats } from './serving-model.js';
import type { ItemAttributes } from './text-features.js';

const DAY_MS = 86_400_000;
/** The seed of the factor model's initial values: the same data gives the same model. */
const TRAINING_SEED = 20_110_901;

export interface TrainingSummary {
  /** Null when there was nothing to train on (no interactions in the window). */
  version: number | null;
  modelId: string | null;
  /**
   * People the personal parts did not learn from because they refused profiling or switched
   * personalization off (PRIVACY.md P5); their events still count in popularity.
   */
  excludedPeople: number;
  window: { from: number; to: number };
  dataFrom: number | null;
  dataTo: number | null;
  catalogItems: number;
  stats: TrainingStats | null;
  /** Wall time of the whole job: reading, fitting, storing. */
  seconds: number;
}

/**
 * The training job (`tailor train`, the scheduled retrain, `POST /v1/recommendations/train`):
 * reads the workspace's purchases, cart adds and views in the training window, counts all of
 * them in popularity (an aggregate with no output per person, as live ingest counts them:
 * README "What popularity counts"), lets the personal parts learn only from people whose data
 * may be used for profiling, trains the serving model and stores it as the new active version
 * with its data window — also when nobody may be profiled (popularity and content then).
 *
 * @example
 * const trainer = createTrainer({ repository, clock, ids });
 * const summary = await trainer.train(workspace, { onProgress: console.log });
 */
export function createTrainer(deps: { repository: RecommendationRepository; clock: Clock; ids: Ids }) {
  const { repository, clock } = deps;

  /**
   * Every interaction since `from` (`all`), those of people whose data may be used for
   * profiling (`interactions`), and how many people were left out of the latter.
   */
  async function readInteractions(workspace: Workspace, from: number, say: (step: string) => void): Promise<{ all: TrainingInteraction[]; interactions: TrainingInteraction[]; excluded: number; people: string[] }> {
    const all: TrainingInteraction[] = [];
    for await (const page of repository.trainingInteractions(workspace.id, from)) {
      for (const e of page) all.push(e);
      say(`read ${all.length.toLocaleString('en-GB')} interactions`);
    }
    const people = [...new Set(all.map((e) => e.userId))];
    say(`checking ${people.length.toLocaleString('en-GB')} people's privacy settings`);
    const allowed = profilingAllowed(workspace, people, await repository.privacyOf(workspace.id, people), clock.now());
    return { all, interactions: all.filter((e) => allowed.has(e.userId)), excluded: people.length - allowed.size, people };
  }

  return {
    /**
     * The offline evaluation (`tailor eval recs`): a temporal split at `splitAt` (default: 90
     * days before the latest purchase — what is tested — so that a view or cart add long after
     * the data ends does not move the split past every purchase), every strategy against the
     * baselines.
     */
    async evaluate(workspace: Workspace, options: { splitAt?: number; ks?: number[]; onProgress?: (step: string) => void } = {}): Promise<OfflineEvaluation & { excludedPeople: number }> {
      const say = options.onProgress ?? (() => {});
      const latest = await repository.latestInteractionAt(workspace.id);
      if (latest === null) throw new RangeError('nothing to evaluate: no purchases, cart adds or views in this workspace');
      const { all, interactions, excluded } = await readInteractions(workspace, -1, say);
      const latestPurchase = interactions.reduce((m, e) => (e.kind === 'purchase' && e.at > m ? e.at : m), -Infinity);
      const splitAt = options.splitAt ?? (Number.isFinite(latestPurchase) ? latestPurchase : latest) - 90 * DAY_MS;
      if (!interactions.some((e) => e.at < splitAt) || !interactions.some((e) => e.at >= splitAt && e.kind === 'purchase')) {
        throw new RangeError(`the split at ${new Date(splitAt).toISOString().slice(0, 10)} leaves no training data or no purchases to test: choose a date between the first and the latest interaction (${new Date(latest).toISOString().slice(0, 10)})`);
      }
      const catalog = await repository.catalog(workspace.id);
      return { ...evaluateOffline({ interactions, everyone: all, catalog, splitAt, ks: options.ks ?? [10, 20], rng: seededRng(TRAINING_SEED), onProgress: say }), excludedPeople: excluded };
    },

    async train(workspace: Workspace, options: { onProgress?: (step: string) => void } = {}): Promise<TrainingSummary> {
      const started = performance.now();
      const say = options.onProgress ?? (() => {});
      const now = clock.now();
      // The window ends at the latest interaction, not the clock: a shop whose data stopped a
      // while ago (or a demo on a historical data set) still trains on its last W days.
      const latest = await repository.latestInteractionAt(workspace.id);
      const end = Math.min(now, latest ?? now);
      const from = end - workspace.settings.recommendations.trainingWindowDays * DAY_MS;
      say('reading interactions');
      const { all, interactions, excluded, people } = await readInteractions(workspace, from, say);
      // Regions and segments scope popularity, which counts everyone.
      const [regions, memberships, catalog] = await Promise.all([repository.regionsOf(workspace.id, people), repository.membershipsOf(workspace.id, people), repository.catalog(workspace.id)]);
      const base = { excludedPeople: excluded, window: { from, to: end }, catalogItems: catalog.length };
      if (all.length === 0) {
        return { ...base, version: null, modelId: null, dataFrom: null, dataTo: null, stats: null, seconds: (performance.now() - started) / 1000 };
      }
      // Items people touched that the catalog lacks still get a column: they shape the neighbours of catalog items.
      const items: ItemAttributes[] = catalog.map((e) => ({
        itemId: e.id, name: e.name, ...(e.description === undefined ? {} : { description: e.description }),
        category: e.categoryPath.join(' > '), ...(e.brand === null ? {} : { brand: e.brand }), tags: e.tags,
      }));
      const known = new Set(items.map((i) => i.itemId));
      for (const e of all) {
        if (!known.has(e.itemId)) {
          known.add(e.itemId);
          items.push({ itemId: e.itemId });
        }
      }
      // Recency is measured from the latest interaction (not the clock): a shop whose data stopped
      // a while ago still gets a model that weighs its own recent past.
      const dataTo = all.reduce((m, e) => Math.max(m, e.at), -Infinity);
      const model = trainServingModel({
        interactions, counted: all, items, referenceTime: Math.min(now, dataTo + 1),
        regionOf: (p) => regions.get(p), segmentsOf: (p) => memberships.get(p) ?? [],
        rng: seededRng(TRAINING_SEED), onProgress: (step) => say(`fitting: ${step}`),
      });
      say('storing the model');
      const modelId = deps.ids.uuid();
      const artifact = JSON.stringify(serializeServingModel(model));
      const version = await repository.saveModel(workspace.id, {
        id: modelId, createdAt: now, dataFrom: model.dataFrom, dataTo: model.dataTo,
        params: { trainingWindowDays: workspace.settings.recommendations.trainingWindowDays, history: model.history, personal: model.personal.kind },
        stats: { ...model.stats, excludedPeople: base.excludedPeople, regions: model.regions.size, segments: model.segments.size, devices: model.devices.size, replenishable: model.replenishment.size, bytes: artifact.length },
        artifact,
      });
      return { ...base, version, modelId, dataFrom: model.dataFrom, dataTo: model.dataTo, stats: model.stats, seconds: (performance.now() - started) / 1000 };
    },
  };
}
