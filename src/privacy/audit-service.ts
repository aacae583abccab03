import type { Clock } from '../shared/clock.js';
import type { JsonObject } from '../shared/json.js';
import { appendAuditEntry, verifyChain, type ChainedAuditEntry, type ChainHead, type ChainVerification } from './audit-chain.js';
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
export function createAuditService(deps: { repository: PrivacyRepository; clock: Clock }) {
  const { repository, clock } = deps;
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
     * entries leaves a valid shorter chain: pass the head recorded earlier (printed by
     * `tailor audit verify`) as `expectedHead` to detect that too.
     */
    async verify(workspaceId: string, expectedHead?: ChainHead): Promise<ChainVerification & { checked: number }> {
      let from: ChainHead = { seq: 0, hash: '0'.repeat(64) };
      let checked = 0;
      for (;;) {
        const page = await repository.auditEntries(workspaceId, { afterSeq: from.seq, limit: VERIFY_PAGE });
        if (page.length === 0) return { ...verifyChain([], { from, ...(expectedHead === undefined ? {} : { expectedHead }) }), checked };
        const r = verifyChain(page, { from });
        if (!r.ok) return { ...r, checked: checked + page.length };
        checked += page.length;
        const last = page.at(-1)!;
        from = { seq: last.seq, hash: last.hash };
        if (page.length < VERIFY_PAGE) {
          return expectedHead === undefined ? { ...r, checked } : { ...verifyChain([], { from, expectedHead }), checked };
        }
      }
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
