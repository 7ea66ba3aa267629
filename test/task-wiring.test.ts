import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { metadata } from "@trigger.dev/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../db/schema.ts";
import { loadTaskCatalog, type TaskCatalog } from "../local/executor/task-catalog.ts";
import { buildDeps } from "../src/build-deps.ts";
import { encryptCredentials } from "../src/connections/credential-cipher.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { setDeps } from "../src/deps.ts";
import { inboundProviderIds, inboxTaskId } from "../src/ingress/inbound-providers.ts";
import { createTriggerJobQueue } from "../src/jobs.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let catalog: TaskCatalog;
let db: TestDb;

beforeAll(async () => {
  catalog = await loadTaskCatalog(["trigger"]);
  db = await createTestDb();
  setDeps(
    buildDeps({ db: db.db, jobs: createTriggerJobQueue(), keyRing: await getKeyRing(), env: process.env }),
  );
});
afterAll(async () => {
  setDeps(undefined);
  await db?.close();
});

describe("task definitions in trigger/", () => {
  it("define one inbox processing task per inbound provider, and no other", () => {
    const inbox = catalog
      .list()
      .map((t) => t.id)
      .filter((id) => /^inbox-process-/.test(id));
    expect(inbox.sort()).toEqual(inboundProviderIds().map(inboxTaskId).sort());
  });

  it("have unique kebab-case ids prefixed by their capability", () => {
    const ids = catalog.list().map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
    expect(ids).toContain("credentials-rotate-keys");
  });

  it("each declare a named queue and an explicit retry policy", () => {
    for (const task of catalog.list()) {
      expect(task.manifest.queue?.name, task.id).toBeTruthy();
      expect(task.manifest.retry?.maxAttempts, task.id).toBeGreaterThan(0);
    }
  });

  it("scheduled tasks set a cron and a start window", () => {
    const scheduled = catalog.list().filter((t) => t.manifest.triggerSource === "schedule");
    expect(scheduled.length).toBeGreaterThan(0);
    for (const task of scheduled) {
      expect(task.manifest.schedule?.cron, task.id).toBeTruthy();
      expect(task.manifest.schedule?.window, task.id).toBeTruthy();
    }
  });

  it("credentials-rotate-keys re-encrypts rows under old keys and reports progress in run metadata", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
    const v1 = await parseKeyRing(process.env.ENCRYPTION_KEYS!.split(",")[1]!);
    const sealed = await encryptCredentials(
      v1,
      { tenantId: tenant!.id, provider: "slack" },
      { access_token: "x" },
    );
    await db.db.insert(integrationConnections).values({ tenantId: tenant!.id, provider: "slack", ...sealed });
    const task = catalog.get("credentials-rotate-keys")!;
    const { output, progress } = await runInMockTaskContext(async ({ ctx }) => {
      const output = await task.run(
        { type: "DECLARATIVE", timestamp: new Date() },
        { ctx, signal: new AbortController().signal },
      );
      return { output, progress: metadata.current() };
    });
    expect(output).toMatchObject({ rotated: 1, currentVersion: "v2" });
    expect(progress).toMatchObject({ processed: 1, total: 1 });
    const [row] = await db.db.select().from(integrationConnections);
    expect(row?.keyVersion).toBe("v2");
  });
});
