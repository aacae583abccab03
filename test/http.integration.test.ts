import { afterAll, expect, it } from 'vitest';
import { describeEachEngine } from './support/engines.js';
import { appFor, basic, bearer } from './support/app.js';
import { trackMessage } from './support/factories.js';

describeEachEngine('HTTP API', (engine) => {
  afterAll(() => engine.cleanup());

  it('ingests with Basic auth, with writeKey in a text/plain body (analytics-next), and on the short paths', async () => {
    const store = await engine.open();
    try {
      const { post, get, a } = await appFor(store);
      const r1 = await post('/v1/track', trackMessage({ userId: 'u1' }), { authorization: basic(a.keys.write) });
      expect(r1.status).toBe(200);
      expect(await r1.json()).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
      const r2 = await post('/v1/t', JSON.stringify({ ...trackMessage({ userId: 'u1' }), writeKey: a.keys.write }), { 'content-type': 'text/plain' });
      expect(r2.status).toBe(200);
      const r3 = await post('/v1/b', { writeKey: a.keys.write, sentAt: new Date().toISOString(), batch: [{ type: 'page', anonymousId: 'an', name: 'Home' }, { type: 'identify', userId: 'u1', traits: { email: 'u1@x.io' } }] }, { 'content-type': 'text/plain' });
      expect(await r3.json()).toMatchObject({ accepted: 2 });
      const p = await get('/v1/profiles/email:U1@x.io', a.keys.admin);
      expect(p.status).toBe(200);
      const body = await p.json() as { events: unknown[]; identifiers: Array<{ type: string }> };
      expect(body.events).toHaveLength(3);
      expect(body.identifiers.map((i) => i.type).sort()).toEqual(['email', 'user_id']);
    } finally {
      await store.close();
    }
  });

  it('answers 401 for a missing or unknown key, 403 for a write key on admin routes', async () => {
    const store = await engine.open();
    try {
      const { post, get, a } = await appFor(store);
      expect((await post('/v1/track', trackMessage())).status).toBe(401);
      const unknown = await post('/v1/track', trackMessage(), { authorization: basic('tw_nope') });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toMatchObject({ error: { code: 'unauthorized', message: 'unknown or revoked API key' } });
      const forbidden = await get('/v1/profiles', a.keys.write);
      expect(forbidden.status).toBe(403);
    } finally {
      await store.close();
    }
  });

  it('gives another workspace 404 and no data', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, get, a, b } = await appFor(store);
      await post('/v1/identify', { userId: 'secret-user', traits: { email: 'vip@x.io' } }, { authorization: basic(a.keys.write) });
      const own = await get('/v1/profiles/user_id:secret-user', a.keys.admin);
      expect(own.status).toBe(200);
      const { profile } = await own.json() as { profile: { id: string } };
      for (const ref of ['user_id:secret-user', `profile_id:${profile.id}`, profile.id, 'email:vip@x.io']) {
        const other = await get(`/v1/profiles/${encodeURIComponent(ref)}`, b.keys.admin);
        expect(other.status).toBe(404);
        expect(JSON.stringify(await other.json())).not.toContain('vip@x.io');
      }
      const list = await get('/v1/profiles', b.keys.admin);
      expect(await list.json()).toEqual({ profiles: [], nextCursor: null });
      // Nor can B revoke A's keys: 404, and A's key keeps working.
      const del = await tailor.app.request(`/v1/keys/${a.keys.writeKeyId}`, { method: 'DELETE', headers: { authorization: bearer(b.keys.admin) } });
      expect(del.status).toBe(404);
      expect((await post('/v1/track', trackMessage(), { authorization: basic(a.keys.write) })).status).toBe(200);
    } finally {
      await store.close();
    }
  });

  it('rejects malformed JSON with 400 naming the problem, oversize bodies with 413', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const auth = { authorization: basic(a.keys.write) };
      const bad = await post('/v1/track', '{"userId": "u", "event": ', auth);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { message: expect.stringContaining('malformed JSON') } });
      const big = await post('/v1/track', trackMessage({ properties: { blob: 'x'.repeat(40_000) } }), auth);
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringContaining('32768 bytes') } });
      const hugeBatch = await post('/v1/batch', { batch: Array.from({ length: 40 }, () => trackMessage({ properties: { blob: 'y'.repeat(15_000) } })) }, auth);
      expect(hugeBatch.status).toBe(413);
      // Admin routes answer the framework's own checks with the documented codes too.
      const admin = { authorization: bearer(a.keys.admin) };
      const broken = await post('/v1/keys', '{"kind":', admin);
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ success: false, error: { code: 'bad_request' } });
      const untyped = await tailor.app.request('/v1/keys', { method: 'POST', body: JSON.stringify({ kind: 'write', name: 'x' }), headers: { ...admin, 'content-type': 'text/plain' } });
      expect(untyped.status).toBe(415);
      expect(await untyped.json()).toEqual({ success: false, error: { code: 'unsupported_media_type', message: 'send the body as JSON with the header content-type: application/json' } });
    } finally {
      await store.close();
    }
  });

  it('accepts the valid events of a batch and reports each rejected one', async () => {
    const store = await engine.open();
    try {
      const { post, a } = await appFor(store);
      const r = await post('/v1/batch', { batch: [
        trackMessage({ messageId: 'ok-1' }),
        { type: 'track', messageId: 'bad-1', userId: 'u' },
        trackMessage({ messageId: 'ok-2' }),
        { type: 'dance', messageId: 'bad-2', userId: 'u' },
      ] }, { authorization: basic(a.keys.write) });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ success: true, accepted: 2, duplicates: 0, rejected: [
        { index: 1, messageId: 'bad-1', reason: expect.stringMatching(/^event: /) },
        { index: 3, messageId: 'bad-2', reason: expect.stringContaining('"dance" is not one of') },
      ] });
      const none = await post('/v1/batch', { batch: [{ type: 'track', userId: 'u' }] }, { authorization: basic(a.keys.write) });
      expect(none.status).toBe(400);
      const single = await post('/v1/identify', { traits: {} }, { authorization: basic(a.keys.write) });
      expect(single.status).toBe(400);
      expect(await single.json()).toMatchObject({ error: { message: 'userId: either userId or anonymousId is required' } });
    } finally {
      await store.close();
    }
  });

  it('limits the rate per key with 429 and Retry-After', async () => {
    const store = await engine.open();
    try {
      const { post, a, clock } = await appFor(store, { writePerSecond: 2, writeBurst: 3 });
      const auth = { authorization: basic(a.keys.write) };
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post('/v1/track', trackMessage(), auth)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await post('/v1/track', trackMessage(), auth);
      expect(limited.headers.get('retry-after')).toBe('1');
      clock.advance(1000);
      expect((await post('/v1/track', trackMessage(), auth)).status).toBe(200);
    } finally {
      await store.close();
    }
  });

  it('lists keys by prefix only, creates and revokes them', async () => {
    const store = await engine.open();
    try {
      const { tailor, get, post, a } = await appFor(store);
      const listed = await (await get('/v1/keys', a.keys.admin)).json() as { keys: Array<{ id: string; prefix: string; kind: string }> };
      expect(listed.keys).toHaveLength(2);
      expect(JSON.stringify(listed)).not.toContain(a.keys.write.slice(12));
      expect(listed.keys.map((k) => k.prefix)).toContain(a.keys.write.slice(0, 10));
      const created = await post('/v1/keys', { kind: 'write', name: 'web' }, { authorization: bearer(a.keys.admin) });
      const { key, record } = await created.json() as { key: string; record: { id: string } };
      expect((await post('/v1/track', trackMessage(), { authorization: basic(key) })).status).toBe(200);
      const revoked = await tailor.app.request(`/v1/keys/${record.id}`, { method: 'DELETE', headers: { authorization: bearer(a.keys.admin) } });
      expect(revoked.status).toBe(200);
      expect((await post('/v1/track', trackMessage(), { authorization: basic(key) })).status).toBe(401);
      const invalid = await post('/v1/keys', { kind: 'root' }, { authorization: bearer(a.keys.admin) });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ error: { message: expect.stringMatching(/^kind: /) } });
    } finally {
      await store.close();
    }
  });

  it('pages through profiles and events, and upserts catalog items with a per-item report', async () => {
    const store = await engine.open();
    try {
      const { get, post, a } = await appFor(store);
      const auth = { authorization: basic(a.keys.write) };
      await post('/v1/batch', { batch: Array.from({ length: 7 }, (_, i) => trackMessage({ userId: `pager-${i}`, timestamp: `2024-01-0${i + 1}T00:00:00Z` })) }, auth);
      await post('/v1/batch', { batch: Array.from({ length: 5 }, (_, i) => trackMessage({ userId: 'pager-0', event: `E${i}`, timestamp: `2024-02-0${i + 1}T00:00:00Z` })) }, auth);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await (await get(`/v1/profiles?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`, a.keys.admin)).json() as { profiles: Array<{ id: string }>; nextCursor: string | null };
        seen.push(...page.profiles.map((p) => p.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(new Set(seen).size).toBe(7);
      const search = await (await get('/v1/profiles?q=pager-6', a.keys.admin)).json() as { profiles: unknown[] };
      expect(search.profiles).toHaveLength(1);
      const ev = await (await get('/v1/profiles/user_id:pager-0/events?limit=4', a.keys.admin)).json() as { events: Array<{ event: string }>; nextCursor: string };
      expect(ev.events.map((e) => e.event)).toEqual(['E4', 'E3', 'E2', 'E1']);
      const ev2 = await (await get(`/v1/profiles/user_id:pager-0/events?limit=4&cursor=${ev.nextCursor}`, a.keys.admin)).json() as { events: Array<{ event: string }>; nextCursor: null };
      expect(ev2.events.map((e) => e.event)).toEqual(['E0', 'Product Viewed']);
      expect(ev2.nextCursor).toBeNull();

      const up = await post('/v1/catalog/items', { items: [
        { id: 'sku-1', name: 'Mug', category: 'Home > Kitchen', price: 4.5, currency: 'gbp', tags: ['gift'] },
        { id: 'sku-2', name: 'Bad', price: -1 },
      ] }, { authorization: bearer(a.keys.admin) });
      expect(await up.json()).toEqual({ upserted: 1, rejected: [{ index: 1, id: 'sku-2', reason: 'price: must not be negative' }] });
      const item = await (await get('/v1/catalog/items/sku-1', a.keys.admin)).json();
      expect(item).toMatchObject({ id: 'sku-1', categoryPath: ['Home', 'Kitchen'], currency: 'GBP', inStock: true, tags: ['gift'] });
    } finally {
      await store.close();
    }
  });

  it('changes workspace settings, and identity resolution follows them', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const patch = (body: unknown) => tailor.app.request('/v1/workspace', { method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) } });
      const bad = await patch({ settings: { identity: { customTypes: [{ name: 'Member Number' }] } } });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { message: expect.stringMatching(/^settings\.identity\.customTypes\[0\]\.name: /) } });
      const good = await patch({ settings: { identity: { customTypes: [{ name: 'member_number', trait: 'memberNumber', limit: 1 }] } } });
      expect(good.status).toBe(200);
      const auth = { authorization: basic(a.keys.write) };
      await post('/v1/identify', { anonymousId: 'phone-app', traits: { memberNumber: 'M-7' } }, auth);
      await post('/v1/identify', { anonymousId: 'web', traits: { memberNumber: 'M-7' } }, auth);
      const p = await tailor.app.request('/v1/profiles/member_number:M-7', { headers: { authorization: bearer(a.keys.admin) } });
      const body = await p.json() as { identifiers: Array<{ type: string; value: string }> };
      expect(body.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(['anonymous_id:phone-app', 'anonymous_id:web', 'member_number:M-7']);
    } finally {
      await store.close();
    }
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const store = await engine.open();
    try {
      const { tailor } = await appFor(store);
      const doc = await (await tailor.app.request('/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/track', '/v1/batch', '/v1/profiles/{ref}', '/v1/catalog/items', '/v1/keys/{keyId}']));
      // Every route the server answers is in the document (middleware and the document itself aside).
      const served = tailor.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/openapi.json' && !r.path.includes('*'))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => `${method} ${path}`));
      expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
