import { createHash } from 'node:crypto';
import type { JsonObject } from '../shared/json.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The hash chain of the audit log (PRIVACY.md P20; PIPL 51, 55; GDPR 5(2), 30, 32).
 * Each workspace has one chain; every entry stores the hash of the entry before it, so an
 * entry cannot be changed, removed, moved or slipped in without breaking every hash after it.
 *
 *   hash(n) = hex(sha256(utf8(hash(n-1) + canonicalJson(entry(n)))))
 *   hash(0) = GENESIS_HASH (64 zeros)
 *
 * `entry(n)` is exactly `{ seq, workspaceId, actor, action, subject, details, at }` — the
 * stored `prevHash` and `hash` are not part of it — in canonical JSON (canonical-json.ts:
 * sorted keys, no whitespace). A chain proves integrity relative to its first hash and, to
 * catch a truncated or wholly re-hashed log, to a head recorded elsewhere (`expectedHead`).
 *
 * Audit details name the person by profile id only, never by email or name, so the log can
 * be kept after an erasure (GDPR 17(3)(b),(e): proof of compliance) without keeping the data.
 */

/** The hash that the first entry of a chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** 1, 2, 3… within the workspace, without gaps. */
  readonly seq: number;
  readonly workspaceId: string;
  /** Who: `admin_key:<id>`, `system:<job>`, `person:<profileId>`… */
  readonly actor: string;
  /** What, dotted: `profile.read`, `consent.recorded`, `export.created`, `erasure.completed`, `config.changed`… */
  readonly action: string;
  /** Whose data or which setting: a profile id or a config path such as `settings.privacy.overrides`. */
  readonly subject: string;
  readonly details: JsonObject;
  /** ms since the epoch, UTC. */
  readonly at: number;
}

export interface ChainedAuditEntry extends AuditEntry {
  readonly prevHash: string;
  readonly hash: string;
}

/** The last entry of a chain, or the start of a verified segment. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/**
 * The hash of an entry after `prevHash`.
 *
 * @example
 * hashAuditEntry({ prevHash: GENESIS_HASH, entry: { seq: 1, workspaceId: 'w', actor: 'system:test', action: 'config.changed', subject: 'settings', details: {}, at: 0 } });
 * // sha256('0000…0000' + '{"action":"config.changed","actor":"system:test","at":0,"details":{},"seq":1,"subject":"settings","workspaceId":"w"}')
 */
export function hashAuditEntry(input: { prevHash: string; entry: AuditEntry }): string {
  const { seq, workspaceId, actor, action, subject, details, at } = input.entry;
  const body = canonicalJson({ seq, workspaceId, actor, action, subject, details, at });
  return createHash('sha256').update(input.prevHash + body, 'utf8').digest('hex');
}

/**
 * The next entry of a chain: numbered after `head` and linked to it.
 *
 * @example
 * const first = appendAuditEntry({ head: GENESIS_HEAD, entry: { workspaceId: 'w', actor: 'admin_key:k1', action: 'export.created', subject: 'p1', details: {}, at: clock.now() } });
 * first.seq; // 1
 * first.prevHash === GENESIS_HASH; // true
 */
export function appendAuditEntry(input: { head: ChainHead; entry: Omit<AuditEntry, 'seq'> }): ChainedAuditEntry {
  const entry: AuditEntry = { ...input.entry, seq: input.head.seq + 1 };
  return { ...entry, prevHash: input.head.hash, hash: hashAuditEntry({ prevHash: input.head.hash, entry }) };
}

/** How a chain is broken. */
export type ChainBreak = 'altered' | 'deleted' | 'reordered' | 'inserted';

export type ChainVerification =
  | { readonly ok: true; readonly head: ChainHead; readonly count: number }
  | { readonly ok: false; readonly seq: number; readonly reason: ChainBreak; readonly message: string };

/**
 * Verifies entries in stored order and reports the first break:
 * - `deleted`: a seq is missing (or the log ends before `expectedHead`);
 * - `reordered`: a seq appears after a later one;
 * - `inserted`: a seq appears twice (an extra entry claims a place in the chain);
 * - `altered`: an entry's content no longer matches its hash, or it was re-hashed so the
 *   next entry's link (or `expectedHead`) no longer matches it.
 * `from` verifies a segment that starts after an already verified head (default: genesis).
 *
 * `expectedHead` is a head recorded earlier and kept outside the database; the log may have
 * grown since. The entry at its seq (or `from`, when the seq is `from`'s) must still have
 * its hash — a rewrite of any entry up to it changes that hash, however the entries after it
 * were re-hashed — and a log that ends before its seq was cut short. Pass it with the
 * segment that holds its seq, or with the last one: a head before `from` cannot be checked
 * here and is a caller's bug (RangeError).
 *
 * @example
 * verifyChain(entries); // { ok: true, head: { seq: 3, hash: '…' }, count: 3 }
 * verifyChain([e1, e3]); // { ok: false, seq: 2, reason: 'deleted', message: 'entry 2 is missing: entry 3 follows entry 1' }
 * verifyChain(grownEntries, { expectedHead: { seq: 2, hash: e2.hash } }); // ok while entry 2 still has that hash
 */
export function verifyChain(entries: readonly ChainedAuditEntry[], options: { from?: ChainHead; expectedHead?: ChainHead } = {}): ChainVerification {
  const start = options.from ?? GENESIS_HEAD;
  const anchor = options.expectedHead;
  if (anchor !== undefined && anchor.seq < start.seq) {
    throw new RangeError(`the expected head ${anchor.seq} lies before the segment, which starts after entry ${start.seq}: verify the segment that holds it`);
  }
  let prev: ChainHead = start;
  let atAnchor: ChainHead | undefined = anchor?.seq === start.seq ? start : undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const expected = prev.seq + 1;
    if (e.seq !== expected) {
      if (e.seq < expected) {
        return broken(e.seq, 'inserted', `entry ${e.seq} appears again after entry ${prev.seq}: one of them was inserted`);
      }
      if (entries.slice(i + 1).some((later) => later.seq === expected)) {
        return broken(expected, 'reordered', `entry ${expected} comes after entry ${e.seq}`);
      }
      return broken(expected, 'deleted', `entry ${expected} is missing: entry ${e.seq} follows entry ${prev.seq}`);
    }
    if (hashAuditEntry({ prevHash: e.prevHash, entry: e }) !== e.hash) {
      return broken(e.seq, 'altered', `entry ${e.seq} does not match its hash: its content was changed`);
    }
    if (e.prevHash !== prev.hash) {
      if (i === 0) return broken(e.seq, 'altered', `entry ${e.seq} does not link to the starting hash ${start.hash.slice(0, 12)}…: it was rewritten`);
      return broken(prev.seq, 'altered', `entry ${prev.seq} was rewritten and re-hashed: entry ${e.seq} recorded a different hash for it`);
    }
    prev = { seq: e.seq, hash: e.hash };
    if (anchor !== undefined && e.seq === anchor.seq) atAnchor = prev;
  }
  if (anchor !== undefined) {
    if (atAnchor === undefined) return broken(prev.seq + 1, 'deleted', `the log ends at entry ${prev.seq}; entry ${anchor.seq} was recorded as the head`);
    if (atAnchor.hash !== anchor.hash) {
      return broken(anchor.seq, 'altered', `entry ${anchor.seq} no longer has the recorded head hash: the chain up to it was rewritten`);
    }
  }
  return { ok: true, head: prev, count: entries.length };
}

function broken(seq: number, reason: ChainBreak, message: string): ChainVerification {
  return { ok: false, seq, reason, message };
}
