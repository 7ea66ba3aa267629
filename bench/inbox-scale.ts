import { sql } from "drizzle-orm";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { recordWebhookEvent } from "../src/inbox/record-webhook-event.ts";

/**
 * Cost per stored inbound event as the inbox grows: events are recorded one by one (as the
 * handler does) into one table, and the median cost of the 1,000 events before each mark — 1k, 10k,
 * and 50k with BENCH_SCALE_50K=1 — is compared with the first mark's. Flat means the dedupe
 * index and the table's size do not make each insert dearer.
 */
export async function benchInboxScale(): Promise<string> {
  const marks = [1_000, 10_000, ...(process.env.BENCH_SCALE_50K === "1" ? [50_000] : [])];
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  try {
    await migrate(handle);
    // A scratch database (BENCH_DATABASE_URL) keeps the previous run's events: start empty, or
    // every insert of a second run would be a duplicate.
    await handle.db.execute(sql`truncate webhook_events`);
    const window: number[] = [];
    const perItem: { mark: number; ms: number }[] = [];
    for (let i = 1; i <= marks.at(-1)!; i++) {
      const json = JSON.stringify({ id: `evt_scale_${i}`, type: "payout.paid", n: i });
      const started = performance.now();
      await recordWebhookEvent(handle.db, {
        provider: "bench",
        dedupeKey: `evt_scale_${i}`,
        tenantId: null,
        type: "payout.paid",
        body: new TextEncoder().encode(json),
        json,
      });
      window.push(performance.now() - started);
      if (window.length > 1_000) window.shift();
      // The median of the window: one stall of a loaded machine does not move it.
      if (marks.includes(i)) perItem.push({ mark: i, ms: [...window].sort((a, b) => a - b)[500]! });
    }
    const base = perItem[0]!.ms;
    return [
      `inbox scale check (${handle.kind}): median cost of the last 1,000 inserts at each size`,
      ...perItem.map(
        ({ mark, ms }) =>
          `    at ${mark} events: ${ms.toFixed(3)} ms per event (ratio to 1k ${(ms / base).toFixed(2)})`,
      ),
    ].join("\n");
  } finally {
    await handle.close();
  }
}
