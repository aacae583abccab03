/**
 * How a person's segment memberships and a batch of their membership changes are stored: one
 * text per person (and one per person and write), not one row per segment (migration 0015).
 * A segment is named by its ordinal, a small number unique within its workspace.
 *
 * Memberships: `,<ordinal>:<entered at, ms>` for each segment, in ordinal order, closed by `,`
 * — e.g. `,3:1704067200000,12:1704070800000,`. Changes: `,<ordinal>:+` (entered) or
 * `,<ordinal>:-` (exited) in the order they were numbered, closed by `,`. In both, the
 * segment's entries are found by the pattern `%,<ordinal>:%` (`ordinalPattern`), which SQL's
 * LIKE matches the same way on SQLite and PostgreSQL.
 */

/**
 * Ordinals start at 1; 0 stands in a history row for a change of a deleted segment, so that
 * the row's other changes keep their numbers (readers skip it).
 */
export const REMOVED_ORDINAL = 0;

/** A person's memberships: segment ordinal → entered at (ms). */
export type PackedMemberships = Map<number, number>;

/** One change of a written batch. */
export interface PackedChange {
  ordinal: number;
  change: 'entered' | 'exited';
}

/** Reads a memberships text (empty or null: none). Malformed parts are skipped. */
export function parseMemberships(text: string | null): PackedMemberships {
  const out: PackedMemberships = new Map();
  scanMemberships(text, (ordinal, at) => out.set(ordinal, at));
  return out;
}

/** The segment ordinals of a memberships text, in its order (what a reader of ids needs, without the times). */
export function membershipOrdinals(text: string | null): number[] {
  const out: number[] = [];
  scanMemberships(text, (ordinal) => out.push(ordinal));
  return out;
}

/** Calls `part` with each well-formed `<ordinal>:<entered at>` of a memberships text. */
function scanMemberships(text: string | null, part: (ordinal: number, at: number) => unknown): void {
  if (text === null) return;
  // Digits read as they come (a flush reads every one of its people's texts, twice).
  let ordinal = 0;
  let at = 0;
  let ordinalDigits = 0;
  let timeDigits = 0;
  let inTime = false;
  let bad = false; // the part has something other than <digits>:<digits>
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (inTime) { at = at * 10 + (ch - 48); timeDigits++; } else { ordinal = ordinal * 10 + (ch - 48); ordinalDigits++; }
    } else if (ch === 58) { // ':'
      if (inTime) bad = true;
      inTime = true;
    } else if (ch === 44) { // ','
      if (!bad && inTime && ordinalDigits > 0 && timeDigits > 0) part(ordinal, at);
      ordinal = 0; at = 0; ordinalDigits = 0; timeDigits = 0; inTime = false; bad = false;
    } else bad = true;
  }
}

/** Writes memberships in ordinal order; '' when there are none (the row is then deleted). */
export function formatMemberships(m: PackedMemberships): string {
  if (m.size === 0) return '';
  const ordinals = [...m.keys()];
  // Usually in order already (a parsed text, then entries with the newest segments last).
  for (let i = 1; i < ordinals.length; i++) {
    if (ordinals[i]! < ordinals[i - 1]!) { ordinals.sort((a, b) => a - b); break; }
  }
  let text = ',';
  for (const o of ordinals) text += `${o}:${m.get(o)!},`;
  return text;
}

/** Reads a changes text, in order. */
export function parseChanges(text: string): PackedChange[] {
  const out: PackedChange[] = [];
  for (const part of text.split(',')) {
    if (part.length < 3) continue;
    const ordinal = Number(part.slice(0, -2));
    const sign = part.slice(-2);
    if (!Number.isInteger(ordinal) || (sign !== ':+' && sign !== ':-')) continue;
    out.push({ ordinal, change: sign === ':+' ? 'entered' : 'exited' });
  }
  return out;
}

/** Writes changes in the given order. */
export function formatChanges(changes: readonly PackedChange[]): string {
  return changes.length === 0 ? '' : `,${changes.map((c) => `${c.ordinal}:${c.change === 'entered' ? '+' : '-'}`).join(',')},`;
}

/** The LIKE pattern that finds a segment's part in either text. */
export function ordinalPattern(ordinal: number): string {
  return `%,${ordinal}:%`;
}
