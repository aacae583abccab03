import { buildConfig } from '/work/main/src/config/config.ts';
import { createTailor } from '/work/main/src/main.ts';
import { rmSync } from 'node:fs';
rmSync('/tmp/prof-track.db', { force: true }); rmSync('/tmp/prof-track.db-wal', { force: true }); rmSync('/tmp/prof-track.db-shm', { force: true });
const tailor = await createTailor(buildConfig({ env: { TAILOR_DB: '/tmp/prof-track.db', TAILOR_RATE_LIMIT_WRITE_PER_SECOND: '1000000', TAILOR_RATE_LIMIT_WRITE_BURST: '1000000' }, flags: {} }), { log: () => {} });
const { keys } = await tailor.workspaces.createWorkspace({ name: 'p', jurisdiction: 'UK' });
const auth = `Basic ${Buffer.from(`${keys.write}:`).toString('base64')}`;
const body = (i: number) => JSON.stringify({ anonymousId: `anon-${i % 5000}`, event: 'Product Viewed', messageId: `ajs-next-${i}-${Math.random().toString(16).slice(2)}`, properties: { product_id: `p${i % 300}`, price: 12.5, category: 'Kitchen', name: 'Teapot' }, context: { page: { url: 'https://shop.example/p/1', referrer: 'https://google.com' }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36', locale: 'en-GB', library: { name: 'analytics.js', version: 'next-1.70.0' } } });
async function run(n: number, off: number) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) { const r = await tailor.app.request('/v1/track', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: body(off + i) }); if (r.status !== 200) throw new Error(await r.text()); }
  const c = process.cpuUsage(c0); return { wall: (performance.now() - t0) / n * 1000, cpu: (c.user + c.system) / n };
}
await run(3000, 0);
for (let r = 0; r < 3; r++) { const x = await run(3000, 10000 * (r + 1)); console.log(`per call: wall ${x.wall.toFixed(0)} µs, cpu ${x.cpu.toFixed(0)} µs`); }
await tailor.close();
