import { describe, expect, it } from 'vitest';
import { IdentityGraph } from './identity-graph.js';
import { DEFAULT_IDENTITY_RULES, extractIdentifiers, identityRules, identitySettingsSchema, normalizeIdentifier, type Identifier } from './identifiers.js';
import { aliasPreviousIdentifier, resolveIdentifiers } from './resolve.js';

const uid = (value: string): Identifier => ({ type: 'user_id', value });
const anon = (value: string): Identifier => ({ type: 'anonymous_id', value });
const email = (value: string): Identifier => ({ type: 'email', value });

function counter(prefix = 'p') {
  let n = 0;
  return () => `${prefix}${++n}`;
}

function resolve(graph: IdentityGraph, identifiers: Identifier[], newId = counter('new'), rules = DEFAULT_IDENTITY_RULES) {
  return resolveIdentifiers({ graph, identifiers, rules, newProfileId: newId, reason: 'shared_identifier' });
}

describe('resolveIdentifiers', () => {
  it('creates a profile for unknown identifiers and attaches them all', () => {
    const graph = new IdentityGraph();
    const r = resolve(graph, [anon('a1'), uid('u1')]);
    expect(r).toMatchObject({ profileId: 'new1', createdProfile: true, merges: [], conflicts: [] });
    expect(r.attached).toEqual([uid('u1'), anon('a1')]);
    expect(graph.ownerOf(anon('a1'))).toBe('new1');
  });

  it('finds the same profile again by any of its identifiers', () => {
    const graph = new IdentityGraph([{ ...uid('u1'), profileId: 'p1' }, { ...anon('a1'), profileId: 'p1' }]);
    const r = resolve(graph, [anon('a1')]);
    expect(r).toMatchObject({ profileId: 'p1', createdProfile: false, attached: [], merges: [] });
  });

  it('links an anonymous visitor to a known user by merging the anonymous profile into the user profile', () => {
    const graph = new IdentityGraph([{ ...uid('u1'), profileId: 'known' }, { ...anon('a9'), profileId: 'anonymous' }]);
    const r = resolve(graph, [anon('a9'), uid('u1')]);
    expect(r.profileId).toBe('known');
    expect(r.merges).toEqual([{ from: 'anonymous', into: 'known', reason: 'shared_identifier', identifier: anon('a9') }]);
    expect(graph.ownerOf(anon('a9'))).toBe('known');
    expect(graph.canonical('anonymous')).toBe('known');
  });

  it('never merges two profiles that hold different user ids, and records the conflict instead', () => {
    // A shared computer: anonymous id a1 was first used by u1, now u2 logs in on it.
    const graph = new IdentityGraph([{ ...uid('u1'), profileId: 'p1' }, { ...anon('a1'), profileId: 'p1' }]);
    const r = resolve(graph, [anon('a1'), uid('u2')]);
    expect(r.profileId).toBe('new1');
    expect(r.createdProfile).toBe(true);
    expect(r.merges).toEqual([]);
    expect(r.attached).toEqual([uid('u2')]);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ profileId: 'new1', otherProfileId: 'p1', identifier: anon('a1') });
    expect(r.conflicts[0]!.reason).toContain('user_id (limit 1)');
    expect(graph.ownerOf(anon('a1'))).toBe('p1');
  });

  it('does not merge through a shared email when both sides hold different user ids', () => {
    const graph = new IdentityGraph([{ ...uid('u1'), profileId: 'p1' }, { ...email('family@x.io'), profileId: 'p1' }]);
    const r = resolve(graph, [uid('u2'), email('family@x.io')]);
    expect(r.profileId).toBe('new1');
    expect(r.conflicts.map((c) => c.identifier)).toEqual([email('family@x.io')]);
  });

  it('merges three profiles tied together by one event, into the one found by the highest-priority identifier', () => {
    const graph = new IdentityGraph([
      { ...anon('a1'), profileId: 'pa' },
      { ...email('e@x.io'), profileId: 'pe' },
      { ...uid('u1'), profileId: 'pu' },
    ]);
    const r = resolve(graph, [anon('a1'), email('e@x.io'), uid('u1')]);
    expect(r.profileId).toBe('pu');
    expect(r.merges.map((m) => [m.from, m.into])).toEqual([['pe', 'pu'], ['pa', 'pu']]);
    expect(graph.identifiersOf('pu')).toHaveLength(3);
  });

  it('caps identifiers per type: a fourth email beyond a limit of 3 is dropped and recorded', () => {
    const rules = identityRules(identitySettingsSchema.parse({ limits: { email: 3 } }));
    const graph = new IdentityGraph(['a@x.io', 'b@x.io', 'c@x.io'].map((v) => ({ ...email(v), profileId: 'p1' })).concat([{ ...uid('u1'), profileId: 'p1' }]));
    const r = resolve(graph, [uid('u1'), email('d@x.io')], counter(), rules);
    expect(r.profileId).toBe('p1');
    expect(r.attached).toEqual([]);
    expect(r.conflicts[0]).toMatchObject({ otherProfileId: null, identifier: email('d@x.io') });
    expect(r.conflicts[0]!.reason).toBe('would give the person 4 identifiers of type email (limit 3)');
  });

  it('keeps working on a profile that already exceeds a limit lowered later', () => {
    const rules = identityRules(identitySettingsSchema.parse({ limits: { email: 1 } }));
    const graph = new IdentityGraph([{ ...email('a@x.io'), profileId: 'p1' }, { ...email('b@x.io'), profileId: 'p1' }]);
    const r = resolve(graph, [email('a@x.io')], counter(), rules);
    expect(r).toMatchObject({ profileId: 'p1', createdProfile: false, conflicts: [] });
  });

  it('honours declared custom identifiers with their own limit', () => {
    const rules = identityRules(identitySettingsSchema.parse({ customTypes: [{ name: 'member_number', trait: 'memberNumber', limit: 1 }] }));
    const graph = new IdentityGraph([{ type: 'member_number', value: 'M-1', profileId: 'p1' }]);
    const ids = extractIdentifiers({ type: 'identify', anonymousId: 'a5', traits: { memberNumber: 'M-1' } }, rules);
    const r = resolve(graph, ids, counter(), rules);
    expect(r.profileId).toBe('p1');
    expect(r.attached).toEqual([anon('a5')]);
  });

  it('resolves alias previousId to an existing user id, else to an anonymous id', () => {
    const graph = new IdentityGraph([{ ...uid('old-user'), profileId: 'p1' }]);
    expect(aliasPreviousIdentifier(graph, 'old-user')).toEqual(uid('old-user'));
    expect(aliasPreviousIdentifier(graph, 'anon-1')).toEqual(anon('anon-1'));
  });
});

describe('extractIdentifiers', () => {
  it('reads user id, anonymous id, email and phone from identify traits and context.traits, normalized', () => {
    const ids = extractIdentifiers({
      type: 'identify', userId: 'u1', anonymousId: 'a1',
      traits: { email: ' Ann@Example.COM ', phone: '+44 20 7946 0018' },
      context: { traits: { email: 'ann@example.com' } },
    }, DEFAULT_IDENTITY_RULES);
    expect(ids).toEqual([uid('u1'), anon('a1'), email('ann@example.com'), { type: 'phone', value: '+442079460018' }]);
  });

  it('ignores traits of track events but reads their context.traits and declared externalIds', () => {
    const rules = identityRules(identitySettingsSchema.parse({ customTypes: [{ name: 'wechat_unionid', limit: 1 }] }));
    const ids = extractIdentifiers({
      type: 'track', anonymousId: 'a1', traits: { email: 'no@x.io' },
      context: { traits: { phone: '12' }, externalIds: [{ id: 'oX1', type: 'wechat_unionid' }, { id: 'zz', type: 'undeclared' }] },
    }, rules);
    expect(ids).toEqual([anon('a1'), { type: 'wechat_unionid', value: 'oX1' }]);
  });

  it('rejects values that cannot be identifiers', () => {
    expect(normalizeIdentifier('email', 'not-an-email')).toBeNull();
    expect(normalizeIdentifier('phone', '12-34')).toBeNull();
    expect(normalizeIdentifier('user_id', '   ')).toBeNull();
    expect(normalizeIdentifier('user_id', { toString: () => 'x' })).toBeNull();
    expect(normalizeIdentifier('user_id', 'x'.repeat(257))).toBeNull();
    expect(normalizeIdentifier('user_id', 17850)).toBe('17850');
  });
});
