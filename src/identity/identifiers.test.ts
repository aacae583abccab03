import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY_RULES, extractIdentifiers, identityRules, identitySettingsSchema, overlongIdentifier } from './identifiers.js';

const rules = identityRules(identitySettingsSchema.parse({ customTypes: [{ name: 'member_number', trait: 'memberNumber' }] }));
const long = 'x'.repeat(257);

describe('overlongIdentifier', () => {
  it('names the field of the first identifier over 256 characters, wherever extractIdentifiers reads one', () => {
    expect(overlongIdentifier({ type: 'identify', userId: 'u1', traits: { email: `${long}@x.io`, memberNumber: long } }, rules)).toBe('traits.email');
    expect(overlongIdentifier({ type: 'identify', userId: 'u1', traits: { memberNumber: long } }, rules)).toBe('traits.memberNumber');
    expect(overlongIdentifier({ type: 'track', userId: 'u1', context: { traits: { phone: `+${'1'.repeat(300)}` } } }, rules)).toBe('context.traits.phone');
    expect(overlongIdentifier({ type: 'track', userId: 'u1', context: { externalIds: [{ id: 'a', type: 'email' }, { id: long, type: 'member_number' }] } }, rules)).toBe('context.externalIds[1].id');
    expect(overlongIdentifier({ type: 'alias', userId: 'u1', previousId: long }, rules)).toBe('previousId');
  });

  it('leaves alone what is not read as an identifier, and values of 256 characters after trimming', () => {
    // Traits of a track call and undeclared custom traits or types are not identifiers.
    expect(overlongIdentifier({ type: 'track', userId: 'u1', traits: { email: long } }, rules)).toBeNull();
    expect(overlongIdentifier({ type: 'identify', userId: 'u1', traits: { memberNumber: long } }, DEFAULT_IDENTITY_RULES)).toBeNull();
    expect(overlongIdentifier({ type: 'track', userId: 'u1', context: { externalIds: [{ id: long, type: 'undeclared' }] } }, rules)).toBeNull();
    const fits = ` ${'m'.repeat(256)} `;
    expect(overlongIdentifier({ type: 'identify', userId: 'u1', traits: { memberNumber: fits } }, rules)).toBeNull();
    expect(extractIdentifiers({ type: 'identify', userId: 'u1', traits: { memberNumber: fits } }, rules)).toContainEqual({ type: 'member_number', value: fits.trim() });
  });
});
