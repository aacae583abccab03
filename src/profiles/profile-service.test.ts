import { describe, expect, it } from 'vitest';
import { parseProfileRef } from './profile-service.js';

describe('parseProfileRef', () => {
  it('reads a prefix as an identifier type only when it is built in or declared by the workspace', () => {
    expect(parseProfileRef('email:Ann@Example.com')).toEqual({ kind: 'identifier', identifier: { type: 'email', value: 'ann@example.com' } });
    expect(parseProfileRef('user_id:auth0:abc123')).toEqual({ kind: 'identifier', identifier: { type: 'user_id', value: 'auth0:abc123' } });
    expect(parseProfileRef('profile_id:p1')).toEqual({ kind: 'profile_id', id: 'p1' });
    // A user id with a colon, as identity providers write them, is a bare reference.
    expect(parseProfileRef('auth0:abc123')).toEqual({ kind: 'bare', value: 'auth0:abc123' });
    expect(parseProfileRef('member_number:M-1')).toEqual({ kind: 'bare', value: 'member_number:M-1' });
    expect(parseProfileRef('member_number:M-1', ['member_number'])).toEqual({ kind: 'identifier', identifier: { type: 'member_number', value: 'M-1' } });
    expect(parseProfileRef('email:not-an-email')).toMatchObject({ kind: 'invalid' });
    expect(parseProfileRef(' ')).toMatchObject({ kind: 'invalid' });
  });
});
