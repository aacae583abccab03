import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_ACTIONS, PURPOSES, REASON_CODE_MEANINGS } from './index.js';

// The README is the reference other engineers read; keep it in step with the code.
const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

describe('privacy README', () => {
  it('lists every purpose, policy action and reason code', () => {
    for (const p of PURPOSES) expect(readme).toContain(`\`${p}\``);
    for (const a of POLICY_ACTIONS) expect(readme).toContain(`| \`${a}\` |`);
    for (const code of Object.keys(REASON_CODE_MEANINGS)) expect(readme).toContain(`| \`${code}\` |`);
  });
});
