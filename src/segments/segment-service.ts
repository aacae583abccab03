import type { AuditService } from '../privacy/audit-service.js';
import type { ComputedTraitRepository } from '../profiles/computed-trait-repository.js';
import type { ProfileService } from '../profiles/profile-service.js';
import { profilingAllowed } from '../profiles/profiling-policy.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import type { JsonValue } from '../shared/json.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import type { PredictionRepository } from '../predict/prediction-repository.js';
import { parseCondition, referencedSegments, referencesOf, segmentInputSchema, usesBehaviour, usesPopulationRank, type Condition, type DefinitionIssue } from './definition.js';
import { csvCell } from '../shared/csv-cell.js';
import { updateMemberships, type Touch } from './membership-update.js';
import type { SegmentChange, SegmentRecord, SegmentRepository } from './segment-repository.js';

export type { Touch } from './membership-update.js';

/** The `models.kind` of a clustering run (src/segments/cluster-service.ts). */
export const CLUSTER_MODEL_KIND = 'segment-clusters';

/** Most segments per workspace. */
export const MAX_SEGMENTS = 500;
/** Profiles shown by a preview. */
export const PREVIEW_SAMPLE = 10;
/** How long the ingest-time updater trusts its list of segments (segments created in another process). */
export const SEGMENT_CACHE_MS = 5_000;

/**
 * Segments grouped so that every segment comes after the segments it refers to: level 0
 * refers to none, level n only to levels below n. References to unknown segments (deleted)
 * are ignored; a cycle (which validation prevents) is broken by putting its members last.
 *
 * @example
 * dependencyLevels([b, a]); // b refers to a: [[a], [b]]
 */
export function dependencyLevels(segments: readonly SegmentRecord[]): SegmentRecord[][] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (s: SegmentRecord): number => {
    const known = level.get(s.id);
    if (known !== undefined) return known;
    if (visiting.has(s.id)) return segments.length;
    visiting.add(s.id);
    let l = 0;
    for (const ref of referencedSegments(s.condition)) {
      const r = byId.get(ref);
      if (r !== undefined) l = Math.max(l, levelOf(r) + 1);
    }
    visiting.delete(s.id);
    level.set(s.id, l);
    return l;
  };
  const out: SegmentRecord[][] = [];
  for (const s of segments) {
    const l = Math.min(levelOf(s), segments.length);
    (out[l] ??= []).push(s);
  }
  return out.filter((l) => l !== undefined);
}

export type SegmentError =
  | { type: 'invalid_definition'; issues: DefinitionIssue[] }
  | { type: 'segment_not_found'; id: string }
  | { type: 'profile_not_found' }
  | { type: 'limit'; message: string }
  | { type: 'in_use'; message: string };

type Result<T> = { ok: true; value: T } | { ok: false; error: SegmentError };

export interface EvaluationSummary {
  segmentId: string;
  members: number;
  entered: number;
  exited: number;
  /** Matching profiles left out because the policy refuses profiling them (P5). */
  profilingExcluded: number;
  evaluatedAt: number;
  durationMs: number;
}

/**
 * Segments: definitions validated with the offending path named, previews (count and a
 * sample before saving), full re-evaluation by SQL with every entry and exit recorded (time,
 * reason), member pages and CSV, and each person's history. A segment whose condition reads
 * behaviour never includes a person the policy may not profile (PRIVACY.md P5).
 *
 * @example
 * const r = await segments.create(workspace, { name: 'Bought lately', condition: { event: 'Order Completed', withinLastDays: 30 } });
 */
export function createSegmentService(deps: { repository: SegmentRepository; traits: ComputedTraitRepository; profiles: ProfileService; models: Pick<PredictionRepository, 'models'>; audit: AuditService; clock: Clock; ids: Ids }) {
  const { repository, traits, profiles, models, audit, clock, ids } = deps;
  /** The segments kept current on ingest, per workspace, in dependency levels; re-read after changes here or after `SEGMENT_CACHE_MS`. */
  const realtimeCache = new Map<string, { at: number; levels: SegmentRecord[][] }>();

  async function realtimeLevels(workspaceId: string): Promise<SegmentRecord[][]> {
    const cached = realtimeCache.get(workspaceId);
    if (cached !== undefined && clock.now() - cached.at < SEGMENT_CACHE_MS) return cached.levels;
    const levels = dependencyLevels((await repository.list(workspaceId)).filter((s) => !usesPopulationRank(s.condition)));
    realtimeCache.set(workspaceId, { at: clock.now(), levels });
    return levels;
  }

  /**
   * Every problem of a definition with its path: first the schema (name, description, keys, and
   * the condition's shape), then — only on a condition that parsed — its references: segments
   * that do not exist, itself, a loop back to `selfId` through other segments, clustering runs
   * that do not exist or lack the cluster.
   */
  async function validate(workspace: Workspace, input: unknown, selfId?: string): Promise<Result<{ name: string; description: string | null; condition: Condition }>> {
    const invalid = (issues: DefinitionIssue[]) => ({ ok: false as const, error: { type: 'invalid_definition' as const, issues } });
    const shape = segmentInputSchema.safeParse(input);
    const issues: DefinitionIssue[] = shape.success ? [] : shape.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    // Not an object at all: there is no condition to look at.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return invalid(issues);
    const parsed = parseCondition((input as Record<string, unknown>)['condition']);
    if (!parsed.ok) return invalid([...issues, ...parsed.issues]);
    issues.push(...await referenceProblems(workspace, parsed.value, selfId));
    if (!shape.success || issues.length > 0) return invalid(issues);
    return { ok: true, value: { name: shape.data.name, description: shape.data.description ?? null, condition: parsed.value } };
  }

  /** What is wrong with the segments and clustering runs a parsed condition refers to, each at the path of its reference. */
  async function referenceProblems(workspace: Workspace, condition: Condition, selfId: string | undefined): Promise<DefinitionIssue[]> {
    const issues: DefinitionIssue[] = [];
    const refs = referencesOf(condition);
    const segmentRefs = refs.flatMap((r) => (r.kind === 'segment' ? [r] : []));
    if (segmentRefs.length > 0) {
      const all = new Map((await repository.list(workspace.id)).map((x) => [x.id, x]));
      /** Whether `from`, through the segments it refers to, reaches `selfId`: an edit must not close a loop. */
      const leadsBack = (from: string): boolean => {
        const seen = new Set<string>();
        const stack = [from];
        while (stack.length > 0) {
          const id = stack.pop()!;
          if (id === selfId) return true;
          if (seen.has(id)) continue;
          seen.add(id);
          const s = all.get(id);
          if (s !== undefined) stack.push(...referencedSegments(s.condition));
        }
        return false;
      };
      for (const r of segmentRefs) {
        if (r.segment === selfId) issues.push({ path: r.path, message: 'a segment cannot refer to itself' });
        else if (!all.has(r.segment)) issues.push({ path: r.path, message: `no segment with id "${r.segment}"` });
        else if (selfId !== undefined && leadsBack(r.segment)) issues.push({ path: r.path, message: 'the segments it refers to refer back to it (a loop)' });
      }
    }
    const clusterRefs = refs.flatMap((r) => (r.kind === 'cluster' ? [r] : []));
    if (clusterRefs.length > 0) {
      const runs = new Map((await models.models(workspace.id, CLUSTER_MODEL_KIND)).map((m) => [m.id, Number((m.params as { k?: number }).k ?? 0)]));
      for (const { cluster, path } of clusterRefs) {
        const k = runs.get(cluster.model);
        if (k === undefined) issues.push({ path: `${path}.model`, message: `no clustering model with id "${cluster.model}" (see \`tailor segments clusters\`)` });
        else if (cluster.number > k) issues.push({ path: `${path}.number`, message: `clustering model ${cluster.model} has clusters 1 to ${k}, not ${cluster.number}` });
      }
    }
    return issues;
  }

  /** The members a condition has now, the policy applied. */
  async function evaluateCondition(workspace: Workspace, condition: Condition, now: number): Promise<{ members: string[]; excluded: number }> {
    const matching = await repository.matching(workspace.id, condition, now);
    if (!usesBehaviour(condition)) return { members: matching, excluded: 0 };
    const members: string[] = [];
    for (let i = 0; i < matching.length; i += 1000) {
      const page = matching.slice(i, i + 1000);
      const allowed = profilingAllowed(workspace, page, await traits.privacyOf(workspace.id, page), now);
      for (const id of page) if (allowed.has(id)) members.push(id);
    }
    return { members, excluded: matching.length - members.length };
  }

  /** Re-evaluates one segment in full (nothing else) and records who entered and who left. */
  async function evaluateSegment(workspace: Workspace, segment: SegmentRecord, reason: string): Promise<EvaluationSummary> {
    const started = clock.now();
    const now = clock.now();
    const { members, excluded } = await evaluateCondition(workspace, segment.condition, now);
    const current = await repository.memberIds(workspace.id, segment.id);
    const next = new Set(members);
    const entered = members.filter((p) => !current.has(p));
    const exited = [...current].filter((p) => !next.has(p)).sort();
    await repository.applyEvaluation(workspace.id, segment.id, { entered, exited, at: now, reason, memberCount: members.length });
    return { segmentId: segment.id, members: members.length, entered: entered.length, exited: exited.length, profilingExcluded: excluded, evaluatedAt: now, durationMs: clock.now() - started };
  }

  /**
   * After segment `changedId`'s members changed: re-evaluates the segments that refer to it,
   * directly or transitively, level by level (`dependencyLevels`), skipping one whose
   * references all kept their members in this run.
   */
  async function evaluateDependents(workspace: Workspace, changedId: string, reason: string): Promise<EvaluationSummary[]> {
    const all = await repository.list(workspace.id);
    const referrers = new Map<string, SegmentRecord[]>();
    for (const s of all) {
      for (const ref of new Set(referencedSegments(s.condition))) referrers.set(ref, [...(referrers.get(ref) ?? []), s]);
    }
    const dependents = new Map<string, SegmentRecord>();
    const queue = [changedId];
    while (queue.length > 0) {
      for (const s of referrers.get(queue.pop()!) ?? []) {
        if (s.id === changedId || dependents.has(s.id)) continue;
        dependents.set(s.id, s);
        queue.push(s.id);
      }
    }
    const changed = new Set([changedId]);
    const out: EvaluationSummary[] = [];
    for (const level of dependencyLevels([...dependents.values()])) {
      for (const s of level) {
        if (!referencedSegments(s.condition).some((ref) => changed.has(ref))) continue;
        const r = await evaluateSegment(workspace, s, reason);
        out.push(r);
        if (r.entered + r.exited > 0) changed.add(s.id);
      }
    }
    return out;
  }

  const service = {
    /** Checks a definition without saving it. */
    validate: (workspace: Workspace, input: unknown) => validate(workspace, input),

    async create(workspace: Workspace, input: unknown, actor = 'admin'): Promise<Result<SegmentRecord>> {
      const v = await validate(workspace, input);
      if (!v.ok) return v;
      if ((await repository.list(workspace.id)).length >= MAX_SEGMENTS) return { ok: false, error: { type: 'limit', message: `a workspace holds at most ${MAX_SEGMENTS} segments` } };
      const now = clock.now();
      const record: SegmentRecord = { id: ids.uuid(), ...v.value, createdAt: now, updatedAt: now, evaluatedAt: null, memberCount: 0 };
      await repository.insert(workspace.id, record);
      realtimeCache.delete(workspace.id);
      await audit.record({ workspaceId: workspace.id, actor, action: 'segment.created', subject: record.id, details: { name: record.name } });
      return { ok: true, value: record };
    },

    /**
     * Replaces a segment's name, description and condition, then re-evaluates it: people who
     * no longer match exit and new matches enter, recorded with reason `edited`; the segments
     * that refer to it follow (`evaluation.dependents`, see `evaluate`). Audited.
     */
    async update(workspace: Workspace, id: string, input: unknown, actor = 'admin'): Promise<Result<{ segment: SegmentRecord; evaluation: EvaluationSummary & { dependents: EvaluationSummary[] } }>> {
      const existing = await repository.get(workspace.id, id);
      if (existing === null) return { ok: false, error: { type: 'segment_not_found', id } };
      const v = await validate(workspace, input, id);
      if (!v.ok) return v;
      await repository.update(workspace.id, id, { ...v.value, updatedAt: clock.now() });
      realtimeCache.delete(workspace.id);
      await audit.record({ workspaceId: workspace.id, actor, action: 'segment.updated', subject: id, details: { name: v.value.name, previous: existing.condition as unknown as JsonValue } });
      const evaluation = await service.evaluate(workspace, id, 'edited');
      if (!evaluation.ok) return evaluation;
      const segment = await repository.get(workspace.id, id);
      return { ok: true, value: { segment: segment!, evaluation: evaluation.value } };
    },

    /** How many people a definition matches now, and a few of them, without saving it. */
    async preview(workspace: Workspace, input: unknown): Promise<Result<{ count: number; sample: string[]; profilingExcluded: number }>> {
      const v = await validate(workspace, input);
      if (!v.ok) return v;
      const r = await evaluateCondition(workspace, v.value.condition, clock.now());
      return { ok: true, value: { count: r.members.length, sample: r.members.slice(0, PREVIEW_SAMPLE), profilingExcluded: r.excluded } };
    },

    list: (workspace: Workspace) => repository.list(workspace.id),

    async get(workspace: Workspace, id: string): Promise<Result<SegmentRecord>> {
      const s = await repository.get(workspace.id, id);
      return s === null ? { ok: false, error: { type: 'segment_not_found', id } } : { ok: true, value: s };
    },

    /**
     * Re-evaluates one segment in full and records who entered and who left; then, if its
     * members changed, the segments that refer to it (directly or through others), in
     * dependency order, each only when a segment it refers to changed in this run — with the
     * same reason. Their summaries are in `dependents`.
     */
    async evaluate(workspace: Workspace, id: string, reason = 'evaluation'): Promise<Result<EvaluationSummary & { dependents: EvaluationSummary[] }>> {
      const segment = await repository.get(workspace.id, id);
      if (segment === null) return { ok: false, error: { type: 'segment_not_found', id } };
      const own = await evaluateSegment(workspace, segment, reason);
      const dependents = own.entered + own.exited === 0 ? [] : await evaluateDependents(workspace, id, reason);
      return { ok: true, value: { ...own, dependents } };
    },

    /**
     * Re-evaluates every segment of the workspace, those others refer to first (a segment
     * condition reads the members its reference had after this run).
     */
    async evaluateAll(workspace: Workspace, reason = 'evaluation'): Promise<EvaluationSummary[]> {
      const out: EvaluationSummary[] = [];
      for (const level of dependencyLevels(await repository.list(workspace.id))) {
        for (const s of level) out.push(await evaluateSegment(workspace, s, reason));
      }
      return out;
    },

    /**
     * Brings memberships up to date right after events commit, for the people in `touches`
     * and only in the segments their new events (or consent, subscription and switch changes)
     * can have changed: each person decided without a query where their new events, profile
     * row and memberships prove the answer (`holdsFromNewEvents`), the rest by one query per
     * segment, dependency level by level (a segment that refers to another reads the other's
     * new members), each level's entries and exits in one transaction (membership-update.ts).
     * Segments that rank the population (`top_percent`) and time alone (a window sliding past
     * an event) are left to full evaluations. A merged-away profile leaves every segment.
     * Returns the number of entries and exits, queries run, and decisions made without one.
     */
    async updateProfiles(workspace: Workspace, touches: ReadonlyMap<string, Touch>, reason = 'event'): Promise<{ entered: number; exited: number; evaluations: number; decidedWithoutQuery: number }> {
      const levels = await realtimeLevels(workspace.id);
      return updateMemberships({ repository, traits }, { workspace, levels, touches, now: clock.now(), reason });
    },

    /** Deletes a segment, its members and its history, unless another segment refers to it. */
    async remove(workspace: Workspace, id: string, actor = 'admin'): Promise<Result<{ id: string }>> {
      const all = await repository.list(workspace.id);
      if (!all.some((s) => s.id === id)) return { ok: false, error: { type: 'segment_not_found', id } };
      const users = all.filter((s) => s.id !== id && referencedSegments(s.condition).includes(id));
      if (users.length > 0) return { ok: false, error: { type: 'in_use', message: `segment ${id} is referred to by ${users.map((s) => `"${s.name}" (${s.id})`).join(', ')}; delete those first` } };
      await repository.remove(workspace.id, id);
      realtimeCache.delete(workspace.id);
      await audit.record({ workspaceId: workspace.id, actor, action: 'segment.deleted', subject: id, details: {} });
      return { ok: true, value: { id } };
    },

    /** Entries and exits in recorded order after a cursor: the internal events journeys trigger on. */
    changesSince: (workspace: Workspace, after: { at: number; id: string } | null, limit = 1000) => repository.changesSince(workspace.id, after, Math.min(Math.max(1, limit), 10_000)),

    async members(workspace: Workspace, id: string, page: { after: string | null; limit: number }) {
      const s = await repository.get(workspace.id, id);
      if (s === null) return { ok: false as const, error: { type: 'segment_not_found' as const, id } };
      return { ok: true as const, value: await repository.members(workspace.id, id, page) };
    },

    /** Every member as CSV (profile_id,user_id,entered_at), for an admin; audited (P20). */
    async exportCsv(workspace: Workspace, id: string, actor: string): Promise<Result<string>> {
      const s = await repository.get(workspace.id, id);
      if (s === null) return { ok: false, error: { type: 'segment_not_found', id } };
      const lines = ['profile_id,user_id,entered_at'];
      for (let after: string | null = null; ;) {
        const page = await repository.members(workspace.id, id, { after, limit: 1000 });
        if (page.length === 0) break;
        for (const m of page) lines.push(`${csvCell(m.profileId)},${csvCell(m.userId ?? '')},${new Date(m.enteredAt).toISOString()}`);
        after = page[page.length - 1]!.profileId;
      }
      await audit.record({ workspaceId: workspace.id, actor, action: 'segment.exported', subject: id, details: { members: lines.length - 1 } });
      return { ok: true, value: `${lines.join('\n')}\n` };
    },

    /** A person's segments now and every entry and exit. */
    async historyOf(workspace: Workspace, ref: string): Promise<Result<{ profileId: string; current: Array<{ segmentId: string; enteredAt: number }>; changes: SegmentChange[] }>> {
      const found = await profiles.resolve(workspace.id, ref);
      if (!found.ok) return { ok: false, error: { type: 'profile_not_found' } };
      const profileId = found.value.id;
      return { ok: true, value: { profileId, current: await repository.segmentsOf(workspace.id, profileId), changes: await repository.history(workspace.id, profileId) } };
    },
  };
  return service;
}

export type SegmentService = ReturnType<typeof createSegmentService>;
