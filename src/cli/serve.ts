import { serve as serveHttp } from '@hono/node-server';
import type { Tailor } from '../main.js';

/**
 * Serves the app until SIGINT/SIGTERM, then stops accepting requests, lets in-flight ones
 * finish and closes the store. Resolves once the server listens.
 */
export async function startServer(tailor: Tailor, options: { host: string; port: number }): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serveHttp({ fetch: tailor.app.fetch, hostname: options.host, port: options.port }, (info) => {
      const url = `http://${options.host}:${info.port}`;
      let closing: Promise<void> | null = null;
      const close = () => (closing ??= new Promise<void>((done) => {
        server.close(() => { void tailor.close().finally(done); });
      }));
      resolve({ url, close });
    });
    server.on('error', (e: NodeJS.ErrnoException) => {
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is in use: choose another with --port or TAILOR_PORT` : e.message, { cause: e }));
    });
  });
}

/** Closes the server on SIGINT/SIGTERM. */
export function closeOnSignals(close: () => Promise<void>): void {
  const stop = () => { void close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
