import cliProgress from 'cli-progress';

/**
 * Time left from progress so far, for people: `12s`, `3m05s`, `1h02m`; `0s` when done and
 * `--` while nothing is known yet (cli-progress's own estimate prints a garbled "LLs" when
 * its rate buffer holds one value, e.g. at the end of a fast import).
 *
 * @example
 * etaText(50, 100, 10); // "10s"
 */
export function etaText(value: number, total: number, seconds: number): string {
  if (total > 0 && value >= total) return '0s';
  if (!(value > 0) || !(seconds > 0) || !(total > 0)) return '--';
  const left = Math.ceil(((total - value) * seconds) / value);
  if (left >= 3600) return `${Math.floor(left / 3600)}h${String(Math.floor((left % 3600) / 60)).padStart(2, '0')}m`;
  if (left >= 60) return `${Math.floor(left / 60)}m${String(left % 60).padStart(2, '0')}s`;
  return `${left}s`;
}

/** A progress bar on stderr (so `--json` output on stdout stays clean); silent when asked. */
export function createProgress(options: { label: string; total: number; quiet: boolean }) {
  if (options.quiet) return { update: (_v: number, _p?: Record<string, unknown>) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: `${options.label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_text}`,
    stream: process.stderr,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 5000,
    hideCursor: true,
    barsize: 30,
  }, cliProgress.Presets.shades_classic);
  const started = performance.now();
  bar.start(options.total, 0, { rows: 0, rate: 0, eta_text: '--' });
  return {
    update(value: number, payload: { rows: number }) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(value, { rows: payload.rows, rate: seconds > 0 ? Math.round(payload.rows / seconds) : 0, eta_text: etaText(value, options.total, seconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
