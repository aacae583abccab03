import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * How to start one of the store's worker-thread entries (`compute-worker`, `log-writer-worker`):
 * the built `.js` file beside the module that asks; or, when that module runs from its
 * TypeScript source (tests, benchmarks), a small module that registers tsx's loader in the
 * worker and then imports the `.ts` entry (Node 20 does not apply loaders given to a worker
 * through `execArgv`).
 *
 * @example
 * new Worker(workerEntry(import.meta.url, 'compute-worker'), { workerData });
 */
export function workerEntry(callerUrl: string, name: string): URL {
  if (!callerUrl.endsWith('.ts')) return new URL(`./${name}.js`, callerUrl);
  // tsx's ESM API (its `tsx/esm/api` export under the `import` condition).
  const tsx = pathToFileURL(join(dirname(createRequire(callerUrl).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const source = `import { register } from ${JSON.stringify(tsx)};\nregister();\nawait import(${JSON.stringify(new URL(`./${name}.ts`, callerUrl).href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}
