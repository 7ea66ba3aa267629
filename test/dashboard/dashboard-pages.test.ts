import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { openSession, postForm, runIdOf } from "./dashboard-client.ts";

const SECRET = "tr_test_dashboard_key";
let db: TestDb;
let runtime: Runtime;

beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({
    db,
    port: 0,
    taskDirs: ["trigger", "test/fixtures/trigger"],
    secretKey: SECRET,
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

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime.url}${path}`, { redirect: "manual", headers });

describe("the dashboard's pages", () => {
  it("redirects / to the tasks page, which lists every task with its queue, retry policy and schedule", async () => {
    const root = await get("/");
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/dashboard");
    const page = await get("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const text = await page.text();
    for (const id of ["credentials-rotate-keys", "test-child", "test-always-fails", "token-refresh-sweep"]) {
      expect(text).toContain(`href="/dashboard/tasks/${id}"`);
    }
    expect(text).toContain("credentials-rotation");
    expect(text).toContain("<code>17 3 * * *</code>");
    expect(text).toContain("3 attempts, 5.0 s → 1 m 00 s, ×2, randomized");
  });

  it("shows a schema task's JSON Schema and prefills the Test payload from it", async () => {
    const text = await (await get("/dashboard/tasks/test-child")).text();
    expect(text).toContain("&quot;type&quot;: &quot;number&quot;");
    expect(text).toMatch(/<textarea id="payload"[^>]*>\{\n {2}&quot;n&quot;: 0\n\}<\/textarea>/);
  });

  it("gives a scheduled task an editable schedule timestamp instead of a payload", async () => {
    const text = await (await get("/dashboard/tasks/credentials-rotate-keys")).text();
    expect(text).toContain('name="timestamp"');
    expect(text).not.toContain('name="payload"');
  });

  it("answers 404 pages for unknown tasks and runs", async () => {
    expect((await get("/dashboard/tasks/nope")).status).toBe(404);
    expect((await get("/dashboard/runs/run_nope")).status).toBe(404);
  });

  it("refuses a Host header that does not name this machine (DNS rebinding)", async () => {
    // fetch() will not send another Host: a raw request, as a rebound browser would.
    const statusWithHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${runtime.url}/dashboard`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await statusWithHost("evil.example")).toBe(403);
    expect(await statusWithHost("evil.example:3000")).toBe(403);
    expect(await statusWithHost("localhost:3000")).toBe(200);
  });
});

describe("Test from the dashboard", () => {
  it("triggers through the SDK's path and opens the run, which completes with its output", async () => {
    const session = await openSession(runtime.url);
    const response = await postForm(
      runtime.url,
      "/dashboard/tasks/test-child/test",
      { payload: '{"n": 21}', tags: "order_1, dash", idempotencyKey: "dash-key-1" },
      { session },
    );
    expect(response.status).toBe(303);
    const runId = runIdOf(response);
    const row = await runtime.executor.waitFor(runId, 15_000);
    expect(row.status).toBe("completed");
    expect(row.output).toMatchObject({ doubled: 42 });
    expect(row.tags).toEqual(["order_1", "dash"]);
    expect(row.idempotencyKey).toBe("dash-key-1");
    const page = await (await get(`/dashboard/runs/${runId}`)).text();
    expect(page).toContain("status-COMPLETED");
    expect(page).toContain("&quot;doubled&quot;: 42");
    expect(page).toMatch(/<th scope="row">1<\/th>\s*<td><span class="status status-completed">completed/);
    const again = await postForm(
      runtime.url,
      "/dashboard/tasks/test-child/test",
      { payload: '{"n": 5}', idempotencyKey: "dash-key-1" },
      { session },
    );
    expect(runIdOf(again)).toBe(runId);
  });

  it("runs a scheduled task with the schedule payload for the timestamp given", async () => {
    const session = await openSession(runtime.url);
    const response = await postForm(
      runtime.url,
      "/dashboard/tasks/test-every-minute/test",
      { timestamp: "2026-03-01T10:00:00Z" },
      { session },
    );
    const row = await runtime.executor.waitFor(runIdOf(response), 15_000);
    expect(row.output).toEqual({ timestamp: "2026-03-01T10:00:00.000Z", scheduleType: "DECLARATIVE" });
  });

  it("re-renders the form with the refusal when the payload is not JSON or the schema refuses it", async () => {
    const session = await openSession(runtime.url);
    const bad = await postForm(
      runtime.url,
      "/dashboard/tasks/test-child/test",
      { payload: "{n: <b>" },
      { session },
    );
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("The payload is not valid JSON");
    expect(text).toContain("{n: &lt;b&gt;</textarea>");
    const delay = await postForm(
      runtime.url,
      "/dashboard/tasks/test-child/test",
      { payload: "{}", delay: "soon" },
      { session },
    );
    expect(delay.status).toBe(400);
    expect(await delay.text()).toContain("Trigger option delay: invalid");
  });

  it("shows a failing task's error with its stack and every attempt with its retry delay", async () => {
    const session = await openSession(runtime.url);
    const runId = runIdOf(
      await postForm(runtime.url, "/dashboard/tasks/test-always-fails/test", { payload: "" }, { session }),
    );
    const row = await runtime.executor.waitFor(runId, 15_000);
    expect(row.status).toBe("failed");
    const page = await (await get(`/dashboard/runs/${runId}`)).text();
    expect(page).toContain("status-FAILED");
    expect(page).toContain("<strong>Error</strong>: boom");
    expect(page).toMatch(/<pre class="stack"[^>]*><code>Error: boom\n\s+at /);
    expect(page.match(/status status-retrying/g)).toHaveLength(2);
    expect(page.match(/status status-failed/g)).toHaveLength(1);
    expect(page).toMatch(
      /status-retrying">retrying<\/span><\/td>\s*<td><time[^>]*>[^<]+<\/time><\/td>\s*<td>\d+ ms<\/td>\s*<td>\d+ ms<\/td>/,
    );
  });
});

describe("write safety", () => {
  it("refuses a write without the session's CSRF token, from another origin, or with no session", async () => {
    const session = await openSession(runtime.url);
    const path = "/dashboard/tasks/test-child/test";
    const fields = { payload: '{"n": 1}' };
    expect((await postForm(runtime.url, path, fields, { session, csrf: null })).status).toBe(403);
    expect((await postForm(runtime.url, path, fields, { session, csrf: "forged" })).status).toBe(403);
    const other = await openSession(runtime.url);
    expect((await postForm(runtime.url, path, fields, { session, csrf: other.csrf })).status).toBe(403);
    expect(
      (
        await postForm(runtime.url, path, fields, {
          session,
          headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
        })
      ).status,
    ).toBe(403);
    expect((await postForm(runtime.url, path, fields, { csrf: session.csrf })).status).toBe(403);
    expect(await runtime.executor.store.list({})).toEqual([]);
  });

  it("accepts the runtime's key instead of a session (scripts)", async () => {
    const response = await postForm(
      runtime.url,
      "/dashboard/tasks/test-child/test",
      { payload: '{"n": 2}' },
      {
        headers: { authorization: `Bearer ${SECRET}` },
      },
    );
    expect(response.status).toBe(303);
    expect((await runtime.executor.waitFor(runIdOf(response), 15_000)).status).toBe("completed");
  });

  it("cancels a delayed run and replays a run from its page", async () => {
    const session = await openSession(runtime.url);
    const delayed = runIdOf(
      await postForm(
        runtime.url,
        "/dashboard/tasks/test-child/test",
        { payload: '{"n": 3}', delay: "1h" },
        {
          session,
        },
      ),
    );
    expect(await (await get(`/dashboard/runs/${delayed}`)).text()).toContain("status-DELAYED");
    const cancel = await postForm(runtime.url, `/dashboard/runs/${delayed}/cancel`, {}, { session });
    expect(cancel.status).toBe(303);
    expect((await runtime.executor.store.get(delayed))?.status).toBe("canceled");
    const replay = await postForm(runtime.url, `/dashboard/runs/${delayed}/replay`, {}, { session });
    const replayed = await runtime.executor.waitFor(runIdOf(replay), 15_000);
    expect(replayed).toMatchObject({ taskId: "test-child", status: "completed", output: { doubled: 6 } });
  });
});
