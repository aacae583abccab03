import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ConfigError } from '../shared/errors.js';

/** A file to import: how big it is, a fingerprint to recognise it again, and a way to read it. */
export interface FileSource {
  path: string;
  size: number;
  fingerprint: string;
  gzip: boolean;
  /** Opens the (decompressed) content; `bytesRead()` tells how much of the file on disk was read. */
  open(): { stream: Readable; bytesRead: () => number };
}

/**
 * Opens a file for import. Gzip is recognised by its magic bytes. The fingerprint hashes
 * the name, size and first 64 KiB, so a resumed import continues only the same file.
 *
 * @example
 * const src = await fileSource('orders.csv.gz'); const { stream } = src.open();
 */
export async function fileSource(path: string): Promise<FileSource> {
  let info;
  try {
    info = await stat(path);
  } catch (cause) {
    // Bad input (exit 2), named: no stack trace for a typo.
    throw new ConfigError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message}`);
  }
  if (!info.isFile()) throw new ConfigError(`${path} is not a file`);
  const handle = await open(path, 'r');
  const head = Buffer.alloc(Math.min(65536, info.size));
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const fingerprint = createHash('sha256').update(basename(path)).update(String(info.size)).update(head).digest('hex');
  return {
    path,
    size: info.size,
    fingerprint,
    gzip,
    open() {
      const raw = createReadStream(path, { highWaterMark: 1 << 20 });
      const stream = gzip ? raw.pipe(createGunzip()) : raw;
      raw.on('error', (e) => stream.destroy(e));
      return { stream, bytesRead: () => raw.bytesRead };
    },
  };
}
