import os from 'node:os';

/** One line that says what machine a benchmark ran on. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Percentile of sorted numbers (nearest-rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A memory field of a process's /proc status (`VmHWM`, `VmRSS`), in bytes; 0 once it has exited. */
async function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises');
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0; // the process has exited
  }
}

/** Peak resident memory of a running child, read from /proc until it exits (Linux). */
export function watchPeakRss(pid: number): { stop: () => number } {
  let peak = 0;
  const read = async () => {
    peak = Math.max(peak, await statusBytes(pid, 'VmHWM'));
  };
  const timer = setInterval(() => void read(), 50);
  void read();
  return { stop: () => { clearInterval(timer); return peak; } };
}

/**
 * Peak resident memory of a running child and of it with all its descendants (a server's
 * worker processes), read from /proc until it exits (Linux). The tree's figure is the largest
 * sum of their current RSS seen in one reading, every 50 ms: a peak between two readings can
 * be missed, and it is never a sum of peaks reached at different times.
 */
export function watchPeakTreeRss(pid: number): { stop: () => { root: number; tree: number; processes: number } } {
  let root = 0;
  let tree = 0;
  let processes = 0;
  const read = async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const children = async (p: number): Promise<number[]> => {
      try {
        const tasks = await readdir(`/proc/${p}/task`);
        const out: number[] = [];
        for (const t of tasks) out.push(...(await readFile(`/proc/${p}/task/${t}/children`, 'utf8')).split(/\s+/).filter((s) => s !== '').map(Number));
        return out;
      } catch {
        return [];
      }
    };
    const all = [pid];
    for (let k = 0; k < all.length; k++) all.push(...await children(all[k]!));
    let sum = 0;
    for (const p of all) sum += await statusBytes(p, 'VmRSS');
    if (sum > tree) {
      tree = sum;
      processes = all.length;
    }
    root = Math.max(root, await statusBytes(pid, 'VmHWM'));
  };
  const timer = setInterval(() => void read(), 50);
  void read();
  return { stop: () => { clearInterval(timer); return { root, tree, processes }; } };
}
