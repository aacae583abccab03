import type { Clock } from '../shared/clock.js';
import type { JsonObject } from '../shared/json.js';
import { appendAuditEntry, GENESIS_HEAD, verifyChain, type ChainedAuditEntry, type ChainHead, type ChainVerification } from './audit-chain.js';
import type { PrivacyRepository } from './privacy-repository.js';

const VERIFY_PAGE = 5_000;

/**
 * The audit log (P20): append-only and hash-chained per workspace. Records who read or
 * changed whose data. Details must never carry identifier values — erasure keeps audit
 * entries (a legal obligation, GDPR 17(3)(b)) and they must not keep the person.
 *
 * @example
 * await audit.record({ workspaceId, actor: 'admin_key:k1', action: 'profile.read', subject: profileId, details: {} });
 */
export function createAuditService(deps: { repository: PrivacyRepository; clock: Clock; /** Entries read per page by `verify` (default 5000). */ verifyPage?: number }) {
  const { repository, clock } = deps;
  const verifyPage = deps.verifyPage ?? VERIFY_PAGE;
  return {
    record(entry: { workspaceId: string; actor: string; action: string; subject: string; details?: JsonObject }): Promise<ChainedAuditEntry> {
      const at = clock.now();
      return repository.appendAudit(entry.workspaceId, (head) => appendAuditEntry({
        head, entry: { workspaceId: entry.workspaceId, actor: entry.actor, action: entry.action, subject: entry.subject, details: entry.details ?? {}, at },
      }));
    },
    entries: (workspaceId: string, page: { afterSeq?: number; limit?: number; subject?: string | undefined }) =>
      repository.auditEntries(workspaceId, { afterSeq: page.afterSeq ?? 0, limit: Math.min(Math.max(page.limit ?? 100, 1), 1000), subject: page.subject }),

    /**
     * Walks the whole chain page by page; reports the first break. Removing the newest
     * entries leaves a valid shorter chain, and rewriting the log and re-hashing every entry
     * after the change leaves a valid other chain: pass a head recorded earlier (printed by
     * `tailor audit verify`) as `expectedHead` to detect both. The log may have grown since:
     * the entry at the head's seq must still have its hash (checked with the page that holds
     * it), and the chain must verify from there to the end; a log ending before it was cut.
     */
    async verify(workspaceId: string, expectedHead?: ChainHead): Promise<ChainVerification & { checked: number }> {
      let from: ChainHead = GENESIS_HEAD;
      let pending = expectedHead;
      let checked = 0;
      for (;;) {
        const page = await repository.auditEntries(workspaceId, { afterSeq: from.seq, limit: verifyPage });
        const lastPage = page.length < verifyPage;
        const upTo = page.at(-1)?.seq ?? from.seq;
        const anchor = pending !== undefined && (lastPage || pending.seq <= upTo) ? pending : undefined;
        const r = verifyChain(page, { from, ...(anchor === undefined ? {} : { expectedHead: anchor }) });
        if (!r.ok) return { ...r, checked: checked + page.length };
        if (anchor !== undefined) pending = undefined;
        checked += page.length;
        if (lastPage) return { ...r, count: checked, checked };
        from = r.head;
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
