import { sql } from "drizzle-orm";
import { migrateLocalRuntime } from "../local/migrate-local-runtime.ts";
import { startRuntime } from "../local/runtime.ts";
import { openDb } from "../src/db/open-db.ts";

const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_DASHBOARD_SAMPLES ?? 40);

async function median(url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/**
 * The dashboard's runs list over 10,000 runs: the first page, a filtered page, a deep keyset
 * page and a run's page, each as the median request time against `/healthz` in the same
 * process (the ratio; the difference is what the page adds on the server). Target: the first
 * page under 200 ms.
 */
export async function benchDashboard(): Promise<string> {
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://", poolMax: 10 });
  await migrateLocalRuntime(handle);
  await handle.db.execute(sql`truncate task_runs, task_run_attempts`);
  // Finished runs of a few tasks, spread over a month, so nothing executes while measuring.
  await handle.db.execute(sql`insert into task_runs (id, task_id, payload, status, attempts, output, tags,
      created_at, started_at, completed_at, updated_at)
    select 'run_bench_' || lpad(i::text, 6, '0'),
      (array['token-refresh-connection', 'fairing-sync-tenant', 'credentials-rotate-keys', 'inbox-process-stripe-event'])[1 + i % 4],
      '{"connectionId":"00000000-0000-4000-8000-000000000000"}',
      case when i % 10 = 0 then 'failed' else 'completed' end, 1 + (i % 3), '{"ok":true}',
      array['tenant_' || (i % 50)::text],
      now() - (i || ' minutes')::interval * 4, now() - (i || ' minutes')::interval * 4,
      now() - (i || ' minutes')::interval * 4 + interval '1 second', now()
    from generate_series(1, ${RUNS}) as i`);
  await handle.db.execute(sql`analyze task_runs`);
  const runtime = await startRuntime({ db: handle, port: 0, sandbox: false, cron: false, dashboard: "on" });
  try {
    const base = runtime.url;
    await median(`${base}/dashboard/runs`); // warm up (module and query caches)
    const healthz = await median(`${base}/healthz`);
    const middle = `run_bench_${String(Math.ceil(RUNS / 2)).padStart(6, "0")}`;
    const pages: [string, string][] = [
      ["runs, first page", "/dashboard/runs"],
      ["runs, task + status filter", "/dashboard/runs?task=fairing-sync-tenant&status=FAILED"],
      ["runs, tag filter", "/dashboard/runs?tag=tenant_7"],
      ["runs, page halfway down", `/dashboard/runs?after=${middle}`],
      ["one run", `/dashboard/runs/${middle}`],
      ["tasks", "/dashboard"],
    ];
    const lines = [
      `dashboard (${handle.kind}, ${RUNS} runs, median of ${SAMPLES}; /healthz = ${healthz.toFixed(1)} ms)`,
    ];
    for (const [name, path] of pages) {
      const ms = await median(`${base}${path}`);
      lines.push(
        `  ${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / healthz).toFixed(1).padStart(5)}x /healthz  (+${(ms - healthz).toFixed(1)} ms server)`,
      );
    }
    return lines.join("\n");
  } finally {
    await runtime.close(1_000);
    await handle.close();
  }
}
