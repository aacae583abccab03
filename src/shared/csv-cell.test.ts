import { describe, expect, it } from 'vitest';
import { csvCell } from './csv-cell.js';

describe('csvCell', () => {
  it('neutralises text a spreadsheet would run as a formula (OWASP CSV injection), then quotes as RFC 4180 asks', () => {
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell('+SUM(1)')).toBe("'+SUM(1)");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe("\"'\rx\"");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('=1,2')).toBe('"\'=1,2"');
  });

  it('leaves ordinary text alone and quotes separators, quotes and line breaks', () => {
    expect(csvCell('alice')).toBe('alice');
    expect(csvCell('a-b=c')).toBe('a-b=c');
    expect(csvCell('')).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });
});
