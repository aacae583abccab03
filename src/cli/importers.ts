import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import type { Tailor } from '../main.js';
import type { Workspace } from '../workspaces/index.js';
import { safeParseJson } from '../shared/json.js';
import { INGEST_LIMITS } from '../ingest/index.js';
import { createOrderAssembler, orderToMessage, parseOrderRow, SKIP_REASON_TEXT, withDefaultCurrency, type AssembledOrder, type OrderCsvMapping, type SkipReason } from '../imports/order-rows.js';
import type { ImportRun } from '../imports/import-run-repository.js';
import { catalogCsvRow } from '../imports/catalog-rows.js';
import { importRunRepositorySql } from '../store/repositories/import-run-repository-sql.js';
import type { FileSource } from './file-source.js';
import { createProgress } from './progress.js';

export interface ImportSummary {
  kind: string;
  file: string;
  resumedFrom: number;
  rowsRead: number;
  accepted: number;
  duplicates: number;
  skipped: Record<string, { count: number; reason: string }>;
  rejected: Array<{ row: number | null; reason: string }>;
  rejectedTotal: number;
  /** Rows stored whose change to their order was not applied (events: a refund in another currency than its order's…). */
  notApplied: Array<{ row: number | null; reason: string }>;
  notAppliedTotal: number;
  extra: Record<string, number>;
  seconds: number;
}

const MAX_REJECTIONS_LISTED = 50;
const ORDERS_PER_BATCH = 500;
const EVENTS_PER_BATCH = 500;

function newSummary(kind: string, file: string, resumedFrom: number): ImportSummary {
  return { kind, file, resumedFrom, rowsRead: 0, accepted: 0, duplicates: 0, skipped: {}, rejected: [], rejectedTotal: 0, notApplied: [], notAppliedTotal: 0, extra: {}, seconds: 0 };
}

function skip(summary: ImportSummary, code: string, reason: string) {
  const s = (summary.skipped[code] ??= { count: 0, reason });
  s.count++;
}

function reject(summary: ImportSummary, row: number | null, reason: string) {
  summary.rejectedTotal++;
  if (summary.rejected.length < MAX_REJECTIONS_LISTED) summary.rejected.push({ row, reason });
}

/**
 * The records of a CSV file with a header row, each with the line it ended on. A stray quote
 * inside a field (`12" RULER`) is read as text; a record whose number of fields differs from
 * the header's comes with `problem` set (its fields cannot be trusted to be in their
 * columns — an unquoted comma, say — so the caller rejects it); a record the parser cannot
 * read at all (a quote never closed) is rejected here with its line. Neither stops the import.
 */
async function* csvRecords(stream: Readable, summary: ImportSummary): AsyncGenerator<{ record: Record<string, string>; line: number; problem: string | null }> {
  let header = 0;
  const parser = stream.pipe(parse({
    columns: (names: string[]) => { header = names.length; return names; },
    skip_empty_lines: true, bom: true, relax_quotes: true, relax_column_count: true, skip_records_with_error: true, info: true,
  }));
  parser.on('skip', (e: CsvError) => reject(summary, null, `line ${e.lines ?? '?'}: ${e.message}`));
  let invalid = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: Info & { invalid_field_length: number } }>) {
    // `invalid_field_length` counts the records so far whose length differed from the header's.
    const problem = info.invalid_field_length !== invalid ? `line ${info.lines}: not the header's ${header} fields (an unquoted comma or quote?)` : null;
    invalid = info.invalid_field_length;
    yield { record, line: info.lines, problem };
  }
}

/**
 * Runs an import body and settles its run: on success the summary gets its duration and the
 * run is marked completed; on failure the run is marked failed (so the next call resumes).
 */
async function settle(run: { summary: ImportSummary; progress: { stop(): void }; finish: (status: 'completed' | 'failed', s: ImportSummary) => Promise<void>; started: number }, body: () => Promise<void>): Promise<ImportSummary> {
  try {
    await body();
    run.summary.seconds = Math.round((performance.now() - run.started) / 10) / 100;
    run.progress.stop();
    await run.finish('completed', run.summary);
    return run.summary;
  } catch (error) {
    run.progress.stop();
    await run.finish('failed', run.summary).catch(() => {});
    throw error;
  }
}

/** Starts or resumes a run for this file; `restart` ignores an unfinished earlier run. */
async function beginRun(tailor: Tailor, workspace: Workspace, kind: string, source: FileSource, restart: boolean) {
  const runs = importRunRepositorySql(tailor.store.db);
  const previous = await runs.findLatest(workspace.id, kind, source.fingerprint);
  const now = tailor.clock.now();
  const resume = !restart && previous !== null && previous.status !== 'completed';
  const run: ImportRun = resume
    ? { ...previous, status: 'running', updatedAt: now }
    : { id: tailor.ids.uuid(), kind, source: source.path, fingerprint: source.fingerprint, position: 0, status: 'running', summary: {}, startedAt: now, updatedAt: now };
  await runs.save(workspace.id, run);
  return {
    run,
    async checkpoint(position: number, summary: ImportSummary) {
      run.position = position;
      run.updatedAt = tailor.clock.now();
      run.summary = { ...summary };
      await runs.save(workspace.id, run);
    },
    async finish(status: 'completed' | 'failed', summary: ImportSummary) {
      run.status = status;
      run.updatedAt = tailor.clock.now();
      run.summary = { ...summary };
      await runs.save(workspace.id, run);
    },
  };
}

/**
 * Imports historical orders from a CSV file (one row per order line) through the ingest
 * path, so that identities, events and orders are built exactly as for live events (rows
 * without a currency take the mapping's `defaultCurrency`, else the workspace's).
 * Resumable: progress is saved after every batch, and message ids are derived from order
 * ids, so a re-run never stores an order twice; the summary's orders, returns and customers
 * count only the orders this run stored. With `catalog`, items the catalog does not have yet
 * are added from the order lines (id, name, price, currency); items it has are never changed.
 */
export async function importOrdersCsv(args: {
  tailor: Tailor; workspace: Workspace; source: FileSource; mapping: OrderCsvMapping; sourceName: string;
  guests: 'skip' | 'import'; catalog: boolean; restart: boolean; quiet: boolean;
}): Promise<ImportSummary> {
  const { tailor, workspace, source } = args;
  const mapping = withDefaultCurrency(args.mapping, workspace.settings.defaultCurrency);
  const started = performance.now();
  const { run, checkpoint, finish } = await beginRun(tailor, workspace, 'orders', source, args.restart);
  const summary = newSummary('orders', source.path, run.position);
  summary.extra = { orders: 0, returns: 0 };
  const progress = createProgress({ label: 'orders ', total: source.size, quiet: args.quiet });
  const { stream, bytesRead } = source.open();
  const assembler = createOrderAssembler();
  const customers = new Set<string>();
  let pending: AssembledOrder[] = [];
  const items = new Map<string, { id: string; name: string; price: number; currency: string }>();
  let rowNo = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const messages = pending.map((order) => orderToMessage(order, args.sourceName));
    const r = await tailor.ingest.ingest({ workspace, messages: messages.map((raw) => ({ raw })), source: `import:${args.sourceName}`, maxEventBytes: INGEST_LIMITS.maxImportedEventBytes });
    summary.accepted += r.accepted;
    summary.duplicates += r.duplicates;
    for (const rj of r.rejected) reject(summary, null, `order ${pending[rj.index]!.orderId}: ${rj.reason}`);
    // Orders, returns and customers count what this run stored: not duplicates, not rejections.
    pending.forEach((order, i) => {
      if (!r.profiles.has(String(messages[i]!.messageId).trim())) return;
      if (order.isReturn) summary.extra.returns! += 1;
      else summary.extra.orders! += 1;
      if (order.customerId !== null) customers.add(order.customerId);
    });
    if (args.catalog && items.size > 0) {
      // Insert-if-absent: order lines know less than the catalog and must not overwrite it.
      const c = await tailor.catalog.addMissing(workspace.id, [...items.values()]);
      for (const rj of c.rejected) reject(summary, null, `catalog item ${rj.id ?? '?'}: ${rj.reason}`);
      items.clear();
    }
    await checkpoint(assembler.resumePosition(), summary);
    pending = [];
  };

  return settle({ summary, progress, finish, started }, async () => {
    for await (const { record: row, problem } of csvRecords(stream, summary)) {
      const thisRow = rowNo++;
      if (thisRow < run.position) continue;
      summary.rowsRead++;
      if (problem !== null) {
        reject(summary, thisRow + 1, problem);
        continue;
      }
      const line = parseOrderRow(row, mapping, { guests: args.guests });
      if (!line.ok) {
        skip(summary, line.error, SKIP_REASON_TEXT[line.error]);
        continue;
      }
      const pushed = assembler.push(line.value, thisRow);
      if (pushed.skipped !== null) {
        skip(summary, pushed.skipped, SKIP_REASON_TEXT[pushed.skipped as SkipReason]);
        continue;
      }
      pending.push(...pushed.completed);
      if (args.catalog && !line.value.isReturn) {
        items.set(line.value.itemId, { id: line.value.itemId, name: line.value.itemName ?? line.value.itemId, price: line.value.unitPrice, currency: line.value.currency });
      }
      if (pending.length >= ORDERS_PER_BATCH) await flush();
      if ((thisRow & 4095) === 0) progress.update(bytesRead(), { rows: summary.rowsRead });
    }
    pending.push(...assembler.finish());
    await flush();
    summary.extra.customers = customers.size;
    progress.update(source.size, { rows: summary.rowsRead });
  });
}

/**
 * The message id of an imported line that has none: derived from the line's text alone, so
 * that importing the file again — resumed, renamed, with lines added anywhere — stores each
 * line once. Identical lines are one message (counted as duplicates): without an id or a
 * timestamp nothing tells them apart.
 *
 * @example
 * contentMessageId('{"type":"track","userId":"u1","event":"A"}'); // "import:5c0e…" (32 hex digits)
 */
export function contentMessageId(text: string): string {
  return `import:${createHash('sha256').update(text.trim()).digest('hex').slice(0, 32)}`;
}

/**
 * Imports Segment messages from a JSONL file (one message per line) through the ingest
 * path. Lines without a messageId get one derived from their text (`contentMessageId`), so a
 * resumed or repeated import stores each line once.
 */
export async function importEventsJsonl(args: { tailor: Tailor; workspace: Workspace; source: FileSource; restart: boolean; quiet: boolean }): Promise<ImportSummary> {
  const { tailor, workspace, source } = args;
  const started = performance.now();
  const { run, checkpoint, finish } = await beginRun(tailor, workspace, 'events', source, args.restart);
  const summary = newSummary('events', source.path, run.position);
  const progress = createProgress({ label: 'events ', total: source.size, quiet: args.quiet });
  const { stream, bytesRead } = source.open();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let batch: Array<{ raw: unknown; line: number }> = [];
  let lineNo = 0;
  const flush = async (position: number) => {
    if (batch.length > 0) {
      const r = await tailor.ingest.ingest({ workspace, messages: batch.map((b) => ({ raw: b.raw })), source: 'import:events' });
      summary.accepted += r.accepted;
      summary.duplicates += r.duplicates;
      for (const rj of r.rejected) reject(summary, batch[rj.index]!.line, rj.reason);
      for (const n of r.ordersNotApplied) {
        summary.notAppliedTotal++;
        if (summary.notApplied.length < MAX_REJECTIONS_LISTED) summary.notApplied.push({ row: batch[n.index]!.line, reason: n.reason });
      }
      batch = [];
    }
    await checkpoint(position, summary);
  };
  return settle({ summary, progress, finish, started }, async () => {
    for await (const text of lines) {
      const thisLine = ++lineNo;
      if (thisLine <= run.position) continue;
      if (text.trim() === '') continue;
      summary.rowsRead++;
      if (Buffer.byteLength(text) > INGEST_LIMITS.maxEventBytes) {
        reject(summary, thisLine, `line is over ${INGEST_LIMITS.maxEventBytes} bytes (32 KB)`);
        continue;
      }
      const parsed = safeParseJson(text, { maxDepth: INGEST_LIMITS.maxJsonDepth });
      if (!parsed.ok) {
        reject(summary, thisLine, parsed.reason);
        continue;
      }
      const raw = parsed.value;
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && (raw as { messageId?: unknown }).messageId === undefined) {
        (raw as Record<string, unknown>).messageId = contentMessageId(text);
      }
      batch.push({ raw, line: thisLine });
      if (batch.length >= EVENTS_PER_BATCH) {
        await flush(thisLine);
        progress.update(bytesRead(), { rows: summary.rowsRead });
      }
    }
    await flush(lineNo);
    progress.update(source.size, { rows: summary.rowsRead });
  });
}

/**
 * Imports catalog items from CSV (columns: id, name, category, brand, price, currency,
 * tags separated by `|`, attributes as a JSON object, url, image, in_stock, created_at; see
 * `catalogCsvRow`) or JSONL (one item object per line). Upserts are idempotent; progress is
 * checkpointed every 1,000 rows, so an interrupted import resumes after the last committed chunk.
 */
export async function importCatalogFile(args: { tailor: Tailor; workspace: Workspace; source: FileSource; format: 'csv' | 'jsonl'; restart: boolean; quiet: boolean }): Promise<ImportSummary> {
  const { tailor, workspace, source } = args;
  const started = performance.now();
  const { run, checkpoint, finish } = await beginRun(tailor, workspace, 'catalog', source, args.restart);
  const summary = newSummary('catalog', source.path, run.position);
  const progress = createProgress({ label: 'catalog', total: source.size, quiet: args.quiet });
  const { stream, bytesRead } = source.open();
  let batch: Array<{ item: unknown; row: number }> = [];
  let rowNo = 0;
  const flush = async () => {
    if (batch.length > 0) {
      const r = await tailor.catalog.upsert(workspace.id, batch.map((b) => b.item));
      summary.accepted += r.upserted;
      for (const rj of r.rejected) reject(summary, batch[rj.index]!.row, rj.reason);
      batch = [];
    }
    await checkpoint(rowNo, summary);
    progress.update(bytesRead(), { rows: summary.rowsRead });
  };
  const rows: AsyncIterable<unknown> = args.format === 'csv' ? csvRecords(stream, summary) : createInterface({ input: stream, crlfDelay: Infinity });
  return settle({ summary, progress, finish, started }, async () => {
    for await (const r of rows) {
      rowNo++;
      if (rowNo <= run.position) continue;
      let item: unknown;
      if (args.format === 'csv') {
        const { record, problem } = r as { record: Record<string, string>; problem: string | null };
        if (problem !== null) {
          summary.rowsRead++;
          reject(summary, rowNo, problem);
          continue;
        }
        const read = catalogCsvRow(record);
        if (!read.ok) {
          summary.rowsRead++;
          reject(summary, rowNo, read.error);
          continue;
        }
        item = read.value;
      } else {
        const text = r as string;
        if (text.trim() === '') continue;
        const parsed = safeParseJson(text, { maxDepth: INGEST_LIMITS.maxJsonDepth });
        if (!parsed.ok) {
          reject(summary, rowNo, parsed.reason);
          continue;
        }
        item = parsed.value;
      }
      summary.rowsRead++;
      batch.push({ item, row: rowNo });
      if (batch.length >= 1000) await flush();
    }
    await flush();
  });
}

/** Human-readable lines for an import summary. */
export function formatSummary(s: ImportSummary): string {
  const lines = [
    `${s.kind}: read ${s.rowsRead.toLocaleString('en')} rows from ${s.file} in ${s.seconds} s${s.resumedFrom > 0 ? ` (resumed after row ${s.resumedFrom})` : ''}`,
    `  accepted ${s.accepted.toLocaleString('en')}, duplicates ${s.duplicates.toLocaleString('en')}${Object.entries(s.extra).map(([k, v]) => `, ${k} ${v.toLocaleString('en')}`).join('')}`,
  ];
  const skipped = Object.entries(s.skipped).sort((a, b) => b[1].count - a[1].count);
  if (skipped.length > 0) {
    lines.push(`  skipped ${skipped.reduce((n, [, v]) => n + v.count, 0).toLocaleString('en')} rows:`);
    for (const [code, v] of skipped) lines.push(`    ${v.count.toLocaleString('en').padStart(9)}  ${code}: ${v.reason}`);
  }
  if (s.rejectedTotal > 0) {
    lines.push(`  rejected ${s.rejectedTotal.toLocaleString('en')}${s.rejectedTotal > s.rejected.length ? ` (first ${s.rejected.length} listed)` : ''}:`);
    for (const r of s.rejected) lines.push(`    ${r.row === null ? '' : `row ${r.row}: `}${r.reason}`);
  }
  if (s.notAppliedTotal > 0) {
    lines.push(`  stored, but the change to their order not applied ${s.notAppliedTotal.toLocaleString('en')}${s.notAppliedTotal > s.notApplied.length ? ` (first ${s.notApplied.length} listed)` : ''}:`);
    for (const r of s.notApplied) lines.push(`    ${r.row === null ? '' : `row ${r.row}: `}${r.reason}`);
  }
  return lines.join('\n');
}
