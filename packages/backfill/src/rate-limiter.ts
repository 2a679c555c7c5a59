export interface RateLimiter {
  /** Resolves when `n` more rows may be read without exceeding the rate. */
  take(n: number): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket shared by every chunk worker, so the job as a whole reads at most `rowsPerSecond`
 * (with bursts of up to one second's worth) and production writers keep their I/O. 0 = unlimited.
 */
export function createRateLimiter(rowsPerSecond: number, clock: Clock = systemClock): RateLimiter {
  if (rowsPerSecond <= 0) return { take: async () => undefined };
  let tokens = rowsPerSecond;
  let last = clock.now();
  let chain: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = clock.now();
    tokens = Math.min(rowsPerSecond, tokens + ((t - last) / 1000) * rowsPerSecond);
    last = t;
  };
  return {
    take(n: number) {
      // Serialised so that concurrent takers queue fairly instead of all waking at once.
      chain = chain.then(async () => {
        refill();
        tokens -= n;
        if (tokens < 0) await clock.sleep((-tokens / rowsPerSecond) * 1000);
      });
      return chain;
    },
  };
}
