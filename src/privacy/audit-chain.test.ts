import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, GENESIS_HEAD, appendAuditEntry, hashAuditEntry, verifyChain, type ChainHead, type ChainedAuditEntry } from './audit-chain.js';

const T = Date.parse('2024-07-01T08:00:00Z');

function chain(length: number): ChainedAuditEntry[] {
  const out: ChainedAuditEntry[] = [];
  let head: ChainHead = GENESIS_HEAD;
  for (let i = 0; i < length; i++) {
    const e = appendAuditEntry({ head, entry: { workspaceId: 'w1', actor: 'admin_key:k1', action: 'profile.read', subject: `p${i}`, details: { fields: ['traits'], i }, at: T + i } });
    out.push(e);
    head = { seq: e.seq, hash: e.hash };
  }
  return out;
}

/** Re-hashes an entry in place of the original, as someone with write access to the table could. */
function rehash(e: ChainedAuditEntry, changes: Partial<ChainedAuditEntry>): ChainedAuditEntry {
  const changed = { ...e, ...changes };
  return { ...changed, hash: hashAuditEntry({ prevHash: changed.prevHash, entry: changed }) };
}

describe('audit chain hashing (P20)', () => {
  it('hashes sha256(prevHash + canonical JSON of the entry), checked by hand', () => {
    const entry = { seq: 1, workspaceId: 'w1', actor: 'system:test', action: 'config.changed', subject: 'settings.privacy', details: { to: 'EU', from: 'OTHER' }, at: 1700000000000 };
    const canonical = '{"action":"config.changed","actor":"system:test","at":1700000000000,"details":{"from":"OTHER","to":"EU"},"seq":1,"subject":"settings.privacy","workspaceId":"w1"}';
    const expected = createHash('sha256').update('0'.repeat(64) + canonical, 'utf8').digest('hex');
    expect(hashAuditEntry({ prevHash: GENESIS_HASH, entry })).toBe(expected);
    const first = appendAuditEntry({ head: GENESIS_HEAD, entry: { workspaceId: 'w1', actor: 'system:test', action: 'config.changed', subject: 'settings.privacy', details: { to: 'EU', from: 'OTHER' }, at: 1700000000000 } });
    expect(first).toEqual({ ...entry, prevHash: GENESIS_HASH, hash: expected });
  });

  it('links each entry to the one before and numbers from the head', () => {
    const [a, b] = chain(2);
    expect(a!.seq).toBe(1);
    expect(b!.seq).toBe(2);
    expect(b!.prevHash).toBe(a!.hash);
    const manual = createHash('sha256').update(a!.hash + '{"action":"profile.read","actor":"admin_key:k1","at":' + (T + 1) + ',"details":{"fields":["traits"],"i":1},"seq":2,"subject":"p1","workspaceId":"w1"}', 'utf8').digest('hex');
    expect(b!.hash).toBe(manual);
  });

  it('ignores fields outside the entry (storage columns) when hashing', () => {
    const [a] = chain(1);
    expect(hashAuditEntry({ prevHash: GENESIS_HASH, entry: { ...a!, extra: 'column' } as ChainedAuditEntry })).toBe(a!.hash);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and returns its head', () => {
    const entries = chain(5);
    expect(verifyChain(entries)).toEqual({ ok: true, head: { seq: 5, hash: entries[4]!.hash }, count: 5 });
    expect(verifyChain([])).toEqual({ ok: true, head: GENESIS_HEAD, count: 0 });
  });

  it('catches an altered entry', () => {
    const entries = chain(5);
    entries[2] = { ...entries[2]!, details: { fields: ['traits', 'events'], i: 2 } };
    expect(verifyChain(entries)).toMatchObject({ ok: false, seq: 3, reason: 'altered' });
  });

  it('catches an altered entry whose hash was recomputed, through the next link', () => {
    const entries = chain(5);
    entries[2] = rehash(entries[2]!, { actor: 'someone-else' });
    expect(verifyChain(entries)).toMatchObject({ ok: false, seq: 3, reason: 'altered', message: expect.stringMatching(/re-hashed/) });
  });

  it('catches an altered timestamp or sequence number', () => {
    const a = chain(3);
    a[1] = { ...a[1]!, at: a[1]!.at + 1 };
    expect(verifyChain(a)).toMatchObject({ ok: false, seq: 2, reason: 'altered' });
    const b = chain(3);
    b[0] = { ...b[0]!, prevHash: 'f'.repeat(64) };
    expect(verifyChain(b)).toMatchObject({ ok: false, seq: 1, reason: 'altered' });
  });

  it('catches a deleted entry', () => {
    const entries = chain(5);
    entries.splice(2, 1);
    expect(verifyChain(entries)).toEqual({ ok: false, seq: 3, reason: 'deleted', message: 'entry 3 is missing: entry 4 follows entry 2' });
  });

  it('catches deleted entries at the start', () => {
    expect(verifyChain(chain(3).slice(1))).toMatchObject({ ok: false, seq: 1, reason: 'deleted' });
  });

  it('catches reordered entries', () => {
    const entries = chain(5);
    [entries[1], entries[2]] = [entries[2]!, entries[1]!];
    expect(verifyChain(entries)).toEqual({ ok: false, seq: 2, reason: 'reordered', message: 'entry 2 comes after entry 3' });
  });

  it('catches an inserted entry that was hashed and linked correctly', () => {
    const entries = chain(5);
    const forged = appendAuditEntry({ head: { seq: 2, hash: entries[1]!.hash }, entry: { workspaceId: 'w1', actor: 'admin_key:k1', action: 'export.created', subject: 'p9', details: {}, at: T + 2 } });
    entries.splice(2, 0, forged);
    expect(verifyChain(entries)).toMatchObject({ ok: false, seq: 3, reason: 'inserted' });
  });

  it('catches an inserted entry whose followers were renumbered', () => {
    const entries = chain(4);
    const forged = appendAuditEntry({ head: { seq: 2, hash: entries[1]!.hash }, entry: { workspaceId: 'w1', actor: 'x', action: 'profile.read', subject: 'p9', details: {}, at: T } });
    const renumbered = entries.slice(2).map((e) => ({ ...e, seq: e.seq + 1 }));
    expect(verifyChain([...entries.slice(0, 2), forged, ...renumbered])).toMatchObject({ ok: false, seq: 4, reason: 'altered' });
  });

  it('needs the recorded head to catch truncation and a wholly re-hashed log', () => {
    const entries = chain(5);
    const head = { seq: 5, hash: entries[4]!.hash };
    expect(verifyChain(entries.slice(0, 4)).ok).toBe(true);
    expect(verifyChain(entries.slice(0, 4), { expectedHead: head })).toMatchObject({ ok: false, seq: 5, reason: 'deleted' });

    const rewritten: ChainedAuditEntry[] = [];
    let prev = GENESIS_HEAD;
    for (const e of entries) {
      const r = appendAuditEntry({ head: prev, entry: { ...e, details: e.seq === 2 ? { fields: [], i: 1 } : e.details } });
      rewritten.push(r);
      prev = { seq: r.seq, hash: r.hash };
    }
    expect(verifyChain(rewritten).ok).toBe(true);
    expect(verifyChain(rewritten, { expectedHead: head })).toMatchObject({ ok: false, seq: 5, reason: 'altered' });
    expect(verifyChain(entries, { expectedHead: head }).ok).toBe(true);
  });

  it('verifies a segment from an already verified head', () => {
    const entries = chain(6);
    const from = { seq: 3, hash: entries[2]!.hash };
    expect(verifyChain(entries.slice(3), { from })).toEqual({ ok: true, head: { seq: 6, hash: entries[5]!.hash }, count: 3 });
    expect(verifyChain(entries.slice(3), { from: { seq: 3, hash: entries[1]!.hash } })).toMatchObject({ ok: false, seq: 4, reason: 'altered' });
  });
});
