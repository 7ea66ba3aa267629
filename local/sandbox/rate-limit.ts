/** A provider's requests-per-second limit in a simulator (a one-second sliding window). */
export interface RateLimiter {
  /** Requests per second admitted; 0 turns the limit off. */
  set(perSecond: number): void;
  /** Whether one more request fits now. */
  admit(): boolean;
  /** 429s answered so far. */
  rejected(): number;
}

export function createRateLimiter(perSecond = 0): RateLimiter {
  let limit = perSecond;
  let refused = 0;
  const stamps: number[] = [];
  return {
    set: (n) => {
      limit = n;
      stamps.length = 0;
    },
    admit: () => {
      if (limit <= 0) return true;
      const now = performance.now();
      while (stamps.length && now - stamps[0]! >= 1000) stamps.shift();
      if (stamps.length >= limit) {
        refused++;
        return false;
      }
      stamps.push(now);
      return true;
    },
    rejected: () => refused,
  };
}
