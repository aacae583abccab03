import { describe, expect, it } from 'vitest';
import { buildConfig } from './config.js';

describe('buildConfig', () => {
  it('defaults to SQLite on 127.0.0.1:8700', () => {
    const c = buildConfig({ env: {}, flags: {} });
    expect(c.database).toMatchObject({ sqlitePath: 'tailor.db', sqliteSynchronous: 'NORMAL' });
    expect(c.database.url).toBeUndefined();
    expect(c.server).toEqual({ host: '127.0.0.1', port: 8700 });
  });

  it('layers file < env < flags', () => {
    const c = buildConfig({
      file: { server: { port: 9000, host: '0.0.0.0' } },
      env: { TAILOR_PORT: '9100', DATABASE_URL: 'postgres://root@127.0.0.1/test' },
      flags: { server: { port: 9200 } },
    });
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9200 });
    expect(c.database.url).toBe('postgres://root@127.0.0.1/test');
  });

  it('names the source and the setting of a bad value', () => {
    expect(() => buildConfig({ env: { TAILOR_PORT: 'eighty' }, flags: {} })).toThrow('environment variable TAILOR_PORT: expected a number, got "eighty"');
    expect(() => buildConfig({ env: { DATABASE_URL: 'mysql://x' }, flags: {} })).toThrow('environment variable DATABASE_URL: database.url: must be a postgres:// connection string');
    expect(() => buildConfig({ env: { TAILOR_PORT: '70000' }, flags: {} })).toThrow(/^environment variable TAILOR_PORT: server\.port: Too big/);
    expect(() => buildConfig({ env: { TAILOR_METRICS_TOKEN: 'short' }, flags: {} })).toThrow('environment variable TAILOR_METRICS_TOKEN: metrics.token: must be at least 16 characters');
    expect(() => buildConfig({ env: {}, file: { metrics: { token: 'has a space in it, long enough' } }, flags: {} })).toThrow('metrics.token: must not contain spaces');
    expect(buildConfig({ env: { TAILOR_METRICS_TOKEN: 'a-long-enough-token' }, flags: {} }).metrics).toEqual({ token: 'a-long-enough-token', process: true });
    expect(() => buildConfig({ file: { server: { prot: 1 } }, fileName: 'tailor.config.json', env: {}, flags: {} })).toThrow(/^tailor\.config\.json: server: /);
    expect(() => buildConfig({ env: {}, flags: { server: { port: 70000 } } })).toThrow(/^command-line flags: server\.port: /);
  });
});
