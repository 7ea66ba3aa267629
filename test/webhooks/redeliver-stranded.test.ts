import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenants } from "../../db/schema.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { sha256Hex } from "../../src/crypto/hmac.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import { redeliverStrandedEvents } from "../../src/inbox/redeliver-stranded-events.ts";
import { createTriggerHttpJobQueue } from "../../src/ingress/trigger-http-job-queue.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let trigger: Simulator;
beforeAll(async () => {
  db = await createTestDb();
  trigger = await startSimulator({
    "POST /api/v1/tasks/*": () => ({ body: { id: `run_${crypto.randomUUID()}` } }),
  });
});
afterAll(async () => {
  await trigger?.close();
  await db?.close();
});
beforeEach(async () => {
  await db.truncate();
  trigger.requests.length = 0;
});

const jobs = () => createTriggerHttpJobQueue({ apiUrl: trigger.url, secretKey: "tr_test" });
const store = async (provider: string, dedupeKey: string, tenantId: string | null, ageSeconds: number) => {
  const json = JSON.stringify({ dedupeKey });
  const { id } = await recordWebhookEvent(db.db, {
    provider,
    dedupeKey,
    tenantId,
    type: "some.type",
    body: new TextEncoder().encode(json),
    json,
  });
  await db.db.execute(
    sql`update webhook_events set received_at = now() - make_interval(secs => ${ageSeconds}) where id = ${id}`,
  );
  return id;
};
const sent = () =>
  trigger.requestsTo("POST /api/v1/tasks/*").map((r) => {
    const body = JSON.parse(r.body) as {
      payload: string;
      options: { idempotencyKey: string; concurrencyKey: string };
    };
    return {
      task: r.path.split("/")[4],
      eventId: (JSON.parse(body.payload) as { eventId: string }).eventId,
      key: body.options.idempotencyKey,
      concurrencyKey: body.options.concurrencyKey,
    };
  });

describe("redelivery of stranded webhook events", () => {
  it("triggers events still received after two minutes, with the handler's idempotency key, oldest first", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
    const old = await store("stripe", "evt_old", null, 600);
    const older = await store("lob", `${tenant!.id}:evt_lob`, tenant!.id, 900);
    await store("stripe", "evt_recent", null, 30);
    const processed = await store("stripe", "evt_done", null, 900);
    await db.db.execute(sql`update webhook_events set status = 'processed' where id = ${processed}`);

    expect(await redeliverStrandedEvents({ db: db.db, jobs: jobs() })).toEqual({ stranded: 2, triggered: 2 });
    expect(sent()).toEqual(
      expect.arrayContaining([
        {
          task: "inbox-process-stripe-event",
          eventId: old,
          key: await sha256Hex("stripe:evt_old"),
          concurrencyKey: "platform",
        },
        {
          task: "inbox-process-lob-event",
          eventId: older,
          key: await sha256Hex(`lob:${tenant!.id}:evt_lob`),
          concurrencyKey: tenant!.id,
        },
      ]),
    );
    expect(sent()).toHaveLength(2);
  });

  it("takes at most the limit per provider, oldest first, and nothing when none is stranded", async () => {
    await store("stripe", "evt_a", null, 300);
    const oldest = await store("stripe", "evt_b", null, 400);
    expect(await redeliverStrandedEvents({ db: db.db, jobs: jobs() }, { limit: 1 })).toEqual({
      stranded: 1,
      triggered: 1,
    });
    expect(sent().map((s) => s.eventId)).toEqual([oldest]);
    trigger.requests.length = 0;
    expect(await redeliverStrandedEvents({ db: db.db, jobs: jobs() }, { olderThanMs: 3_600_000 })).toEqual({
      stranded: 0,
      triggered: 0,
    });
    expect(sent()).toEqual([]);
  });
});
