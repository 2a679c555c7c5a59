import { describe, expect, it } from 'vitest';
import { createRateLimiter, type Clock } from './rate-limiter.ts';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('createRateLimiter', () => {
  it('lets a second of rows through at once, then paces at the rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(1000, clock);
    await limiter.take(1000);
    expect(clock.slept).toEqual([]);
    await limiter.take(500);
    expect(clock.slept).toEqual([500]);
    await limiter.take(2000);
    expect(clock.now()).toBe(2500);
  });

  it('is a no-op when unlimited', async () => {
    const clock = fakeClock();
    await createRateLimiter(0, clock).take(1e9);
    expect(clock.slept).toEqual([]);
  });
});
