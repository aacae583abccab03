import { describe, expect, it } from 'vitest';
import { GENESIS_HEAD, appendAuditEntry, verifyChain, type ChainHead, type ChainedAuditEntry } from './audit-chain.js';

const T = Date.parse('2024-07-01T08:00:00Z');

function chain(length: number, change?: { seq: number; details: Record<string, number> }): ChainedAuditEntry[] {
  const out: ChainedAuditEntry[] = [];
  let head: ChainHead = GENESIS_HEAD;
  for (let i = 0; i < length; i++) {
    const details = change !== undefined && change.seq === i + 1 ? change.details : { i };
    const e = appendAuditEntry({ head, entry: { workspaceId: 'w1', actor: 'admin_key:k1', action: 'profile.read', subject: `p${i}`, details, at: T + i } });
    out.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return out;
}

const headAt = (entries: readonly ChainedAuditEntry[], seq: number): ChainHead => ({ seq, hash: entries[seq - 1]!.hash });

describe('verifyChain with a head recorded before the log grew (P20)', () => {
  it('accepts a grown log whose entry at the recorded seq still has the recorded hash', () => {
    const entries = chain(25);
    expect(verifyChain(entries, { expectedHead: headAt(entries, 23) })).toEqual({ ok: true, head: headAt(entries, 25), count: 25 });
    expect(verifyChain(entries, { expectedHead: GENESIS_HEAD }).ok).toBe(true);
  });

  it('catches a rewrite before the recorded head when every later entry was re-hashed and the log grew', () => {
    const original = chain(23);
    const head = headAt(original, 23);
    // Entry 5 changed, entries 5–25 re-hashed: a chain that is consistent in itself.
    const rewritten = chain(25, { seq: 5, details: { i: 99 } });
    expect(verifyChain(rewritten).ok).toBe(true);
    expect(verifyChain(rewritten, { expectedHead: head })).toEqual({
      ok: false, seq: 23, reason: 'altered', message: 'entry 23 no longer has the recorded head hash: the chain up to it was rewritten',
    });
  });

  it('still checks the entries after the recorded head', () => {
    const entries = chain(25);
    entries[23] = { ...entries[23]!, details: { i: 0 } };
    expect(verifyChain(entries, { expectedHead: headAt(entries, 23) })).toMatchObject({ ok: false, seq: 24, reason: 'altered' });
  });

  it('reports a log that ends before the recorded head as deleted, also when it ends right after it', () => {
    const entries = chain(25);
    expect(verifyChain(entries.slice(0, 22), { expectedHead: headAt(entries, 23) })).toMatchObject({ ok: false, seq: 23, reason: 'deleted' });
    expect(verifyChain([], { expectedHead: headAt(entries, 1) })).toMatchObject({ ok: false, seq: 1, reason: 'deleted' });
    expect(verifyChain(entries.slice(0, 23), { expectedHead: headAt(entries, 23) }).ok).toBe(true);
  });

  it('checks the head in a segment that holds it or starts at it, and refuses one before the segment', () => {
    const entries = chain(10);
    const from = headAt(entries, 4);
    expect(verifyChain(entries.slice(4), { from, expectedHead: headAt(entries, 7) }).ok).toBe(true);
    expect(verifyChain(entries.slice(4), { from, expectedHead: from }).ok).toBe(true);
    expect(verifyChain(entries.slice(4), { from, expectedHead: { seq: 7, hash: entries[1]!.hash } })).toMatchObject({ ok: false, seq: 7, reason: 'altered' });
    expect(verifyChain([], { from, expectedHead: { seq: 4, hash: entries[1]!.hash } })).toMatchObject({ ok: false, seq: 4, reason: 'altered' });
    expect(() => verifyChain(entries.slice(4), { from, expectedHead: headAt(entries, 3) })).toThrow(RangeError);
  });
});
