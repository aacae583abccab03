import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_RULES, extractIdentifiers } from '../identity/index.js';
import { checkSuppression, suppressionEntries, suppressionHash } from './suppression.js';

const SALT = 'workspace-one-salt-0123456789abcdef';
const OTHER_SALT = 'workspace-two-salt-fedcba9876543210';
const hmac = (salt: string, message: string) => createHmac('sha256', salt).update(message, 'utf8').digest('hex');

describe('suppressionHash (P14)', () => {
  it("is hmac-sha256(salt, type + ':' + normalized value), checked by hand", () => {
    expect(suppressionHash({ salt: SALT, identifier: { type: 'email', value: '  Ann@Example.COM ' } })).toBe(hmac(SALT, 'email:ann@example.com'));
    expect(suppressionHash({ salt: SALT, identifier: { type: 'phone', value: '+44 (0)20-7946 0018' } })).toBe(hmac(SALT, 'phone:+4402079460018'));
    expect(suppressionHash({ salt: SALT, identifier: { type: 'user_id', value: ' u-17850 ' } })).toBe(hmac(SALT, 'user_id:u-17850'));
  });

  it('separates identifier types and workspaces', () => {
    const asUser = suppressionHash({ salt: SALT, identifier: { type: 'user_id', value: 'ann@example.com' } });
    const asEmail = suppressionHash({ salt: SALT, identifier: { type: 'email', value: 'ann@example.com' } });
    const elsewhere = suppressionHash({ salt: OTHER_SALT, identifier: { type: 'email', value: 'ann@example.com' } });
    expect(new Set([asUser, asEmail, elsewhere]).size).toBe(3);
  });

  it('returns null for values that are not identifiers and refuses a short salt', () => {
    expect(suppressionHash({ salt: SALT, identifier: { type: 'email', value: 'not-an-email' } })).toBeNull();
    expect(() => suppressionHash({ salt: 'short', identifier: { type: 'email', value: 'a@b.io' } })).toThrow(/at least 16 characters/);
  });
});

describe('suppression list', () => {
  const erased = [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'Ann@Example.com' }, { type: 'email', value: 'ann@example.com' }, { type: 'anonymous_id', value: 'anon-7' }];

  it('stores one hash per distinct identifier', () => {
    expect(suppressionEntries({ salt: SALT, identifiers: erased })).toEqual([hmac(SALT, 'user_id:u1'), hmac(SALT, 'email:ann@example.com'), hmac(SALT, 'anonymous_id:anon-7')]);
  });

  it("drops a late event that carries any of an erased person's identifiers", () => {
    const list = new Set(suppressionEntries({ salt: SALT, identifiers: erased }));
    // A replayed identify from a new device: new anonymous id, but the old email.
    const event = { type: 'identify', anonymousId: 'anon-99', traits: { email: 'ANN@example.com' } };
    const result = checkSuppression({ salts: [SALT], identifiers: extractIdentifiers(event, DEFAULT_IDENTITY_RULES), list });
    expect(result).toEqual({ suppressed: true, matched: [{ type: 'email', value: 'ann@example.com' }] });
  });

  it('lets other people through', () => {
    const list = new Set(suppressionEntries({ salt: SALT, identifiers: erased }));
    const event = { type: 'track', userId: 'u2', anonymousId: 'anon-8' };
    expect(checkSuppression({ salts: [SALT], identifiers: extractIdentifiers(event, DEFAULT_IDENTITY_RULES), list })).toEqual({ suppressed: false, matched: [] });
  });

  it("does not match another workspace's list", () => {
    const list = new Set(suppressionEntries({ salt: OTHER_SALT, identifiers: erased }));
    expect(checkSuppression({ salts: [SALT], identifiers: [{ type: 'user_id', value: 'u1' }], list }).suppressed).toBe(false);
  });

  it('checks under earlier salts after a rotation', () => {
    const list = new Set(suppressionEntries({ salt: OTHER_SALT, identifiers: erased }));
    expect(checkSuppression({ salts: [SALT, OTHER_SALT], identifiers: [{ type: 'user_id', value: 'u1' }], list }).suppressed).toBe(true);
  });

  it('refuses to check without a salt', () => {
    expect(() => checkSuppression({ salts: [], identifiers: [], list: new Set() })).toThrow(/at least one salt/);
  });
});
