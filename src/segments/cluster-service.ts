import type { AuditService } from '../privacy/audit-service.js';
import type { ModelRecord, PredictionRepository } from '../predict/prediction-repository.js';
import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import type { TraitValues } from '../profiles/trait-registry.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import type { ClusterRepository } from './cluster-repository.js';
import { clusterCustomers, clusteredIds, clusterOptionsProblem, clusterTraits, isClusterable, nearestCluster, type ClusterModel, type ClusterOptions, type Customer } from './clustering.js';
import { referencedClusters } from './definition.js';
import type { SegmentRecord, SegmentRepository } from './segment-repository.js';
import { CLUSTER_MODEL_KIND, type SegmentService } from './segment-service.js';

/** Profiles read per page while collecting customers. */
const PAGE = 5000;

/** A stored clustering run: the model row with its parameters typed. */
export interface ClusteringRun {
  id: string;
  version: number;
  createdAt: number;
  model: ClusterModel;
  /** Live profiles that were left out because the policy refuses profiling them (P5). */
  profilingExcluded: number;
  durationMs: number;
}

export type ClusterServiceError =
  | { type: 'too_few' | 'invalid_option'; message: string }
  | { type: 'model_not_found'; message: string }
  | { type: 'invalid_cluster'; message: string }
  | { type: 'assignments_dropped'; message: string }
  | { type: 'segment_error'; message: string };

type Result<T> = { ok: true; value: T } | { ok: false; error: ClusterServiceError };

export interface RunOptions extends Pick<ClusterOptions, 'seed' | 'kRange' | 'fitSample'> {
  onProgress?: (p: { phase: 'read'; done: number } | { phase: 'k'; k: number; silhouette: number }) => void;
}

function runOf(m: ModelRecord): ClusteringRun {
  const stats = m.stats as { profilingExcluded?: number; durationMs?: number };
  return { id: m.id, version: m.version, createdAt: m.createdAt, model: m.params as unknown as ClusterModel, profilingExcluded: stats.profilingExcluded ?? 0, durationMs: stats.durationMs ?? 0 };
}

/**
 * `tailor segments cluster`: reads every live customer's computed traits (people the policy
 * may not profile are left out, PRIVACY.md P5), clusters them (src/segments/clustering.ts),
 * stores the model (`models`, kind `segment-clusters`, versioned) and each customer's
 * cluster, and saves chosen clusters as segments whose condition is the cluster. Customers
 * who arrive later are placed in the nearest cluster of every run a segment uses
 * (`placeNewCustomers`, before scheduled evaluations). Assignments are kept for the latest run and
 * for runs a segment uses; the others are deleted by the next run (their models stay, for
 * the record).
 *
 * @example
 * const run = await clusters.run(workspace, { kRange: [2, 8], seed: 42 });
 * if (run.ok) await clusters.save(workspace, run.value.id, 'all');
 */
export function createClusterService(deps: {
  traits: ComputedTraitRepository;
  models: Pick<PredictionRepository, 'saveModel' | 'models'>;
  repository: ClusterRepository;
  segmentRepository: Pick<SegmentRepository, 'list'>;
  segments: Pick<SegmentService, 'create' | 'evaluate'>;
  audit: AuditService;
  clock: Clock;
  ids: Ids;
}) {
  const { traits, models, repository, segmentRepository, segments, audit, clock, ids } = deps;

  /** Live customers with their traits, and how many the policy kept out. */
  async function customersOf(workspace: Workspace, onRead?: (done: number) => void): Promise<{ customers: Customer[]; excluded: number }> {
    const customers: Customer[] = [];
    let excluded = 0;
    let done = 0;
    const now = clock.now();
    for (let after: string | null = null; ;) {
      const read: Array<{ profileId: string; traits: TraitValues }> = await repository.customerPage(workspace.id, after, PAGE);
      if (read.length === 0) break;
      after = read[read.length - 1]!.profileId;
      const page = read.filter((c) => isClusterable(c.traits));
      const ids = page.map((c) => c.profileId);
      const allowed = ids.length === 0 ? new Set<string>() : profilingAllowed(workspace, ids, await traits.privacyOf(workspace.id, ids), now);
      for (const c of page) {
        if (allowed.has(c.profileId)) customers.push({ profileId: c.profileId, traits: clusterTraits(c.traits) });
        else excluded++;
      }
      done += read.length;
      onRead?.(done);
    }
    return { customers, excluded };
  }

  const service = {
    /** Clusters the workspace's customers and stores the run. */
    async run(workspace: Workspace, options: RunOptions = {}, actor = 'admin'): Promise<Result<ClusteringRun>> {
      const started = clock.now();
      const problem = clusterOptionsProblem(options);
      if (problem !== null) return { ok: false, error: { type: 'invalid_option', message: problem } };
      const { customers, excluded } = await customersOf(workspace, (done) => options.onProgress?.({ phase: 'read', done }));
      const result = clusterCustomers(customers, {
        currency: workspace.settings.defaultCurrency,
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.kRange === undefined ? {} : { kRange: options.kRange }),
        ...(options.fitSample === undefined ? {} : { fitSample: options.fitSample }),
        onK: (k, silhouette) => options.onProgress?.({ phase: 'k', k, silhouette }),
      });
      if (!result.ok) return result;
      const { model, assignments } = result.value;
      const durationMs = clock.now() - started;
      const stored = await models.saveModel(workspace.id, {
        id: ids.uuid(), kind: CLUSTER_MODEL_KIND, createdAt: clock.now(), dataFrom: null, dataTo: model.reference,
        params: model as unknown as Record<string, unknown>, stats: { profilingExcluded: excluded, durationMs },
      });
      const placed = clusteredIds(customers);
      await repository.writeAssignments(workspace.id, stored.id, placed.map((profileId, i) => ({ profileId, cluster: assignments[i]! + 1 })));
      const inUse = new Set((await segmentRepository.list(workspace.id)).flatMap((s) => referencedClusters(s.condition).map((c) => c.model)));
      await repository.deleteAssignmentsExcept(workspace.id, new Set([...inUse, stored.id]));
      await audit.record({ workspaceId: workspace.id, actor, action: 'segments.clustered', subject: stored.id, details: { version: stored.version, k: model.k, people: model.people } });
      return { ok: true, value: { id: stored.id, version: stored.version, createdAt: stored.createdAt, model, profilingExcluded: excluded, durationMs } };
    },

    /**
     * Places customers who arrived (or first ordered) after a run in the nearest cluster of
     * every run a segment uses, with that run's features, scaling and centres (the run is not
     * refitted; people it placed keep their cluster). The scheduler does this before each
     * scheduled evaluation, and `tailor segments evaluate` before evaluating all segments.
     */
    async placeNewCustomers(workspace: Workspace): Promise<{ models: number; placed: number }> {
      const inUse = [...new Set((await segmentRepository.list(workspace.id)).flatMap((s) => referencedClusters(s.condition).map((c) => c.model)))];
      const runs = new Map((await models.models(workspace.id, CLUSTER_MODEL_KIND)).map((m) => [m.id, runOf(m)]));
      let placed = 0;
      let done = 0;
      const now = clock.now();
      for (const modelId of inUse) {
        const run = runs.get(modelId);
        if (run === undefined) continue;
        done++;
        for (let after: string | null = null; ;) {
          const page = await repository.unassignedPage(workspace.id, modelId, after, PAGE);
          if (page.length === 0) break;
          after = page[page.length - 1]!;
          const rows = await traits.read(workspace.id, page);
          const customers = page.filter((id) => { const r = rows.get(id); return r !== undefined && isClusterable(r.traits); });
          if (customers.length === 0) continue;
          const allowed = profilingAllowed(workspace, customers, await traits.privacyOf(workspace.id, customers), now);
          const assignments = customers.filter((id) => allowed.has(id)).map((id) => ({ profileId: id, cluster: nearestCluster(rows.get(id)!.traits, run.model) }));
          await repository.addAssignments(workspace.id, modelId, assignments);
          placed += assignments.length;
        }
      }
      return { models: done, placed };
    },

    /** Clustering runs, newest first. */
    async list(workspace: Workspace): Promise<ClusteringRun[]> {
      return (await models.models(workspace.id, CLUSTER_MODEL_KIND)).map(runOf);
    },

    /** One run by id, or the latest with `latest`. */
    async get(workspace: Workspace, id: string | 'latest'): Promise<Result<ClusteringRun>> {
      const all = await models.models(workspace.id, CLUSTER_MODEL_KIND);
      const m = id === 'latest' ? all[0] : all.find((x) => x.id === id);
      if (m === undefined) return { ok: false, error: { type: 'model_not_found', message: id === 'latest' ? 'no clustering yet: run `tailor segments cluster`' : `no clustering model with id "${id}"` } };
      return { ok: true, value: runOf(m) };
    },

    /**
     * Saves clusters of a run as segments named after their description ("Cluster 2 of 5:
     * high spend, buys rarely") and evaluates them. `numbers`: 1-based clusters, or `all`.
     */
    async save(workspace: Workspace, id: string | 'latest', numbers: readonly number[] | 'all', actor = 'admin'): Promise<Result<SegmentRecord[]>> {
      const found = await service.get(workspace, id);
      if (!found.ok) return found;
      const run = found.value;
      const wanted = numbers === 'all' ? run.model.clusters.map((c) => c.number) : [...new Set(numbers)];
      const bad = wanted.find((n) => !Number.isInteger(n) || n < 1 || n > run.model.k);
      if (bad !== undefined) return { ok: false, error: { type: 'invalid_cluster', message: `cluster ${bad} does not exist: model ${run.id} has clusters 1 to ${run.model.k}` } };
      const latest = (await models.models(workspace.id, CLUSTER_MODEL_KIND))[0];
      if (latest?.id !== run.id && (await repository.clusterSizes(workspace.id, run.id)).size === 0) {
        return { ok: false, error: { type: 'assignments_dropped', message: `clustering v${run.version} (${run.id}) is not the latest and no segment used it, so its assignments were dropped; run \`tailor segments cluster\` again and save from that run` } };
      }
      const saved: SegmentRecord[] = [];
      for (const number of wanted) {
        const cluster = run.model.clusters[number - 1]!;
        const created = await segments.create(workspace, {
          name: `Cluster ${number} of ${run.model.k}: ${cluster.description}`.slice(0, 200),
          description: `k-means cluster ${number} of clustering v${run.version} (${run.id}): ${cluster.size} customers when it ran, ${(cluster.share * 100).toFixed(1)}% of ${run.model.people}.`,
          condition: { cluster: { model: run.id, number } },
        }, actor);
        if (!created.ok) {
          const e = created.error;
          return { ok: false, error: { type: 'segment_error', message: e.type === 'invalid_definition' ? e.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : 'message' in e ? e.message : e.type } };
        }
        const evaluated = await segments.evaluate(workspace, created.value.id, 'created');
        saved.push(evaluated.ok ? { ...created.value, memberCount: evaluated.value.members, evaluatedAt: evaluated.value.evaluatedAt } : created.value);
      }
      return { ok: true, value: saved };
    },
  };
  return service;
}

export type ClusterService = ReturnType<typeof createClusterService>;
