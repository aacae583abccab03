import { describe, expect, it } from 'vitest';
import { normalizeMessage } from './normalize.js';

const receivedAt = Date.parse('2024-05-01T12:00:00.000Z');
const run = (raw: unknown, extra: Partial<Parameters<typeof normalizeMessage>[0]> = {}) =>
  normalizeMessage({ raw, index: 3, receivedAt, newMessageId: () => 'generated', ...extra });

describe('normalizeMessage', () => {
  it('corrects the client clock skew from sentAt (Segment spec, "Timestamps")', () => {
    // The device clock is 1 hour ahead: it says it sent at 13:00:05 an event stamped 13:00:00.
    const r = run({ type: 'track', event: 'X', userId: 'u', timestamp: '2024-05-01T13:00:00Z', sentAt: '2024-05-01T13:00:05Z' });
    expect(r.ok && new Date(r.value.timestamp).toISOString()).toBe('2024-05-01T11:59:55.000Z');
    expect(r.ok && r.value.originalTimestamp).toBe(Date.parse('2024-05-01T13:00:00Z'));
  });

  it('uses the batch sentAt for events that lack their own (analytics.js batching)', () => {
    const r = run({ type: 'track', event: 'X', userId: 'u', timestamp: '2024-05-01T11:00:00Z' }, { defaults: { sentAt: '2024-05-01T11:30:00Z' } });
    expect(r.ok && new Date(r.value.timestamp).toISOString()).toBe('2024-05-01T11:30:00.000Z');
  });

  it('keeps the client timestamp without sentAt, and uses receivedAt without any timestamp', () => {
    const a = run({ type: 'track', event: 'X', userId: 'u', timestamp: '2020-01-01T00:00:00Z' });
    expect(a.ok && a.value.timestamp).toBe(Date.parse('2020-01-01T00:00:00Z'));
    const b = run({ type: 'identify', userId: 'u' });
    expect(b.ok && b.value.timestamp).toBe(receivedAt);
    expect(b.ok && b.value.messageId).toBe('generated');
  });

  it('converts numeric ids to strings, as Segment does', () => {
    const r = run({ type: 'identify', userId: 17850, traits: { a: 1 } });
    expect(r.ok && r.value.userId).toBe('17850');
  });

  it('rejects with the index, the messageId and a reason naming the path', () => {
    expect(run({ type: 'track', userId: 'u', messageId: 'm-1' })).toEqual({ ok: false, error: { index: 3, messageId: 'm-1', reason: expect.stringContaining('event:') } });
    expect(run({ type: 'track', event: 'X' })).toMatchObject({ ok: false, error: { reason: 'userId: either userId or anonymousId is required' } });
    expect(run({ type: 'track', event: 'X', userId: 'u', properties: 'nope' })).toMatchObject({ ok: false, error: { reason: expect.stringMatching(/^properties: /) } });
    expect(run({ type: 'launch', userId: 'u' })).toMatchObject({ ok: false, error: { reason: expect.stringContaining('"launch" is not one of') } });
    expect(run({ type: 'track', event: 'X', userId: 'u', timestamp: 'yesterday' })).toMatchObject({ ok: false, error: { reason: 'timestamp: must be an ISO-8601 date-time' } });
    expect(run(['x'])).toMatchObject({ ok: false, error: { reason: 'event must be a JSON object' } });
    expect(run({ type: 'identify', userId: 'u' }, { type: 'track' })).toMatchObject({ ok: false, error: { reason: expect.stringContaining('does not match the endpoint') } });
  });

  it('refuses times that are not ISO 8601, which Date.parse would read as some other day', () => {
    // Date.parse('1') is 2001-01-01 and Date.parse('foo 3') is 2001-03-01 (V8); neither is a date-time.
    for (const field of ['timestamp', 'sentAt', 'originalTimestamp']) {
      for (const text of ['1', 'foo 3', '2024-02-30T10:00:00Z', 'March 1, 2024']) {
        expect(run({ type: 'track', event: 'X', userId: 'u', [field]: text }), `${field}: ${text}`).toMatchObject({ ok: false, error: { reason: `${field}: must be an ISO-8601 date-time` } });
      }
    }
    expect(run({ type: 'track', event: 'X', userId: 'u' }, { defaults: { sentAt: '1' } })).toMatchObject({ ok: false, error: { reason: 'sentAt: must be an ISO-8601 date-time' } });
    const r = run({ type: 'track', event: 'X', userId: 'u', originalTimestamp: '2024-05-01 10:30:00+02:00' });
    expect(r.ok && r.value.timestamp).toBe(Date.UTC(2024, 4, 1, 8, 30));
  });

  it('rejects an event nested deeper than the per-event limit when asked to check it', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });
    // The event object is level 1: properties of 31 levels make 32 in all.
    expect(run({ type: 'track', event: 'X', userId: 'u', properties: nest(31) }, { maxJsonDepth: 32 }).ok).toBe(true);
    expect(run({ type: 'track', event: 'X', userId: 'u', properties: nest(32), messageId: 'deep' }, { maxJsonDepth: 32 }))
      .toEqual({ ok: false, error: { index: 3, messageId: 'deep', reason: 'JSON nested deeper than 32 levels' } });
  });

  it('rejects an event over 32 KB', () => {
    const r = run({ type: 'track', event: 'X', userId: 'u', properties: { blob: 'x'.repeat(33 * 1024) } });
    expect(r).toMatchObject({ ok: false, error: { reason: expect.stringContaining('the limit is 32768 bytes') } });
  });
});
