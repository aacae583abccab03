import type { Clock } from '../shared/clock.js';
import { productSignals, type ObservedEvent } from './observed-events.js';
import type { FeedbackKind, FeedbackRow, RecommendationLogRow, RecommendationRepository } from './recommendation-repository.js';
import type { ServingStates } from './serving-states.js';

export type { ObservedEvent } from './observed-events.js';

/** Recently read logs kept in memory (clicks arrive soon after the response). */
const LOG_CACHE_SIZE = 10_000;

/**
 * Attribution of clicks, cart adds and purchases to the recommendation that led to them: an
 * event that carries a recommendation id (`properties.recommendation_id`, or
 * `products[].recommendation_id` on `Order Completed`) for an item that recommendation showed
 * becomes a feedback row (once per event, item and kind: a retried event counts once), and
 * the item's first response to a given recommendation counts for the exploration bandit.
 * Ids that name no recommendation of the workspace, or items it did not show, are ignored.
 *
 * @example
 * const tracker = createFeedbackTracker({ repository, states, clock, log });
 * await tracker.observe(workspaceId, events, (id) => null);
 */
export function createFeedbackTracker(deps: { repository: RecommendationRepository; states: ServingStates; clock: Clock; log: (message: string, error?: unknown) => void }) {
  const cache = new Map<string, RecommendationLogRow | null>();
  const remember = (key: string, row: RecommendationLogRow | null) => {
    if (cache.size >= LOG_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, row);
  };

  return {
    /** Drops cached logs of these profiles (erasure). */
    forget(workspaceId: string, profileIds: ReadonlySet<string>): void {
      for (const [key, row] of cache) if (row !== null && key.startsWith(`${workspaceId}\u0000`) && row.profileId !== null && profileIds.has(row.profileId)) cache.delete(key);
    },

    async observe(workspaceId: string, events: readonly ObservedEvent[], pending: (id: string) => RecommendationLogRow | null): Promise<void> {
      const candidates: Array<{ event: ObservedEvent; itemId: string; kind: FeedbackKind; quantity: number; price: number | null; recommendationId: string }> = [];
      for (const event of events) {
        for (const s of productSignals(event)) {
          if (s.recommendationId === null) continue;
          const kind: FeedbackKind = s.kind === 'purchase' ? 'purchase' : s.kind === 'add_to_cart' ? 'add_to_cart' : 'click';
          candidates.push({ event, itemId: s.itemId, kind, quantity: s.quantity, price: s.price, recommendationId: s.recommendationId });
        }
      }
      if (candidates.length === 0) return;
      const logs = new Map<string, RecommendationLogRow | null>();
      for (const c of candidates) {
        if (logs.has(c.recommendationId)) continue;
        const key = `${workspaceId}\u0000${c.recommendationId}`;
        let row = pending(c.recommendationId) ?? cache.get(key);
        if (row === undefined || row === null) {
          row = c.recommendationId.length > 200 ? null : await deps.repository.getLog(workspaceId, c.recommendationId);
          if (row !== null) remember(key, row);
        }
        logs.set(c.recommendationId, row);
      }
      const rows: FeedbackRow[] = [];
      for (const c of candidates) {
        const log = logs.get(c.recommendationId);
        if (log === null || log === undefined || !log.items.some((i) => i.itemId === c.itemId)) continue;
        const currency = typeof c.event.properties.currency === 'string' ? c.event.properties.currency.toUpperCase() : null;
        rows.push({
          id: `${c.event.messageId}:${c.itemId}:${c.kind}`, recommendationId: c.recommendationId, profileId: c.event.profileId, placement: log.placement,
          itemId: c.itemId, kind: c.kind, revenue: c.kind === 'purchase' && c.price !== null ? Math.round(c.price * c.quantity * 100) / 100 : null,
          currency: c.kind === 'purchase' ? currency : null, messageId: c.event.messageId, at: c.event.timestamp,
        });
      }
      if (rows.length === 0) return;
      // The pairs (recommendation, item) that had a response before this batch.
      const answered = new Set<string>();
      for (const id of new Set(rows.map((r) => r.recommendationId))) {
        for (const f of await deps.repository.feedbackOf(workspaceId, id)) answered.add(`${f.recommendationId}\u0000${f.itemId}`);
      }
      const fresh = await deps.repository.addFeedback(workspaceId, rows);
      for (const f of fresh) {
        const pair = `${f.recommendationId}\u0000${f.itemId}`;
        if (answered.has(pair)) continue;
        answered.add(pair);
        deps.states.recordResponse(workspaceId, f.placement, f.itemId);
      }
    },
  };
}
