import Database from 'better-sqlite3';
const stats = new Map<string, { n: number; t: number }>();
const probe = new Database(':memory:');
const proto = Object.getPrototypeOf(probe.prepare('select 1'));
for (const m of ['all', 'get', 'run', 'iterate'] as const) {
  const orig = proto[m];
  proto[m] = function (this: { source: string }, ...args: unknown[]) {
    const t = performance.now();
    try { return orig.apply(this, args); } finally { const k = this.source.replace(/\s+/g, ' ').slice(0, 140); const s = stats.get(k) ?? { n: 0, t: 0 }; s.n++; s.t += performance.now() - t; stats.set(k, s); }
  };
}
const origExec = Database.prototype.exec;
Database.prototype.exec = function (this: Database.Database, src: string) { const t = performance.now(); try { return origExec.call(this, src); } finally { const k = 'EXEC ' + src.slice(0, 60); const s = stats.get(k) ?? { n: 0, t: 0 }; s.n++; s.t += performance.now() - t; stats.set(k, s); } } as never;
process.on('exit', () => {
  const rows = [...stats].sort((a, b) => b[1].t - a[1].t).slice(0, 30);
  for (const [k, s] of rows) console.log(`${s.t.toFixed(0).padStart(6)} ms ${String(s.n).padStart(7)} × ${(s.t / s.n * 1000).toFixed(1).padStart(7)} µs  ${k}`);
});
