import { refreshSweepTrial } from "./refresh-sweep.ts";

/**
 * Cost per refresh as N grows: the sweep at 1,000 and 10,000 due connections, and 50,000 with
 * BENCH_SCALE_50K=1 (several minutes on a shared machine, so off by default). Flat CPU and
 * statements per refresh mean the per-item cost does not grow with N.
 */
export async function benchRefreshScale(): Promise<string> {
  const sizes = [1_000, 10_000, ...(process.env.BENCH_SCALE_50K === "1" ? [50_000] : [])];
  const parts: string[] = [];
  for (const n of sizes) parts.push(await refreshSweepTrial(n));
  return `refresh scale check\n${parts.join("\n")}`;
}
