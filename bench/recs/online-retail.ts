import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { Interaction, ItemAttributes } from '../../src/recommend/index.js';

/** The default data file, relative to the repository root. */
export const DEFAULT_DATA_PATH = '../shared/datasets/online-retail/online_retail.csv.gz';

export interface OnlineRetail {
  /** One purchase per order line: non-cancelled, with a customer id, positive quantity, a product code. */
  interactions: Interaction[];
  /** Every product code in the file with its most frequent description: the "catalog". */
  items: ItemAttributes[];
  /** When each product code first appears in the file (any row): its launch, for as-of catalogs. */
  firstSeen: Map<string, number>;
  rows: number;
}

interface Row {
  InvoiceNo: string;
  StockCode: string;
  Description: string;
  Quantity: string;
  InvoiceDate: string;
  CustomerID: string;
}

/**
 * The catalog as it stood at `at`: items that had appeared in the file before then. Models
 * evaluated at a split must not know products launched after it.
 *
 * @example
 * const catalog = catalogAsOf({ data, at: splitAt });
 */
export function catalogAsOf(input: { data: OnlineRetail; at: number }): ItemAttributes[] {
  return input.data.items.filter((item) => (input.data.firstSeen.get(item.itemId) ?? Infinity) < input.at);
}

/**
 * Reads the UCI Online Retail file (gzip CSV). Product codes start with a digit (e.g. 85123A);
 * the alphabetic ones are postage, fees, discounts and manual adjustments (POST, DOT, M, D,
 * BANK CHARGES, AMAZONFEE…) and are dropped, as they are not things to recommend. Codes are
 * upper-cased (the file spells a few both ways). Dates have no zone; they are read as UTC.
 *
 * @example
 * const data = await loadOnlineRetail('../shared/datasets/online-retail/online_retail.csv.gz');
 */
export async function loadOnlineRetail(path: string): Promise<OnlineRetail> {
  const parser = parse({ columns: true, skip_empty_lines: true });
  createReadStream(path).pipe(createGunzip()).pipe(parser);
  const interactions: Interaction[] = [];
  const descriptions = new Map<string, Map<string, number>>();
  const firstSeen = new Map<string, number>();
  let rows = 0;
  for await (const record of parser as AsyncIterable<Row>) {
    rows++;
    const itemId = record.StockCode.trim().toUpperCase();
    if (!/^[0-9]/.test(itemId)) continue;
    const description = record.Description.trim();
    if (description !== '') {
      let counts = descriptions.get(itemId);
      if (counts === undefined) descriptions.set(itemId, (counts = new Map()));
      counts.set(description, (counts.get(description) ?? 0) + 1);
    }
    const at = Date.parse(`${record.InvoiceDate.replace(' ', 'T')}Z`);
    if (Number.isNaN(at)) throw new Error(`line ${rows + 1}: InvoiceDate "${record.InvoiceDate}" is not a date`);
    if (!(at >= (firstSeen.get(itemId) ?? Infinity))) firstSeen.set(itemId, at);
    const quantity = Number(record.Quantity);
    if (record.InvoiceNo.startsWith('C') || record.CustomerID.trim() === '' || !(quantity > 0)) continue;
    const userId = String(Math.trunc(Number(record.CustomerID)));
    interactions.push({ userId, itemId, kind: 'purchase', at, quantity });
  }
  const items: ItemAttributes[] = [...descriptions.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([itemId, counts]) => {
      let best = '';
      let bestCount = -1;
      for (const [text, count] of counts) if (count > bestCount) [best, bestCount] = [text, count];
      return { itemId, description: best };
    });
  return { interactions, items, firstSeen, rows };
}
