import type { SegmentType } from '../contracts/segment.js';
import type { WorkspaceSettings } from '../contracts/workspace.js';
import {
  aliasPreviousIdentifier, extractIdentifiers, identifierKey, identityRules, IdentityGraph, MAX_IDENTIFIER_LENGTH, overlongIdentifier, resolveIdentifiers,
  type Identifier, type IdentityRules, type Resolution,
} from '../identity/index.js';
import { orderChangeFromEvent, type OrderChange } from '../orders/order-events.js';
import { applyOrderChange } from '../orders/order-state.js';
import type { Clock } from '../shared/clock.js';
import { consentRecordFrom } from '../privacy/consent-input.js';
import { consentStateAt, type ConsentRecord } from '../privacy/consent-ledger.js';
import { consentFromIdentify } from '../privacy/identify-consent.js';
import { declaresAge } from '../privacy/minors.js';
import { suppressionHash } from '../privacy/suppression.js';
import { filterIdentifyTraits } from '../profiles/trait-policy.js';
import { emptyTraitState, foldTraitState, mergeTraitStates } from '../profiles/trait-state.js';
import type { Jurisdiction } from '../contracts/workspace.js';
import type { Ids } from '../shared/ids.js';
import type { IngestRepository, IngestUnitOfWork, OrderRow, ProfileState } from './ingest-repository.js';
import { normalizeMessage, rawMessageIdOf, type BatchDefaults, type NormalizedEvent, type Rejection } from './normalize.js';

export interface IngestInput {
  workspace: { id: string; jurisdiction: Jurisdiction; settings: WorkspaceSettings };
  messages: ReadonlyArray<{ raw: unknown; type?: SegmentType | undefined }>;
  defaults?: BatchDefaults | undefined;
  /** Where the events came from, stored on derived orders (`api`, `import:events`). */
  source?: string | undefined;
  /** Per-event size limit; file imports pass `INGEST_LIMITS.maxImportedEventBytes`. */
  maxEventBytes?: number | undefined;
  /** Per-event nesting limit, checked on each event when given (see `normalizeMessage`). */
  maxJsonDepth?: number | undefined;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  /** The profile each accepted event was attributed to, by message id. */
  profiles: Map<string, string>;
  merges: number;
  conflicts: number;
  /** Names of `identify` traits not stored under the workspace's undeclared-trait policy (`traits.undeclared: drop`). */
  droppedTraits: string[];
  /**
   * Order events stored whose change to their order was not applied, with why (a refund in
   * another currency than the order's, a refund of products the order does not have).
   */
  ordersNotApplied: Array<{ index: number; messageId: string; reason: string }>;
}

interface Pending {
  workspace: { id: string; jurisdiction: Jurisdiction; settings: WorkspaceSettings };
  source: string;
  valid: Array<{ event: NormalizedEvent; order: OrderChange | null; index: number }>;
  result: IngestResult;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Committed events, handed to listeners after the transaction (real-time traits, segments,
 * journeys), as stored (identify traits dropped by the workspace's policy left out), with the
 * consent records these events wrote (consent sent with any call, PRIVACY.md P2) and the
 * profiles whose consent they changed — a privacy change for them (P5).
 */
export type IngestListener = (committed: {
  workspaceId: string;
  /** Where the events came from (`api`, `import:events`), as given to `ingest`. */
  source: string;
  events: ReadonlyArray<{ event: NormalizedEvent; profileId: string; merges: number }>;
  /** The profile rows the transaction wrote, as written (each live profile the events went to). */
  profiles: readonly ProfileState[];
  privacyChanged: readonly string[];
  /** The consent ledger records written in the transaction, in append order. */
  consentRecords: readonly ConsentRecord[];
}) => void | Promise<void>;

/**
 * The ingest path (DESIGN.md): validate → dedupe on messageId → resolve identity → commit
 * events, profiles, identities, merges and derived orders in ONE transaction. The caller
 * acknowledges the request only after `ingest` resolves, i.e. after the commit.
 *
 * @example
 * const ingest = createIngestService({ repository, clock, ids });
 * await ingest.ingest({ workspace, messages: [{ raw: { userId: 'u1', event: 'Signed Up' }, type: 'track' }] });
 */
export function createIngestService(deps: {
  repository: IngestRepository;
  clock: Clock;
  ids: Ids;
  /** Told about identify traits dropped by the undeclared-trait policy (the server logs them). */
  onDroppedTraits?: (workspaceId: string, names: readonly string[]) => void;
  /** Fold each event into the profile's incremental trait state (default true; bench/profiles measures the cost by turning it off). */
  incrementalTraits?: boolean;
}) {
  const incrementalTraits = deps.incrementalTraits ?? true;
  const { repository, clock, ids } = deps;
  const listeners: IngestListener[] = [];
  const rulesCache = new WeakMap<object, IdentityRules>();
  const rulesFor = (settings: WorkspaceSettings) => {
    let rules = rulesCache.get(settings.identity);
    if (rules === undefined) rulesCache.set(settings.identity, (rules = identityRules(settings.identity)));
    return rules;
  };

  async function ingest(input: IngestInput): Promise<IngestResult> {
    const receivedAt = clock.now();
    const rejected: Rejection[] = [];
    const valid: Array<{ event: NormalizedEvent; order: OrderChange | null; index: number }> = [];
    const seenInBatch = new Set<string>();
    let duplicates = 0;

    input.messages.forEach((message, index) => {
      const r = normalizeMessage({ raw: message.raw, type: message.type, index, receivedAt, defaults: input.defaults, newMessageId: ids.uuid, maxEventBytes: input.maxEventBytes, maxJsonDepth: input.maxJsonDepth });
      if (!r.ok) {
        rejected.push(r.error);
        return;
      }
      const event = r.value;
      // An identifier over the limit rejects the event, as an over-long userId does (README "Limits").
      const overlong = overlongIdentifier(event, rulesFor(input.workspace.settings));
      if (overlong !== null) {
        rejected.push({ index, messageId: rawMessageIdOf(message.raw), reason: `${overlong}: must be at most ${MAX_IDENTIFIER_LENGTH} characters` });
        return;
      }
      let order: OrderChange | null = null;
      if (event.type === 'track' && event.event !== null) {
        const o = orderChangeFromEvent(event.event, event.properties, input.workspace.settings.defaultCurrency);
        if (!o.ok) {
          rejected.push({ index, messageId: rawMessageIdOf(message.raw), reason: o.error });
          return;
        }
        order = o.value;
      }
      if (seenInBatch.has(event.messageId)) {
        duplicates++;
        return;
      }
      seenInBatch.add(event.messageId);
      valid.push({ event, order, index });
    });

    const result: IngestResult = { accepted: 0, duplicates, rejected, profiles: new Map(), merges: 0, conflicts: 0, droppedTraits: [], ordersNotApplied: [] };
    if (valid.length === 0) return result;
    return new Promise<IngestResult>((resolve, reject) => {
      queue.push({ workspace: input.workspace, source: input.source ?? 'api', valid, result, resolve, reject });
      if (!draining) void drain();
    });
  }

  /**
   * Group commit: batches that arrive while a transaction runs wait in the queue and are
   * committed together by the next one (same workspace and source). Each caller's promise
   * resolves only after the transaction holding its events has committed. A commit costs
   * milliseconds on ordinary disks, so this multiplies throughput under concurrent load
   * and costs nothing when requests come one at a time.
   */
  const queue: Pending[] = [];
  let draining = false;
  const MAX_GROUP_EVENTS = 5_000;
  const MAX_GATHER_TURNS = 4;

  /**
   * SQLite runs statements synchronously, so while a transaction runs no other request is
   * read. Before starting one, give the event loop a few turns to read the requests that
   * arrived meanwhile, for as long as each turn brings more (at most 4 turns): under load a
   * group then holds every batch in flight and one commit serves them all (a commit costs
   * as much as inserting hundreds of rows); a lone request waits one turn (microseconds).
   */
  async function gather(): Promise<void> {
    for (let turn = 0; turn < MAX_GATHER_TURNS; turn++) {
      const before = queue.length;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (queue.length === before || queueEvents() >= MAX_GROUP_EVENTS) return;
    }
  }
  const queueEvents = () => queue.reduce((n, p) => n + p.valid.length, 0);

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        await gather();
        const first = queue[0]!;
        const group: Pending[] = [];
        let size = 0;
        for (let i = 0; i < queue.length && size < MAX_GROUP_EVENTS;) {
          const p = queue[i]!;
          if (p.workspace.id === first.workspace.id && p.source === first.source) {
            group.push(p);
            size += p.valid.length;
            queue.splice(i, 1);
          } else i++;
        }
        try {
          await commitGroup(group);
        } catch (error) {
          if (group.length === 1) {
            group[0]!.reject(error);
            continue;
          }
          // Isolate the failure: commit each member on its own.
          for (const p of group) {
            try {
              await commitGroup([p]);
            } catch (own) {
              p.reject(own);
            }
          }
        }
      }
    } finally {
      draining = false;
    }
  }

  async function commitGroup(group: Pending[]): Promise<void> {
    const { workspace, source } = group[0]!;
    const rules = rulesFor(workspace.settings);
    const owner: Pending[] = [];
    const batch: Array<{ event: NormalizedEvent; order: OrderChange | null; index: number }> = [];
    const seen = new Set<string>();
    for (const p of group) {
      for (const v of p.valid) {
        if (seen.has(v.event.messageId)) {
          p.result.duplicates++;
          continue;
        }
        seen.add(v.event.messageId);
        batch.push(v);
        owner.push(p);
      }
    }
    const { committed, profiles, privacyChanged, consentRecords } = await repository.withIdentityLock(workspace.id, async (uow) => {
      const nothing = { committed: [], profiles: [], privacyChanged: [], consentRecords: [] };
      const existing = await uow.existingMessageIds(batch.map((v) => v.event.messageId));
      const freshBatch: typeof batch = [];
      const freshOwner: Pending[] = [];
      batch.forEach((v, i) => {
        if (existing.has(v.event.messageId)) owner[i]!.result.duplicates++;
        else {
          freshBatch.push(v);
          freshOwner.push(owner[i]!);
        }
      });
      if (freshBatch.length === 0) return nothing;
      // Erased persons (P14): events carrying an identifier on the suppression list are dropped.
      const kept = await dropSuppressed(uow, freshBatch, rules);
      const keptBatch: typeof batch = [];
      const keptOwner: Pending[] = [];
      freshBatch.forEach((v, i) => {
        if (kept[i]) {
          keptBatch.push(v);
          keptOwner.push(freshOwner[i]!);
        } else freshOwner[i]!.result.rejected.push({ index: v.index, messageId: v.event.messageId, reason: 'suppressed: this person was erased; events about them are not stored' });
      });
      if (keptBatch.length === 0) return nothing;
      const done = await commitBatch({ uow, batch: keptBatch, rules, workspace, source });
      return { committed: done.committed.map((c, i) => ({ ...c, owner: keptOwner[i]!, index: keptBatch[i]!.index, orderNotApplied: done.ordersNotApplied.get(c.event.messageId) })), profiles: done.profiles, privacyChanged: done.privacyChanged, consentRecords: done.consentRecords };
    });
    const dropped = new Set<string>();
    for (const c of committed) {
      c.owner.result.accepted++;
      c.owner.result.profiles.set(c.event.messageId, c.profileId);
      c.owner.result.merges += c.merges;
      c.owner.result.conflicts += c.conflicts;
      if (c.orderNotApplied !== undefined) c.owner.result.ordersNotApplied.push({ index: c.index, messageId: c.event.messageId, reason: c.orderNotApplied });
      for (const name of c.droppedTraits) {
        dropped.add(name);
        if (!c.owner.result.droppedTraits.includes(name)) c.owner.result.droppedTraits.push(name);
      }
    }
    if (dropped.size > 0) {
      for (const p of group) p.result.droppedTraits.sort();
      deps.onDroppedTraits?.(workspace.id, [...dropped].sort());
    }
    const events = committed.map(({ event, profileId, merges }) => ({ event, profileId, merges }));
    for (const listener of listeners) await listener({ workspaceId: workspace.id, source, events, profiles, privacyChanged, consentRecords });
    for (const p of group) p.resolve(p.result);
  }

  async function commitBatch(args: {
    uow: IngestUnitOfWork;
    batch: Array<{ event: NormalizedEvent; order: OrderChange | null }>;
    rules: IdentityRules;
    workspace: Pending['workspace'];
    source: string;
  }): Promise<{
    committed: Array<{ event: NormalizedEvent; profileId: string; merges: number; conflicts: number; droppedTraits: string[] }>;
    /** The profile rows written. */
    profiles: ProfileState[];
    /** Profiles whose consent ledger these events changed (or who declared their age). */
    privacyChanged: string[];
    consentRecords: ConsentRecord[];
    /** Order events whose change was not applied, by message id, with the reason. */
    ordersNotApplied: Map<string, string>;
  }> {
    const { uow, batch, rules } = args;
    const now = clock.now();

    // 1. Load the part of the identity graph this batch can touch.
    const perEvent = batch.map(({ event }) => {
      const identifiers = extractIdentifiers(event, rules);
      // alias: previousId may name a user id or an anonymous id; load both candidates.
      const aliasCandidates: Identifier[] = event.type === 'alias' && event.previousId !== null
        ? [{ type: 'user_id', value: event.previousId }, { type: 'anonymous_id', value: event.previousId }]
        : [];
      return { identifiers, lookedUp: [...identifiers, ...aliasCandidates] };
    });
    const wanted = new Map<string, Identifier>();
    for (const p of perEvent) for (const id of p.lookedUp) wanted.set(identifierKey(id), id);
    const rows = new Map((await uow.findIdentities([...wanted.values()])).map((r) => [identifierKey(r), r]));
    // A profile's other identifiers matter only to an event that may attach identifiers to it or
    // merge it (limits per type, conflicting user ids): one with an identifier nobody owns, with
    // identifiers of several profiles, or an alias. An event whose identifiers all belong to one
    // profile resolves to it, whatever else that profile holds — the usual returning visitor.
    const involved = new Set<string>();
    batch.forEach(({ event }, i) => {
      const owners = new Set<string>();
      let unowned = false;
      for (const id of perEvent[i]!.lookedUp) {
        const owner = rows.get(identifierKey(id))?.profileId;
        if (owner === undefined) unowned = true;
        else owners.add(owner);
      }
      if (unowned || owners.size > 1 || event.type === 'alias') for (const owner of owners) involved.add(owner);
    });
    for (const r of await uow.identitiesOfProfiles([...involved])) rows.set(identifierKey(r), r);
    const graph = new IdentityGraph(rows.values());

    // 2. Resolve each event in order against the working graph.
    const newProfiles = new Set<string>();
    const resolutions: Resolution[] = [];
    batch.forEach(({ event }, i) => {
      const identifiers = [...perEvent[i]!.identifiers];
      if (event.type === 'alias' && event.previousId !== null) identifiers.push(aliasPreviousIdentifier(graph, event.previousId));
      const r = resolveIdentifiers({ graph, identifiers, rules, newProfileId: ids.uuid, reason: event.type === 'alias' ? 'alias' : 'shared_identifier' });
      if (r.createdProfile) newProfiles.add(r.profileId);
      resolutions.push(r);
    });

    // 3. Profile states: existing ones loaded, new ones started; merges fold traits and times.
    const touched = new Set<string>();
    for (const r of resolutions) {
      touched.add(r.profileId);
      for (const m of r.merges) { touched.add(m.from); touched.add(m.into); }
    }
    const states = new Map<string, ProfileState>();
    for (const p of await uow.loadProfiles([...touched].filter((id) => !newProfiles.has(id)))) states.set(p.id, p);
    const stateOf = (id: string, at: number): ProfileState => {
      let s = states.get(id);
      if (s === undefined) states.set(id, (s = { id, traits: {}, firstSeenAt: at, lastSeenAt: at, createdAt: now, traitState: incrementalTraits ? emptyTraitState() : null }));
      return s;
    };

    const mergeRecords: Array<Parameters<IngestUnitOfWork['mergeProfile']>[0]> = [];
    const identifierTraits = rules.customTypes.flatMap((c) => (c.trait === undefined ? [] : [c.trait]));
    // The undeclared-trait policy decides what is stored, in the profile and in the event alike
    // (README: such traits "are then not stored"); listeners and participants see the event as stored.
    const filtered = batch.map(({ event }) => {
      if (event.type !== 'identify') return { event, kept: {}, dropped: [] as string[] };
      // Consent sent as a trait goes to the consent ledger, not into the profile's traits (the event keeps it: the ledger reads it there).
      const { consent: _consent, ...traits } = event.traits;
      const { kept, dropped } = filterIdentifyTraits({ traits, settings: args.workspace.settings.traits, identifierTraits });
      if (dropped.length === 0) return { event, kept, dropped };
      const gone = new Set(dropped);
      return { event: { ...event, traits: Object.fromEntries(Object.entries(event.traits).filter(([name]) => !gone.has(name))) }, kept, dropped };
    });
    filtered.forEach(({ event, kept }, i) => {
      const r = resolutions[i]!;
      for (const m of r.merges) {
        const from = stateOf(m.from, event.timestamp);
        const into = stateOf(m.into, event.timestamp);
        // The surviving profile's traits win over the merged one's; history is kept whole.
        into.traits = { ...from.traits, ...into.traits };
        into.firstSeenAt = Math.min(into.firstSeenAt, from.firstSeenAt);
        into.lastSeenAt = Math.max(into.lastSeenAt, from.lastSeenAt);
        into.createdAt = Math.min(into.createdAt, from.createdAt);
        into.traitState = into.traitState === null || from.traitState === null ? into.traitState ?? from.traitState : mergeTraitStates(into.traitState, from.traitState);
        mergeRecords.push({ id: ids.uuid(), from: m.from, into: m.into, reason: m.reason, identifier: m.identifier, messageId: event.messageId, at: now });
      }
      const s = stateOf(r.profileId, event.timestamp);
      // Incremental computed traits (activity, journey signals), folded as the event is attributed.
      if (incrementalTraits) s.traitState = foldTraitState(s.traitState ?? emptyTraitState(), [{ type: event.type, event: event.type === 'track' ? event.event : null, timestamp: event.timestamp, properties: event.properties, context: event.context, ...(event.type === 'identify' ? { traits: event.traits } : {}) }]);
      // A state that did not see this event no longer covers the person's whole history (the real-time segment update relies on `complete`).
      else if (s.traitState !== null && s.traitState.complete) s.traitState = { ...s.traitState, complete: false };
      s.firstSeenAt = Math.min(s.firstSeenAt, event.timestamp);
      s.lastSeenAt = Math.max(s.lastSeenAt, event.timestamp);
      if (event.type === 'identify') s.traits = { ...s.traits, ...kept };
    });

    // 4. Write: profiles first (merges point at them), then merges, identities, events, orders.
    // A profile created and merged away within this batch is never written; its merge record stays.
    const survivors = [...states.values()].filter((s) => graph.canonical(s.id) === s.id);
    await uow.upsertProfiles(survivors, now);
    for (const m of mergeRecords) await uow.mergeProfile(m);

    const identityRows: Array<{ identifier: Identifier; profileId: string; at: number; messageId: string | null }> = [];
    const conflictRows: Parameters<IngestUnitOfWork['insertConflicts']>[0][number][] = [];
    batch.forEach(({ event }, i) => {
      const r = resolutions[i]!;
      for (const id of r.attached) identityRows.push({ identifier: id, profileId: graph.canonical(r.profileId), at: event.timestamp, messageId: event.messageId });
      for (const c of r.conflicts) {
        conflictRows.push({ id: ids.uuid(), profileId: graph.canonical(c.profileId), otherProfileId: c.otherProfileId, identifier: c.identifier, reason: c.reason, messageId: event.messageId, at: now });
      }
    });
    await uow.insertIdentities(identityRows);
    await uow.insertConflicts(conflictRows);

    const committed = filtered.map(({ event, dropped }, i) => ({
      event, profileId: graph.canonical(resolutions[i]!.profileId), merges: resolutions[i]!.merges.length, conflicts: resolutions[i]!.conflicts.length,
      droppedTraits: dropped,
    }));
    await uow.insertEvents(committed);

    const notApplied = await applyOrderChanges(uow, batch.map((b, i) => ({ ...b, profileId: committed[i]!.profileId })), args.source, now);
    const consentRecords = await recordCallConsent(uow, committed, args.workspace, now);
    const orderIds = [...new Set(batch.flatMap(({ order }) => (order === null ? [] : [order.orderId])))];
    await uow.afterBatch({ workspaceId: args.workspace.id, events: committed, merges: mergeRecords.map(({ from, into }) => ({ from, into })), orderIds, now });
    // A person's age decides what the policy allows for them (P11): an identify that declares it is a privacy change, as consent is.
    const declaredAge = committed.filter(({ event }) => event.type === 'identify' && declaresAge(event.traits)).map((c) => c.profileId);
    return { committed, profiles: survivors, privacyChanged: [...new Set([...consentRecords.map((r) => r.profileId), ...declaredAge])], consentRecords, ordersNotApplied: new Map(notApplied.map((n) => [n.messageId, n.reason])) };
  }

  /** Marks which events may be stored: false for those naming an erased person. */
  async function dropSuppressed(uow: IngestUnitOfWork, batch: ReadonlyArray<{ event: NormalizedEvent }>, rules: IdentityRules): Promise<boolean[]> {
    const salt = await uow.suppressionSalt();
    if (salt === null) return batch.map(() => true);
    const hashesPerEvent = batch.map(({ event }) => {
      const identifiers = extractIdentifiers(event, rules);
      if (event.type === 'alias' && event.previousId !== null) identifiers.push({ type: 'user_id', value: event.previousId }, { type: 'anonymous_id', value: event.previousId });
      return identifiers.map((identifier) => suppressionHash({ salt, identifier })).filter((h): h is string => h !== null);
    });
    const listed = await uow.findSuppressed([...new Set(hashesPerEvent.flat())]);
    return hashesPerEvent.map((hs) => !hs.some((h) => listed.has(h)));
  }

  /**
   * Consent carried by a call becomes ledger records: `context.consent` of any call (Segment
   * Consent Management sends changes as a track, "Segment Consent Preference Updated", and
   * repeats the preferences on every event), `traits.consent` of identify (only identify has
   * traits). Returns the records written, in append order: all share `now`, and their ids,
   * made one after another, keep that order when the ledger is read back by (time, id).
   */
  async function recordCallConsent(uow: IngestUnitOfWork, committed: ReadonlyArray<{ event: NormalizedEvent; profileId: string }>, workspace: Pending['workspace'], now: number): Promise<ConsentRecord[]> {
    const carrierOf = (event: NormalizedEvent) => (event.type === 'identify' ? { traits: event.traits, context: event.context } : { context: event.context });
    const carriers = committed.filter(({ event }) => event.context.consent !== undefined || (event.type === 'identify' && event.traits.consent !== undefined));
    if (carriers.length === 0) return [];
    const context = { jurisdiction: workspace.jurisdiction, overrides: workspace.settings.privacy.defaults.overrides, notices: workspace.settings.privacy.notices };
    const existing = await uow.consentRecords([...new Set(carriers.map((c) => c.profileId))]);
    const byProfile = new Map<string, ConsentRecord[]>();
    for (const r of existing) byProfile.set(r.profileId, [...(byProfile.get(r.profileId) ?? []), r]);
    const fresh: ConsentRecord[] = [];
    for (const { event, profileId } of carriers) {
      const records = byProfile.get(profileId) ?? [];
      const state = consentStateAt({ records, workspace: context, at: now });
      const r = consentFromIdentify({ message: carrierOf(event), settings: workspace.settings.privacy.identifyConsent, workspace: context, state, now });
      for (const decision of r.decisions) {
        // The method names the call when it is not an identify: the record shows how the decision arrived (GDPR 7(1)).
        const input = event.type === 'identify' ? decision : { ...decision, method: `${event.type}: ${decision.method ?? ''}`.slice(0, 200) };
        const made = consentRecordFrom({ input, profileId, workspace: context, now, id: ids.uuid() });
        if (!made.ok) continue;
        records.push(made.value);
        fresh.push(made.value);
      }
      byProfile.set(profileId, records);
    }
    if (fresh.length > 0) await uow.insertConsentRecords(fresh);
    return fresh;
  }

  return {
    ingest,
    /** Events validated and waiting for their group commit (metrics). */
    waitingEvents: () => queueEvents(),
    /** Registers a listener called after each committed batch. */
    onCommitted(listener: IngestListener): void {
      listeners.push(listener);
    },
  };
}

/**
 * Applies the batch's order events, in order, to the orders they name: one read of those
 * orders (with their lines) and one write, and nothing at all for a batch without order
 * events. The rules, which make the result independent of the order of arrival, are in
 * `applyOrderChange`. Returns the events whose change was not applied, with the reason
 * (e.g. a refund in another currency than its order's); the events themselves are stored.
 */
async function applyOrderChanges(
  uow: IngestUnitOfWork,
  items: ReadonlyArray<{ event: NormalizedEvent; order: OrderChange | null; profileId: string }>,
  source: string,
  now: number,
): Promise<Array<{ messageId: string; reason: string }>> {
  const changes = items.flatMap(({ event, order, profileId }) => (order === null ? [] : [{ event, order, profileId }]));
  if (changes.length === 0) return [];
  const orders = new Map<string, OrderRow>((await uow.getOrders([...new Set(changes.map((c) => c.order.orderId))])).map((o) => [o.orderId, o]));
  const changed = new Set<string>();
  const notApplied: Array<{ messageId: string; reason: string }> = [];
  for (const { event, order, profileId } of changes) {
    const outcome = applyOrderChange(orders.get(order.orderId) ?? null, order, { profileId, timestamp: event.timestamp, messageId: event.messageId, source, now });
    if (!outcome.applied) {
      notApplied.push({ messageId: event.messageId, reason: outcome.reason });
      continue;
    }
    orders.set(order.orderId, outcome.order);
    changed.add(order.orderId);
  }
  await uow.upsertOrders([...changed].map((id) => orders.get(id)!));
  return notApplied;
}

export type IngestService = ReturnType<typeof createIngestService>;
