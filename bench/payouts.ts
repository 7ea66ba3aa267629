import { sql } from "drizzle-orm";
import { startStripeApiSimulator } from "../local/sandbox/stripe-api-server.ts";
import { buildDeps } from "../src/build-deps.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { rowsOf } from "../src/db/types.ts";
import { isAppError } from "../src/errors.ts";
import { approveBatch } from "../src/payouts/approve-batch.ts";
import { executeStripeItem } from "../src/payouts/execute-stripe-item.ts";
import { prepareBatch } from "../src/payouts/prepare-batch.ts";
import { createTenant } from "../src/tenants/create-tenant.ts";

const N = Number(process.env.BENCH_PAYOUTS_N ?? 1_000);
const RATE = Number(process.env.BENCH_PAYOUTS_RATE ?? 100);
const WORKERS = Number(process.env.BENCH_PAYOUTS_WORKERS ?? 25);

/**
 * One approved batch of N Stripe Connect payees paid against a simulator limited to RATE
 * requests/s, by WORKERS concurrent item runs (the `payouts-stripe` queue's size) that retry a 429
 * after its delay, as task retries would. Prints the batch wall time against the ideal N / RATE,
 * the 429s received and the duplicate payments (transfers beyond one per item: must be 0).
 */
export async function benchPayouts(): Promise<string> {
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  const stripe = await startStripeApiSimulator(["sk_bench"]);
  try {
    await migrate(handle);
    const keyRing = await parseKeyRing(`b1:${Buffer.alloc(32, 7).toString("base64")}`);
    const jobs = {
      trigger: async () => ({ id: "none", isCached: false }),
      batchTrigger: async () => ({ batchId: "none", runCount: 0 }),
    };
    const deps = buildDeps({
      db: handle.db,
      jobs,
      keyRing,
      env: { STRIPE_API_KEY: "sk_bench", STRIPE_API_URL: stripe.url },
    });
    const tenant = (await createTenant(handle.db, { name: "Bench" })).id;
    await handle.db.execute(sql`insert into payees (tenant_id, external_ref, name, country, rail, currency, stripe_account_id,
        payouts_enabled, bank_verification)
      select ${tenant}, 'p' || g, 'Payee ' || g, 'US', 'stripe_connect', 'usd', 'acct_bench' || g, true, 'verified'
      from generate_series(1, ${N}) g`);
    await handle.db.execute(sql`insert into ledger_entries (tenant_id, payee_id, kind, amount_minor, currency, idempotency_key)
      select tenant_id, id, 'earning', 5000, 'usd', 'e-' || id from payees where tenant_id = ${tenant}`);
    const prepared = await prepareBatch(deps, tenant);
    await approveBatch(deps, tenant, prepared.batchId!, "bench");
    const items = rowsOf<{ id: string }>(
      await handle.db.execute(sql`select id from payout_items where batch_id = ${prepared.batchId}`),
    ).map((r) => r.id);

    stripe.state.rateLimit.set(RATE);
    let retries = 0;
    const queue = [...items];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          for (;;) {
            try {
              await executeStripeItem(deps, tenant, id);
              break;
            } catch (err) {
              if (!isAppError(err) || !err.retryable) throw err;
              retries++;
              await new Promise((r) => setTimeout(r, (err.retryAfterMs ?? 1_000) * (0.5 + Math.random())));
            }
          }
        }
      }),
    );
    const wallMs = performance.now() - started;
    const ideal = (N / RATE) * 1000;
    const perItem = new Map<string, number>();
    for (const t of stripe.state.transfers)
      perItem.set(t.metadata.payout_item_id!, (perItem.get(t.metadata.payout_item_id!) ?? 0) + 1);
    const duplicates = [...perItem.values()].reduce((sum, n) => sum + n - 1, 0);
    const [paid] = rowsOf<{ n: number }>(
      await handle.db.execute(sql`select count(*)::int as n from payout_items where status = 'paid'`),
    );
    return [
      `payouts (${handle.kind}, N=${N} payees, simulator ${RATE} req/s, ${WORKERS} workers)`,
      `  batch wall time: ${wallMs.toFixed(0)} ms vs ideal ${ideal.toFixed(0)} ms → ratio ${(wallMs / ideal).toFixed(2)}`,
      `  paid: ${paid!.n}/${N}; 429s received: ${stripe.state.rateLimit.rejected()}; retries: ${retries}; duplicate payments: ${duplicates}`,
    ].join("\n");
  } finally {
    await stripe.close();
    await handle.close();
  }
}
