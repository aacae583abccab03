import { describe, expect, it } from 'vitest';
import { parseCalibrationEnd } from './predict-service.js';

describe('parseCalibrationEnd', () => {
  it('reads ISO 8601 dates and times', () => {
    expect(parseCalibrationEnd('2011-12-10T00:00:00Z')).toEqual({ ok: true, value: Date.UTC(2011, 11, 10) });
    expect(parseCalibrationEnd('2011-12-10T06:00:00+06:00')).toEqual({ ok: true, value: Date.UTC(2011, 11, 10) });
    expect(parseCalibrationEnd('2011-12-10')).toEqual({ ok: true, value: Date.UTC(2011, 11, 10) });
  });

  it('refuses what Date.parse would guess at, naming the form it wants', () => {
    // Date.parse: "1" → 2001-01-01, "hello 5" → 2001-05-01, 2011-02-30 → 2011-03-02.
    for (const text of ['1', 'hello 5', '2011-02-30', 'Dec 10 2011', '']) {
      expect(parseCalibrationEnd(text), text).toEqual({
        ok: false, error: { type: 'bad_request', message: `calibration end must be an ISO 8601 date or time (2011-12-10 or 2011-12-10T00:00:00Z), got ${JSON.stringify(text)}` },
      });
    }
  });
});
