import cliProgress from 'cli-progress';

/** A progress bar on stderr (so `--json` output on stdout stays clean); silent when asked. */
export function createProgress(options: { label: string; total: number; quiet: boolean }) {
  if (options.quiet) return { update: (_v: number, _p?: Record<string, unknown>) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: `${options.label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
    stream: process.stderr,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 5000,
    hideCursor: true,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  const started = performance.now();
  bar.start(options.total, 0, { rows: 0, rate: 0 });
  return {
    update(value: number, payload: { rows: number }) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(value, { rows: payload.rows, rate: seconds > 0 ? Math.round(payload.rows / seconds) : 0 });
    },
    stop() {
      bar.stop();
    },
  };
}
