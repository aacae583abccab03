import type { ProfileRepository, StoredEvent } from '../profiles/profile-repository.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { Clock } from '../shared/clock.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Workspace } from '../workspaces/index.js';
import type { AuditService } from './audit-service.js';
import type { ConsentService, PrivacyError } from './consent-service.js';
import { EXPORT_SCHEMA_VERSION, exportDocumentSchema, type ExportDocument } from './export-schema.js';
import { PURPOSES } from './purposes.js';
import { CHANNELS } from './subscriptions.js';
import { isTraitName, TRAITS } from '../profiles/trait-registry.js';
import { exportTraitValue } from './export-trait-times.js';

const iso = (ms: number) => new Date(ms).toISOString();
const EVENT_PAGE = 1000;

/**
 * Export (P13): everything held about a person as one JSON document of the documented
 * schema (src/privacy/export-schema.ts), validated before it is returned. Audited.
 *
 * @example
 * const doc = await exporter.export(workspace, 'email:ann@example.com', 'admin_key:k1');
 */
export function createExportService(deps: {
  profiles: ProfileService; profileRepository: ProfileRepository; consent: ConsentService; audit: AuditService; mergedInto: (ws: string, id: string) => Promise<string[]>; clock: Clock;
  /** The segments the person is in now. */
  segmentsOf?: (ws: string, profileId: string) => Promise<Array<{ segmentId: string; name: string; enteredAt: number }>>;
  /** The clusters customer clustering placed the person in. */
  clustersOf?: (ws: string, profileId: string) => Promise<Array<{ modelId: string; version: number; cluster: number; description: string; at: number }>>;
  /** Recommendations shown to the person and the feedback attributed to them. */
  recommendationsOf?: (ws: string, profileId: string) => Promise<Array<{
    id: string; placement: string; personalized: boolean; modelVersion: number | null; items: Array<{ itemId: string; exploration: boolean }>; createdAt: number;
    feedback: Array<{ itemId: string; kind: 'click' | 'add_to_cart' | 'purchase'; revenue: number | null; currency: string | null; at: number }>;
  }>>;
}) {
  const { profiles, profileRepository, consent, audit, clock } = deps;
  return {
    async export(workspace: Workspace, ref: string, actor: string): Promise<Result<ExportDocument, PrivacyError>> {
      const found = await profiles.resolve(workspace.id, ref);
      if (!found.ok) return err(found.error.type === 'profile_not_found' ? { type: 'profile_not_found' } : { type: 'bad_request', message: found.error.message });
      const profile = found.value;
      const now = clock.now();
      const [identifiers, orders, merged, person, auditEntries, computed, memberships, clusters, recommendations] = await Promise.all([
        profileRepository.identifiers(workspace.id, profile.id),
        profileRepository.orders(workspace.id, profile.id, 1_000_000),
        deps.mergedInto(workspace.id, profile.id),
        consent.personPrivacy(workspace, profile.id, now),
        audit.entries(workspace.id, { subject: profile.id, limit: 1000 }),
        profileRepository.computedTraits(workspace.id, profile.id),
        deps.segmentsOf?.(workspace.id, profile.id) ?? Promise.resolve([]),
        deps.clustersOf?.(workspace.id, profile.id) ?? Promise.resolve([]),
        deps.recommendationsOf?.(workspace.id, profile.id) ?? Promise.resolve([]),
      ]);
      const isPrediction = (name: string) => isTraitName(name) && TRAITS[name].source === 'prediction';
      const events: StoredEvent[] = [];
      let before: { timestamp: number; messageId: string } | undefined;
      for (;;) {
        const page = await profileRepository.events(workspace.id, profile.id, { limit: EVENT_PAGE, before });
        events.push(...page);
        if (page.length < EVENT_PAGE) break;
        const last = page.at(-1)!;
        before = { timestamp: last.timestamp, messageId: last.messageId };
      }
      const doc: ExportDocument = {
        schemaVersion: EXPORT_SCHEMA_VERSION,
        generatedAt: iso(now),
        workspace: { id: workspace.id, name: workspace.name, jurisdiction: workspace.jurisdiction },
        profile: {
          id: profile.id, mergedProfileIds: merged, traits: profile.traits, personalizationOff: person.personalizationOff,
          minor: person.isMinor ?? null, guardianConsent: person.guardianConsent ?? false,
          firstSeenAt: iso(profile.firstSeenAt), lastSeenAt: iso(profile.lastSeenAt), createdAt: iso(profile.createdAt), updatedAt: iso(profile.updatedAt),
        },
        identifiers: identifiers.map((i) => ({ type: i.type, value: i.value, firstSeenAt: iso(i.firstSeenAt) })),
        events: events.reverse().map((e) => ({
          messageId: e.messageId, type: e.type as ExportDocument['events'][number]['type'], event: e.event, name: e.name, timestamp: iso(e.timestamp), receivedAt: iso(e.receivedAt),
          properties: e.properties, traits: e.traits, context: e.context,
        })),
        orders: orders.map((o) => ({ orderId: o.orderId, kind: o.kind, status: o.status, currency: o.currency, revenue: o.revenue, refundedAmount: o.refundedAmount, coupon: o.coupon, placedAt: iso(o.placedAt), lines: o.lines })),
        consents: {
          records: person.records.map((r) => ({ id: r.id, purpose: r.purpose, decision: r.decision, noticeVersion: r.noticeVersion, source: r.source, ...(r.method === undefined ? {} : { method: r.method }), jurisdiction: r.jurisdiction, recordedAt: iso(r.recordedAt) })),
          current: PURPOSES.map((p) => {
            const s = person.consents.purposes[p];
            return { purpose: p, allowed: s.allowed, source: s.source, legalBasis: s.legalBasis, noticeVersion: s.noticeVersion };
          }),
        },
        subscriptions: {
          records: person.subscriptionRecords.map((r) => ({ id: r.id, channel: r.channel, status: r.status, source: r.source, recordedAt: iso(r.recordedAt) })),
          current: CHANNELS.map((c) => ({ channel: c, status: person.subscriptions.channels[c].status })),
        },
        // Messages join here when that stage lands.
        computedTraits: computed === null ? [] : Object.entries(computed.traits).filter(([name]) => !isPrediction(name)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({
          name, value: exportTraitValue(name, value), computedAt: iso(computed.computedAt ?? computed.updatedAt),
          // The rule is the trait's definition in the registry (GET /v1/traits), by its source.
          origin: { kind: 'rule', ref: isTraitName(name) ? `trait-registry:${name} (${TRAITS[name].source})` : `trait:${name}` },
        })),
        segments: memberships.map((m) => ({ segmentId: m.segmentId, name: m.name, joinedAt: iso(m.enteredAt), origin: { kind: 'rule', ref: `segment:${m.segmentId}` } })),
        predictions: [
          ...(computed === null ? [] : Object.entries(computed.traits).filter(([name]) => isPrediction(name) && name !== 'prediction_model_version').sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({
            name, value: exportTraitValue(name, value), model: 'bgnbd-gamma-gamma', modelVersion: String(computed.traits['prediction_model_version'] ?? 'unknown'), computedAt: iso(computed.predictedAt ?? computed.updatedAt),
          }))),
          ...clusters.map((c) => ({ name: 'cluster', value: { number: c.cluster, description: c.description, modelId: c.modelId }, model: 'segment-clusters', modelVersion: String(c.version), computedAt: iso(c.at) })),
        ],
        messages: [],
        recommendations: recommendations.map((r) => ({
          recommendationId: r.id, placement: r.placement, personalized: r.personalized, modelVersion: r.modelVersion, items: r.items, shownAt: iso(r.createdAt),
          feedback: r.feedback.map((f) => ({ itemId: f.itemId, kind: f.kind, revenue: f.revenue, currency: f.currency, at: iso(f.at) })),
        })),
        auditEntries: auditEntries.map((a) => ({ seq: a.seq, actor: a.actor, action: a.action, details: a.details, at: iso(a.at), hash: a.hash })),
      };
      const checked = exportDocumentSchema.safeParse(doc);
      if (!checked.success) throw new Error(`export document does not match its schema: ${checked.error.message.slice(0, 500)}`);
      await audit.record({ workspaceId: workspace.id, actor, action: 'export.created', subject: profile.id, details: { events: doc.events.length, orders: doc.orders.length } });
      return ok(checked.data);
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
