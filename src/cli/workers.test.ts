import { describe, expect, it } from 'vitest';
import { WORKER_SEMI_SPACE_MB, workerExecArgv } from './workers.js';

describe('workerExecArgv', () => {
  it('adds the serving young generation to the options of the primary', () => {
    expect(workerExecArgv([], undefined)).toEqual([`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
    expect(workerExecArgv(['--enable-source-maps'], '--max-old-space-size=4096')).toEqual(['--enable-source-maps', `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
  });

  it('leaves a size given on the command line or in NODE_OPTIONS alone', () => {
    expect(workerExecArgv(['--max-semi-space-size=8'], undefined)).toEqual(['--max-semi-space-size=8']);
    expect(workerExecArgv(['--max_semi_space_size', '64'], undefined)).toEqual(['--max_semi_space_size', '64']);
    expect(workerExecArgv([], '--trace-warnings --max-semi-space-size=64')).toEqual([]);
  });
});
