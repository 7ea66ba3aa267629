import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenants } from "../../db/schema.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { saveConnection } from "../../src/connections/save-connection.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let runtime: Runtime;

beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({
    db,
    port: 0,
    taskDirs: ["trigger", "test/fixtures/trigger"],
    secretKey: "tr_test_dashboard_lists",
    sandbox: false,
    cron: false,
    dashboard: "on",
  });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});
beforeEach(async () => {
  await db.truncate();
});

const text = async (path: string) => {
  const response = await fetch(`${runtime.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
};
const runIds = (page: string) =>
  [...page.matchAll(/href="\/dashboard\/runs\/(run_[^"]+)"/g)].map((m) => m[1]!);
const olderLink = (page: string) =>
  page.match(/<a href="([^"]+)" rel="next">/)?.[1]?.replaceAll("&amp;", "&");
const newerLink = (page: string) =>
  page.match(/<a href="([^"]+)" rel="prev">/)?.[1]?.replaceAll("&amp;", "&");

/** Finished runs, newest = highest index, one minute apart. */
async function seedRuns(count: number, status = "completed", task = "test-child", tag = "t") {
  await db.db.execute(sql`insert into task_runs (id, task_id, status, tags, created_at, updated_at)
    select 'run_seed_' || ${task} || '_' || lpad(i::text, 4, '0'), ${task}, ${status}, array[${tag}],
      timestamptz '2026-01-01T00:00:00Z' + (i || ' minutes')::interval, now()
    from generate_series(1, ${count}) as i`);
}

describe("the runs list", () => {
  it("pages 60 runs 25 at a time with keyset cursors, newest first, both ways", async () => {
    await seedRuns(60);
    const first = await text("/dashboard/runs");
    expect(runIds(first)).toHaveLength(25);
    expect(runIds(first)[0]).toBe("run_seed_test-child_0060");
    expect(newerLink(first)).toBeUndefined();
    const seen = [...runIds(first)];
    let page = first;
    while (olderLink(page)) {
      page = await text(olderLink(page)!);
      seen.push(...runIds(page));
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    expect(seen.at(-1)).toBe("run_seed_test-child_0001");
    const second = await text(olderLink(first)!);
    expect(runIds(await text(newerLink(second)!))).toEqual(runIds(first));
  });

  it("filters by task, status, tag and creation time, and keeps the filter across pages", async () => {
    await seedRuns(30, "completed", "test-child", "alpha");
    await seedRuns(30, "failed", "test-slow", "beta");
    const failed = await text("/dashboard/runs?status=FAILED");
    expect(runIds(failed).every((id) => id.includes("test-slow"))).toBe(true);
    expect(olderLink(failed)).toContain("status=FAILED");
    const rest = await text(olderLink(failed)!);
    expect(runIds(rest)).toHaveLength(5);
    expect(runIds(rest).every((id) => id.includes("test-slow"))).toBe(true);
    expect(runIds(await text("/dashboard/runs?task=test-child&tag=alpha"))).toHaveLength(25);
    expect(runIds(await text("/dashboard/runs?tag=nope"))).toEqual([]);
    expect(await text("/dashboard/runs?task=test-child")).toContain(
      '<a href="/dashboard/runs?tag=alpha">alpha</a>',
    );
    const window = await text("/dashboard/runs?task=test-child&from=2026-01-01T00:10&to=2026-01-01T00:12");
    expect(runIds(window)).toEqual([
      "run_seed_test-child_0012",
      "run_seed_test-child_0011",
      "run_seed_test-child_0010",
    ]);
  });

  it("answers hostile filters and cursors with a page or a 400, never a database error", async () => {
    for (const path of [
      "/dashboard/runs?from=99999-01-01",
      "/dashboard/runs?task=%00",
      "/dashboard/events?after=%00",
      "/dashboard/connections?tenant=%00",
      "/dashboard/runs/%00",
    ]) {
      const response = await fetch(`${runtime.url}${path}`);
      expect([200, 400, 404], path).toContain(response.status);
      expect(await response.text(), path).not.toMatch(/database query failed/i);
    }
  });

  it("shows a sweep's processed/total metadata as a progress bar", async () => {
    await db.db.execute(sql`insert into task_runs (id, task_id, status, metadata)
      values ('run_progress', 'credentials-rotate-keys', 'running', '{"processed": 3, "total": 12}')`);
    const page = await text("/dashboard/runs/run_progress");
    expect(page).toContain('<progress id="run-progress" max="12" value="3">3 of 12</progress> 3 of 12 (25%)');
    expect(page).toContain('data-active="true"');
  });

  it("escapes what a run carries: tags, payloads, errors", async () => {
    await db.db.execute(sql`insert into task_runs (id, task_id, status, tags, payload, error)
      values ('run_escape', 'test-child', 'failed', array['"><script>alert(1)</script>'],
        '{"html":"<img src=x onerror=alert(2)>"}',
        '{"name":"Error","message":"<svg onload=alert(3)>","stack":"Error: <b>x</b>"}')`);
    for (const page of [await text("/dashboard/runs"), await text("/dashboard/runs/run_escape")]) {
      expect(page).not.toMatch(/<script>alert|<img src=x|<svg onload|<b>x<\/b>/);
    }
    const detail = await text("/dashboard/runs/run_escape");
    expect(detail).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(detail).toContain("&lt;svg onload=alert(3)&gt;");
  });
});

describe("connections and webhook events", () => {
  it("lists tenants' connections with status, errors and transitions, never their credentials", async () => {
    const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const [tenant] = await db.db.insert(tenants).values({ name: "Acme" }).returning();
    const saved = await saveConnection(db.db, keyRing, {
      tenantId: tenant!.id,
      provider: "slack",
      credentials: { access_token: "xoxb-canary-access", refresh_token: "xoxe-canary-refresh" },
      expiresAt: new Date("2030-01-01T00:00:00Z"),
    });
    await db.db.execute(sql`update integration_connections set status = 'expired',
      last_error = 'invalid_grant', last_error_at = now() where id = ${saved.id}`);
    await db.db.execute(sql`insert into connection_transitions (tenant_id, connection_id, from_status, to_status, reason)
      values (${tenant!.id}, ${saved.id}, 'active', 'expired', 'the provider refused the refresh token')`);
    const page = await text("/dashboard/connections");
    expect(page).toContain("Acme");
    expect(page).toContain("status-expired");
    expect(page).toContain("invalid_grant");
    expect(page).toContain("2030-01-01 00:00:00 UTC");
    expect(page).toContain("active → expired");
    expect(page).toContain("the provider refused the refresh token");
    expect(page).not.toMatch(/xoxb-canary|xoxe-canary|sb1\./);
  });

  it("shows health fields and filters connections by tenant; tenants without connections are listed too", async () => {
    const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const [acme, globex] = await db.db
      .insert(tenants)
      .values([{ name: "Acme" }, { name: "Globex" }])
      .returning();
    await db.db.insert(tenants).values({ name: "Initech" });
    for (const [tenant, provider] of [
      [acme!, "resend"],
      [globex!, "slack"],
    ] as const) {
      await saveConnection(db.db, keyRing, { tenantId: tenant.id, provider, credentials: { api_key: "k" } });
    }
    await db.db.execute(sql`update integration_connections set health_state = 'degraded',
      health_error_class = 'rate_limited', last_checked_at = '2026-03-01T12:00:00Z', last_latency_ms = 812,
      health_window_checks = 4, health_window_failures = 1 where tenant_id = ${acme!.id}`);
    const all = await text("/dashboard/connections");
    expect(all).toContain('Initech</a> <span class="muted">(0 connections)');
    expect(all).toContain("status-health-degraded");
    expect(all).toContain("<code>rate_limited</code>");
    expect(all).toContain("2026-03-01 12:00:00 UTC</time> (812 ms)");
    expect(all).toMatch(/errors this hour<\/span> 1\/4/);
    const onlyAcme = await text(`/dashboard/connections?tenant=${acme!.id}`);
    expect(onlyAcme).toContain('<th scope="row">resend</th>');
    expect(onlyAcme).not.toContain('<th scope="row">slack</th>');
  });

  it("shows the platform credentials' health above the connections (unfiltered view only)", async () => {
    await db.db.execute(sql`insert into platform_credential_health (provider, health_state, consecutive_failures,
        last_checked_at, last_latency_ms, last_error, last_error_class, window_checks, window_failures)
      values ('stripe', 'failing', 2, '2026-03-01T12:00:00Z', 41, 'unauthorized: stripe answered <b>401</b>',
        'auth', 4, 2)`);
    const [tenant] = await db.db.insert(tenants).values({ name: "Acme" }).returning();
    const page = await text("/dashboard/connections");
    expect(page).toContain("<h2>Platform credentials</h2>");
    expect(page).toContain('<th scope="row">Stripe</th>');
    expect(page).toContain("status-health-failing");
    expect(page).toContain("<code>auth</code>");
    expect(page).toContain("2026-03-01 12:00:00 UTC</time> (41 ms)");
    expect(page).toContain("unauthorized: stripe answered &lt;b&gt;401&lt;/b&gt;");
    expect(page).toMatch(/errors this hour<\/span> 50\.0%/);
    expect(await text(`/dashboard/connections?tenant=${tenant!.id}`)).not.toContain("Platform credentials");
  });

  it("lists webhook events newest first, filtered by provider and status, 25 a page", async () => {
    await db.db.execute(sql`insert into webhook_events (provider, dedupe_key, type, payload, status, error, received_at)
      select case when i % 2 = 0 then 'stripe' else 'plaid' end, 'evt_' || i, 'type.' || i, '{}',
        case when i % 3 = 0 then 'unrouted' else 'processed' end,
        case when i % 3 = 0 then 'no handler' end,
        timestamptz '2026-02-01T00:00:00Z' + (i || ' seconds')::interval
      from generate_series(1, 40) as i`);
    const first = await text("/dashboard/events");
    expect(first.match(/<th scope="row">(stripe|plaid)<\/th>/g)).toHaveLength(25);
    expect(first.indexOf("type.40")).toBeLessThan(first.indexOf("type.39"));
    const next = olderLink(first)!;
    expect((await text(next)).match(/<th scope="row">(stripe|plaid)<\/th>/g)).toHaveLength(15);
    const unroutedStripe = await text("/dashboard/events?provider=stripe&status=unrouted");
    expect(unroutedStripe.match(/<th scope="row">stripe<\/th>/g)).toHaveLength(6);
    expect(unroutedStripe).not.toContain('<th scope="row">plaid</th>');
  });
});

describe("modes", () => {
  it("read-only shows no Test form or action buttons and refuses writes even with the key", async () => {
    const readonly = await startRuntime({
      db,
      port: 0,
      taskDirs: ["trigger", "test/fixtures/trigger"],
      secretKey: "tr_test_readonly",
      sandbox: false,
      cron: false,
      dashboard: "readonly",
    });
    try {
      await seedRuns(1, "failed");
      const task = await (await fetch(`${readonly.url}/dashboard/tasks/test-child`)).text();
      expect(task).toContain("read-only");
      expect(task).not.toContain('<form method="post"');
      const run = await (await fetch(`${readonly.url}/dashboard/runs/run_seed_test-child_0001`)).text();
      expect(run).not.toMatch(/Cancel run|Replay run/);
      const post = await fetch(`${readonly.url}/dashboard/tasks/test-child/test`, {
        method: "POST",
        headers: {
          authorization: "Bearer tr_test_readonly",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "payload=%7B%22n%22%3A1%7D",
      });
      expect(post.status).toBe(403);
      expect(await readonly.executor.store.list({ taskId: "test-child" })).toHaveLength(1);
    } finally {
      await readonly.close(1_000);
    }
  });

  it("serves no dashboard when off, or when the runtime listens beyond loopback", async () => {
    for (const options of [{ dashboard: "off" as const }, { dashboard: "on" as const, host: "0.0.0.0" }]) {
      const other = await startRuntime({
        db,
        port: 0,
        sandbox: false,
        cron: false,
        taskDirs: ["trigger"],
        ...options,
      });
      try {
        const url = other.url.replace("0.0.0.0", "127.0.0.1");
        expect((await fetch(`${url}/dashboard`)).status).toBe(404);
        expect((await fetch(`${url}/`, { redirect: "manual" })).status).toBe(404);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      } finally {
        await other.close(1_000);
      }
    }
  });
});
