import { describe, expect, it } from 'vitest';
import { EXPORT_SCHEMA_VERSION, exportDocumentJsonSchema, exportDocumentSchema } from './export-schema.js';

const t = '2024-05-01T12:00:00.000Z';

function documentFixture(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    generatedAt: t,
    workspace: { id: 'w1', name: 'Demo shop', jurisdiction: 'CN' },
    profile: { id: 'p1', mergedProfileIds: ['p0'], traits: { firstName: 'Ann' }, personalizationOff: false, minor: null, guardianConsent: false, firstSeenAt: t, lastSeenAt: t, createdAt: t, updatedAt: t },
    identifiers: [{ type: 'email', value: 'ann@example.com', firstSeenAt: t }],
    events: [{ messageId: 'm1', type: 'track', event: 'Product Viewed', name: null, timestamp: t, receivedAt: t, properties: { product_id: 'sku-1' }, traits: {}, context: { ip: '203.0.113.9' } }],
    orders: [{ orderId: 'o1', kind: 'order', status: 'completed', currency: 'CNY', revenue: 99.5, refundedAmount: 0, coupon: null, placedAt: t, lines: [{ itemId: 'sku-1', name: 'Tea', category: null, price: 99.5, quantity: 1 }] }],
    consents: {
      records: [{ id: 'c1', purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1', source: 'ui', jurisdiction: 'CN', recordedAt: t }],
      current: [{ purpose: 'marketing_email', allowed: true, source: 'record', legalBasis: 'consent', noticeVersion: 'v1' }],
    },
    subscriptions: {
      records: [{ id: 's1', channel: 'email', status: 'subscribed', source: 'double_opt_in', recordedAt: t }],
      current: [{ channel: 'email', status: 'subscribed' }, { channel: 'sms', status: 'not_subscribed' }],
    },
    computedTraits: [{ name: 'rfm_segment', value: '555', computedAt: t, origin: { kind: 'rule', ref: 'rfm-quintiles' } }],
    segments: [{ segmentId: 'sg1', name: 'Tea lovers', joinedAt: t, origin: { kind: 'rule', ref: 'sg1' } }],
    predictions: [{ name: 'churn_risk', value: 0.12, model: 'bg-nbd', modelVersion: '2024-04-30', computedAt: t }],
    messages: [{ messageId: 'msg1', channel: 'email', class: 'transactional', kind: 'order_confirmation', templateId: 'tpl1', journeyId: null, status: 'delivered', sentAt: t }],
    recommendations: [{ recommendationId: 'r1', placement: 'home', personalized: true, modelVersion: 3, items: [{ itemId: 'mug', exploration: false }], shownAt: t, feedback: [{ itemId: 'mug', kind: 'click', revenue: null, currency: null, at: t }] }],
    auditEntries: [{ seq: 7, actor: 'admin_key:k1', action: 'profile.read', details: {}, at: t, hash: 'a'.repeat(64) }],
    ...overrides,
  };
}

describe('exportDocumentSchema (P13)', () => {
  it('accepts a complete document', () => {
    const parsed = exportDocumentSchema.parse(documentFixture());
    expect(parsed.schemaVersion).toBe(EXPORT_SCHEMA_VERSION);
    expect(parsed.consents.records[0]?.purpose).toBe('marketing_email');
  });

  it('holds every section PRIVACY.md P13 lists', () => {
    const keys = Object.keys(exportDocumentSchema.shape);
    for (const section of ['profile', 'identifiers', 'events', 'orders', 'consents', 'subscriptions', 'computedTraits', 'segments', 'predictions', 'messages', 'recommendations', 'auditEntries', 'schemaVersion']) {
      expect(keys).toContain(section);
    }
  });

  it('refuses another schema version, unknown sections, and times that are not ISO UTC', () => {
    expect(exportDocumentSchema.safeParse(documentFixture({ schemaVersion: 2 })).success).toBe(false);
    expect(exportDocumentSchema.safeParse(documentFixture({ extra: [] })).success).toBe(false);
    const r = exportDocumentSchema.safeParse(documentFixture({ generatedAt: 1714564800000 }));
    expect(r.error?.issues[0]?.path).toEqual(['generatedAt']);
    expect(exportDocumentSchema.safeParse(documentFixture({ generatedAt: '2024-05-01 12:00' })).success).toBe(false);
  });

  it('names the path of a bad nested value', () => {
    const doc = documentFixture();
    doc.consents.records[0]!.purpose = 'ads';
    const r = exportDocumentSchema.safeParse(doc);
    expect(r.error?.issues[0]?.path).toEqual(['consents', 'records', 0, 'purpose']);
  });

  it('yields a JSON Schema for the documentation', () => {
    const schema = exportDocumentJsonSchema() as { properties: Record<string, { const?: unknown }>; required: string[] };
    expect(schema.properties['schemaVersion']?.const).toBe(1);
    expect(schema.required).toContain('auditEntries');
  });
});
