import { rateLimitHeaders } from './rate-limiter';

describe('rateLimitHeaders', () => {
  it('names limit, remaining and reset in whole seconds, and Retry-After when blocked', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 100, remaining: 7, resetMs: 1500 })).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '2',
    });
    expect(rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetMs: 59001 })).toMatchObject({
      'Retry-After': '60',
    });
  });
});
