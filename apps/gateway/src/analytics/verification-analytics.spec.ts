import { parseGranularity, parseRange } from './verification-analytics';

describe('analytics parameters', () => {
  it('reads dates as UTC midnight and date-times with their offset', () => {
    const r = parseRange({ trackId: '5', from: '2026-11-01', to: '2026-11-02T01:00:00+01:00' });
    expect(r).toEqual({
      trackId: 5n,
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
    });
  });

  it('rejects bad track ids, dates, empty ranges and unknown granularities', () => {
    expect(() => parseRange({ trackId: '-1', from: '2026-11-01', to: '2026-11-02' })).toThrow(/trackId/);
    expect(() =>
      parseRange({ trackId: '9223372036854775808', from: '2026-11-01', to: '2026-11-02' }),
    ).toThrow(/trackId/);
    expect(() => parseRange({ trackId: '1', from: '2026-13-01', to: '2026-11-02' })).toThrow(/from/);
    expect(() => parseRange({ trackId: '1', from: '2026-11-02', to: '2026-11-02' })).toThrow(/after/);
    expect(() => parseGranularity('week')).toThrow(/granularity/);
    expect(parseGranularity('month')).toBe('month');
  });
});
