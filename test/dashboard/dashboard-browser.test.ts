import { mkdirSync, writeFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../../db/schema.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { saveConnection } from "../../src/connections/save-connection.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { rowsOf } from "../../src/db/types.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { CHROMIUM_FLAGS, findChromium } from "./find-chromium.ts";
import { type AxeViolation, runAxe } from "./run-axe.ts";

// The dashboard in a real browser: Debian's Chromium driven by playwright-core. Where no
// `chromium` executable exists (a bare machine), the suite is skipped and says why; CI installs it.
const executablePath = findChromium();
const SKIP_REASON = "no `chromium` executable on the PATH (apt-get install chromium; .ci/run does)";
if (!executablePath) console.warn(`dashboard browser tests skipped: ${SKIP_REASON}`);

const SECRET_KEY = "tr_dash_browser_runtime_key_7f3a";
const PLAIN_API_KEY = "re_dash_leak_canary_4b9d2e";
const PAYLOAD_SECRET = "sk_live_payload_leak_canary_91c";
const RESULTS = "test-results";

let db: TestDb;
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;
let axeContext: BrowserContext;
const axeResults: Record<string, { violations: AxeViolation[]; passes: number }> = {};

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${RESULTS}/dashboard-${name}.png`, fullPage: true });
}

/** Checks a page for secrets, runs axe on it (in a context that may inject the script) and screenshots it. */
async function audit(path: string, name: string): Promise<string> {
  const page = await axeContext.newPage();
  await page.goto(`${runtime.url}${path}`);
  const markup = await page.content();
  axeResults[name] = await runAxe(page);
  await screenshot(page, name);
  await page.close();
  return markup;
}

describe.skipIf(!executablePath)(
  `the dashboard in Chromium${executablePath ? "" : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      mkdirSync(RESULTS, { recursive: true });
      db = await createTestDb();
      runtime = await startRuntime({
        db,
        port: 0,
        taskDirs: ["trigger", "test/fixtures/trigger"],
        secretKey: SECRET_KEY,
        sandbox: true,
        cron: false,
        dashboard: "on",
      });
      browser = await chromium.launch({
        executablePath: executablePath!,
        args: CHROMIUM_FLAGS,
        headless: true,
      });
      context = await browser.newContext({ baseURL: runtime.url });
      axeContext = await browser.newContext({ baseURL: runtime.url, bypassCSP: true });
    });
    afterAll(async () => {
      if (Object.keys(axeResults).length) {
        writeFileSync(`${RESULTS}/dashboard-axe.json`, `${JSON.stringify(axeResults, null, 2)}\n`);
      }
      await browser?.close();
      await runtime?.close(1_000);
      await db?.close();
    });

    it("runs credentials-rotate-keys from the Test form by keyboard and watches it complete", async () => {
      const page = await context.newPage();
      await page.goto("/");
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
      await screenshot(page, "tasks");
      await page.getByRole("link", { name: "credentials-rotate-keys" }).click();
      await expect.poll(() => page.getByLabel(/Schedule timestamp/).inputValue()).toMatch(/^\d{4}-/);
      await screenshot(page, "task-test-form");
      await page.getByLabel(/Idempotency key/).focus();
      await page.keyboard.type("dash-browser-1");
      await page.keyboard.press("Enter");
      await page.waitForURL(/\/dashboard\/runs\/run_/);
      await expect
        .poll(() => page.locator("#run-status").textContent(), { timeout: 20_000 })
        .toContain("COMPLETED");
      await expect.poll(() => page.locator("#live").getAttribute("data-active")).toBe("false");
      expect(await page.textContent("main")).toContain("credentials-rotate-keys");
      await screenshot(page, "run-completed");
      await page.close();
    });

    it("updates a run's status and the runs list live, without reloading the page", async () => {
      const list = await context.newPage();
      await list.goto("/dashboard/runs");
      await list.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      const trigger = await fetch(`${runtime.url}/api/v1/tasks/test-slow/trigger`, {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ payload: JSON.stringify({ ms: 2_500 }), options: { tags: ["live"] } }),
      });
      const { id } = (await trigger.json()) as { id: string };
      await expect
        .poll(() => list.locator(`a[href="/dashboard/runs/${id}"]`).count(), { timeout: 10_000 })
        .toBe(1);
      const detail = await context.newPage();
      await detail.goto(`/dashboard/runs/${id}`);
      expect(await detail.locator("#run-status").textContent()).toMatch(/EXECUTING|QUEUED/);
      await detail.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      await expect
        .poll(() => detail.locator("#run-status").textContent(), { timeout: 20_000 })
        .toContain("COMPLETED");
      expect(await detail.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      await expect
        .poll(() =>
          list.locator("tr", { has: list.locator(`a[href="/dashboard/runs/${id}"]`) }).textContent(),
        )
        .toContain("COMPLETED");
      expect(await list.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      await screenshot(list, "runs");
      await list.close();
      await detail.close();
    });

    it("shows a failing task's error, stack and every attempt", async () => {
      const page = await context.newPage();
      await page.goto("/dashboard/tasks/test-always-fails");
      await page.getByRole("textbox", { name: /^Payload/ }).fill("{}");
      await page.getByRole("button", { name: "Test" }).click();
      await page.waitForURL(/\/dashboard\/runs\/run_/);
      await expect
        .poll(() => page.locator("#run-status").textContent(), { timeout: 20_000 })
        .toContain("FAILED");
      expect(await page.locator("pre.stack").textContent()).toMatch(/^Error: boom\n\s+at /);
      const attempts = page.locator("h2:text('Attempts') + table tbody tr");
      await expect.poll(() => attempts.count()).toBe(3);
      expect(await attempts.nth(0).textContent()).toContain("retrying");
      expect(await attempts.nth(2).textContent()).toContain("failed");
      await screenshot(page, "run-failed");
      await page.close();
    });

    it("cancels a delayed run", async () => {
      const page = await context.newPage();
      await page.goto("/dashboard/tasks/test-child");
      await page.getByRole("textbox", { name: /^Payload/ }).fill('{"n": 4}');
      await page.getByLabel(/^Delay/).fill("1h");
      await page.getByRole("button", { name: "Test" }).click();
      await page.waitForURL(/\/dashboard\/runs\/run_/);
      expect(await page.locator("#run-status").textContent()).toContain("DELAYED");
      await page.getByRole("button", { name: "Cancel run" }).click();
      await expect.poll(() => page.locator("#run-status").textContent()).toContain("CANCELED");
      const id = page.url().split("/").pop()!;
      expect((await runtime.executor.store.get(id))?.status).toBe("canceled");
      await page.close();
    });

    it("replays an unrouted webhook event and sends a signed sample", async () => {
      const [event] = rowsOf<{ id: string }>(
        await db.db.execute(sql`insert into webhook_events (provider, dedupe_key, type, payload, status, error, attempts)
        values ('stripe', 'evt_dash_unrouted', 'test.unrouted.event', '{"id":"evt_dash_unrouted"}', 'unrouted',
          'no capability handles stripe test.unrouted.event', 1) returning id`),
      );
      const page = await context.newPage();
      await page.goto("/dashboard/events?status=unrouted");
      expect(await page.textContent("main")).toContain("no capability handles stripe test.unrouted.event");
      await page
        .getByRole("button", { name: `Replay stripe test.unrouted.event event ${event!.id}` })
        .click();
      await page.waitForURL(/\/dashboard\/runs\/run_/);
      await expect
        .poll(() => page.locator("#run-status").textContent(), { timeout: 20_000 })
        .toContain("COMPLETED");
      expect(await page.textContent("main")).toContain("inbox-process-stripe-event");
      const [after] = rowsOf<{ attempts: number }>(
        await db.db.execute(sql`select attempts from webhook_events where id = ${event!.id}`),
      );
      expect(after!.attempts).toBe(2);
      await page.goto("/dashboard/events");
      await page.getByRole("button", { name: "Send a sample stripe event" }).click();
      expect(await page.getByRole("status").textContent()).toContain("answered HTTP 200");
      await expect.poll(() => page.locator("tbody tr").count()).toBeGreaterThanOrEqual(2);
      await screenshot(page, "events");
      await page.close();
    });

    it("shows no credential, token or secret on any page, and axe finds no serious violation", async () => {
      const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
      const [tenant] = await db.db.insert(tenants).values({ name: "Leak Check <Co>" }).returning();
      await saveConnection(db.db, keyRing, {
        tenantId: tenant!.id,
        provider: "resend",
        credentials: { api_key: PLAIN_API_KEY },
      });
      await db.db.execute(sql`update integration_connections set last_error = 'refresh failed <b>401</b>',
      last_error_at = now(), refresh_failures = 2 where tenant_id = ${tenant!.id}`);
      const trigger = await fetch(`${runtime.url}/api/v1/tasks/test-context/trigger`, {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          payload: JSON.stringify({ apiKey: PAYLOAD_SECRET, note: "<script>x()</script>" }),
        }),
      });
      const { id } = (await trigger.json()) as { id: string };
      await runtime.executor.waitFor(id, 15_000);
      const ciphertexts = rowsOf<{ credentials: Record<string, string> }>(
        await db.db.execute(sql`select credentials from integration_connections`),
      ).flatMap((r) => Object.values(r.credentials));
      const secrets = [
        PLAIN_API_KEY,
        PAYLOAD_SECRET,
        SECRET_KEY,
        process.env.STRIPE_WEBHOOK_SECRET!,
        ...process.env.ENCRYPTION_KEYS!.split(",").map((k) => k.split(":")[1]!),
        ...ciphertexts,
      ];
      expect(ciphertexts.length).toBeGreaterThan(0);
      const pages: [string, string][] = [
        ["/dashboard", "axe-tasks"],
        ["/dashboard/tasks/credentials-rotate-keys", "axe-task-scheduled"],
        ["/dashboard/tasks/test-child", "axe-task-schema"],
        ["/dashboard/runs", "axe-runs"],
        [`/dashboard/runs/${id}`, "axe-run"],
        ["/dashboard/connections", "connections"],
        ["/dashboard/events", "axe-events"],
      ];
      for (const [path, name] of pages) {
        const markup = await audit(path, name);
        for (const secret of secrets) expect(markup, `${path} shows a secret`).not.toContain(secret);
        expect(markup).not.toContain("<script>x()</script>");
      }
      const connections = await audit("/dashboard/connections", "connections");
      expect(connections).toContain("Leak Check &lt;Co&gt;");
      expect(connections).toContain("refresh failed &lt;b&gt;401&lt;/b&gt;");
      const serious = Object.entries(axeResults).flatMap(([page, result]) =>
        result.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => ({ page, ...v })),
      );
      expect(serious).toEqual([]);
    });
  },
);
