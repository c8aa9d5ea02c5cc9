import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../electron/core/patient/decline/attempts.js';

describe('decline attempt limiter', () => {
  it('sends the patient to reception on the third failure, counting down before that', () => {
    const limiter = new AttemptLimiter(3);
    expect(limiter.fail('c1')).toMatchObject({ failures: 1, remaining: 2, exhausted: false });
    expect(limiter.fail('c1')).toMatchObject({ failures: 2, remaining: 1, exhausted: false });
    expect(limiter.fail('c1')).toMatchObject({ failures: 3, remaining: 0, exhausted: true });
    expect(limiter.fail('c1')).toMatchObject({ failures: 3, remaining: 0, exhausted: true });
  });

  it('follows the configured limit', () => {
    const one = new AttemptLimiter(1);
    expect(one.fail('c').exhausted).toBe(true);
    const five = new AttemptLimiter(5);
    for (let i = 0; i < 4; i++) expect(five.fail('c').exhausted).toBe(false);
    expect(five.fail('c').exhausted).toBe(true);
    expect(() => new AttemptLimiter(0)).toThrow(RangeError);
  });

  it('keeps check-ins apart and forgets one when it ends', () => {
    const limiter = new AttemptLimiter(2);
    limiter.fail('a');
    expect(limiter.state('b').failures).toBe(0);
    limiter.end('a');
    expect(limiter.state('a')).toMatchObject({ failures: 0, remaining: 2 });
  });

  it('counts the same QR payload seen again and again by the camera only once', () => {
    const limiter = new AttemptLimiter(3);
    expect(limiter.fail('c', 'garbage').failures).toBe(1);
    for (let i = 0; i < 30; i++) expect(limiter.fail('c', 'garbage')).toMatchObject({ failures: 1, repeated: true });
    expect(limiter.fail('c', 'other garbage')).toMatchObject({ failures: 2, repeated: false });
    // Typed attempts (no payload fingerprint) always count.
    expect(limiter.fail('c').exhausted).toBe(true);
  });

  it('forgets abandoned check-ins after the idle time', () => {
    let t = 0;
    const limiter = new AttemptLimiter(3, 1000, () => t);
    limiter.fail('old');
    t = 5000;
    limiter.fail('new');
    expect(limiter.state('old').failures).toBe(0);
    expect(limiter.state('new').failures).toBe(1);
  });
});
