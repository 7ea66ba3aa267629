/**
 * A sliding-window request budget: at most `limit` requests in any `windowMs`. `take()` resolves
 * when the next request may go. One instance per rate-limited account (a Fairing store).
 */
export function createRequestWindow(
  limit: number,
  windowMs = 60_000,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): { take(): Promise<void> } {
  const sent: number[] = [];
  return {
    async take() {
      if (!Number.isFinite(limit) || limit <= 0) return;
      for (;;) {
        const now = Date.now();
        while (sent.length > 0 && sent[0]! <= now - windowMs) sent.shift();
        if (sent.length < limit) {
          sent.push(now);
          return;
        }
        await sleep(sent[0]! + windowMs - now);
      }
    },
  };
}
