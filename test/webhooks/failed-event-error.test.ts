import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { webhookEvents } from "../../db/schema.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import { createCapabilityRegistry } from "../../src/capabilities/create-capability-registry.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import type { JobQueue } from "../../src/jobs.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let deps: Deps;
const jobs: JobQueue = {
  trigger: () => Promise.reject(new Error("not used")),
  batchTrigger: () => Promise.reject(new Error("not used")),
};
beforeAll(async () => {
  db = await createTestDb();
  const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  deps = buildDeps({ db: db.db, jobs, keyRing, env: {} });
});
afterAll(async () => db?.close());

// A payload kept as raw bytes can hold NUL; a failed query echoes its parameters in its message.
it("marks an event failed when its handler's error holds NUL, and rethrows the handler's error", async () => {
  const json = JSON.stringify({ id: "evt_nul", ref: "tr_\u0000" });
  const { id } = await recordWebhookEvent(db.db, {
    provider: "stripe",
    dedupeKey: "evt_nul",
    tenantId: null,
    type: "transfer.reversed",
    body: new TextEncoder().encode(json),
    json,
  });
  const failure = new Error(
    "Failed query: select id from payout_items where provider_ref = $1\nparams: tr_\u0000",
  );
  const registry = createCapabilityRegistry([
    {
      name: "payouts",
      routes: [{ provider: "stripe", types: ["transfer.reversed"] }],
      handle: () => Promise.reject(failure),
    },
  ]);
  await expect(processWebhookEvent(deps, registry, id)).rejects.toBe(failure);
  const [row] = await db.db.select().from(webhookEvents).where(eq(webhookEvents.id, id));
  expect(row).toMatchObject({ status: "failed", leaseOwner: null, capability: "payouts" });
  expect(row!.error).toBe(
    "Failed query: select id from payout_items where provider_ref = $1\nparams: tr_\ufffd",
  );
});
