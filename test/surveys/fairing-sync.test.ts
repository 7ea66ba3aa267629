import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rowsOf } from "../../src/db/types.ts";
import { withTenant } from "../../src/db/with-tenant.ts";
import { AppError } from "../../src/errors.ts";
import { FAIRING_BACKFILL, syncFairingResponses } from "../../src/surveys/sync-fairing-responses.ts";
import { createSurveyFixture, type SurveyFixture } from "../helpers/survey-fixture.ts";

let fx: SurveyFixture;
beforeAll(async () => {
  fx = await createSurveyFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await fx.db.truncate();
  fx.fairing.requests.length = 0;
  fx.fairing.clearFaults();
});

const responseRequests = () => fx.fairing.requestsTo("GET /responses");
async function cursorOf(tenantId: string, source = "fairing:responses") {
  const [row] = rowsOf<Record<string, unknown>>(
    await fx.db.db.execute(
      sql`select * from sync_cursors where tenant_id = ${tenantId} and source = ${source}`,
    ),
  );
  return row!;
}

describe("Fairing response sync", () => {
  it("imports a tenant's whole history on the first run, page by page, with every field mapped", async () => {
    const tenant = await fx.tenantWithStore("key_full", { count: 250, seed: 7 });
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "synced", pages: 3, processed: 250, inserted: 250, updated: 0 });
    expect(await fx.responseIds(tenant)).toEqual(fx.fairing.responses("key_full").map((r) => r.id));
    const requests = responseRequests();
    expect(requests).toHaveLength(3);
    expect(requests[0]!.query.get("updated_at_min")).toBeNull();
    expect(requests[0]!.headers.authorization).toBe("key_full");
    const source = fx.fairing.responses("key_full")[0]!;
    const [row] = rowsOf<Record<string, unknown>>(
      await fx.db.db.execute(
        sql`select * from survey_responses where tenant_id = ${tenant} and response_id = 'fr_1'`,
      ),
    );
    expect(row).toMatchObject({
      question_id: source.question_id,
      question: source.question,
      answer: source.response,
      order_id: source.order_id,
      order_number: source.order_number,
      order_currency: source.order_currency,
      email: source.email,
      utm_source: source.utm_source,
    });
    const exponent = source.order_currency === "JPY" ? 1 : 100;
    expect(Number(row!.order_total_minor)).toBe(Math.round(Number(source.order_total) * exponent));
    const questions = rowsOf<{ prompt: string }>(
      await fx.db.db.execute(
        sql`select prompt from survey_questions where tenant_id = ${tenant} order by prompt`,
      ),
    );
    expect(questions.map((q) => q.prompt)).toContain("How did you hear about us?");
    const cursor = await cursorOf(tenant);
    expect(new Date(cursor.cursor as string).toISOString()).toBe(
      fx.fairing.responses("key_full").at(-1)!.updated_at,
    );
    expect(cursor).toMatchObject({ resume_url: null, pass_started_at: null, last_run_rows: 250 });
  });

  it("picks up only new and edited responses on the next run, reading from the cursor minus the overlap", async () => {
    const tenant = await fx.tenantWithStore("key_incr", { count: 30 });
    await syncFairingResponses(fx.deps, tenant);
    const watermark = new Date((await cursorOf(tenant)).cursor as string);
    fx.fairing.addResponses("key_incr", 2);
    fx.fairing.editResponse("key_incr", "fr_3", "A podcast I love");
    fx.fairing.requests.length = 0;

    const result = await syncFairingResponses(fx.deps, tenant, { overlapMs: 5 * 60_000 });
    expect(result).toMatchObject({ outcome: "synced", inserted: 2, updated: 1 });
    expect(responseRequests()[0]!.query.get("updated_at_min")).toBe(
      new Date(watermark.getTime() - 5 * 60_000).toISOString(),
    );
    const [edited] = rowsOf<{ answer: string }>(
      await fx.db.db.execute(
        sql`select answer from survey_responses where tenant_id = ${tenant} and response_id = 'fr_3'`,
      ),
    );
    expect(edited!.answer).toBe("A podcast I love");
    expect(await fx.responseIds(tenant)).toHaveLength(32);
  });

  it("resumes after a crash following page k at page k+1, with no gap and no duplicate", async () => {
    const tenant = await fx.tenantWithStore("key_crash", { count: 450 });
    const crash = new Error("worker killed");
    await expect(
      syncFairingResponses(fx.deps, tenant, {
        onProgress: ({ pages }) => {
          if (pages === 2) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(await fx.responseIds(tenant)).toHaveLength(200);
    const open = await cursorOf(tenant);
    expect(open.cursor).toBeNull();
    expect(new URL(open.resume_url as string).searchParams.get("starting_after")).toBe("fr_200");

    fx.fairing.requests.length = 0;
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "synced", resumed: true, pages: 3, inserted: 250, updated: 0 });
    expect(responseRequests()[0]!.query.get("starting_after")).toBe("fr_200");
    const ids = await fx.responseIds(tenant);
    expect(ids).toEqual(fx.fairing.responses("key_crash").map((r) => r.id));
    expect(new Set(ids).size).toBe(450);
    const counters = await cursorOf(tenant);
    // bigint columns: numbers on PGlite, strings through the Neon driver.
    expect([counters.rows_inserted, counters.rows_updated, counters.pages_fetched].map(Number)).toEqual([
      450, 0, 5,
    ]);
  });

  it("restarts the pass from its start when Fairing refuses the stored next link, storing nothing twice", async () => {
    const tenant = await fx.tenantWithStore("key_expired_link", { count: 300 });
    const crash = new Error("worker killed");
    await expect(
      syncFairingResponses(fx.deps, tenant, {
        onProgress: ({ pages }) => {
          if (pages === 1) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    fx.fairing.requests.length = 0;
    fx.fairing.fault("GET /responses", { status: 410, body: { error: "cursor expired" }, times: 1 });
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "synced", resumed: true, inserted: 200, updated: 0 });
    const [refused, restart] = responseRequests();
    expect(refused!.query.get("starting_after")).toBe("fr_100");
    expect(restart!.query.get("starting_after")).toBeNull();
    const ids = await fx.responseIds(tenant);
    expect(new Set(ids).size).toBe(300);
    expect(ids).toHaveLength(300);
  });

  it("does not restart a fresh pass whose first page is refused: the error is reported", async () => {
    const tenant = await fx.tenantWithStore("key_bad_first", { count: 10 });
    fx.fairing.fault("GET /responses", { status: 400, times: 1 });
    await expect(syncFairingResponses(fx.deps, tenant)).rejects.toMatchObject({ retryable: false });
    expect(responseRequests()).toHaveLength(1);
  });

  it("resumes after the connection drops mid-pass without refetching stored pages", async () => {
    const tenant = await fx.tenantWithStore("key_drop", { count: 300 });
    let pages = 0;
    await expect(
      syncFairingResponses(fx.deps, tenant, {
        onProgress: () => {
          if (++pages === 1) fx.fairing.fault("GET /responses", { drop: true, times: 1 });
        },
      }),
    ).rejects.toMatchObject({ code: "network_error", retryable: true });
    expect((await cursorOf(tenant)).last_error).toMatch(/network_error/);
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "synced", resumed: true, pages: 2, inserted: 200 });
    expect(await fx.responseIds(tenant)).toHaveLength(300);
    expect((await cursorOf(tenant)).last_error).toBeNull();
  });

  it("catches a response that becomes visible late inside the overlap window, not before it", async () => {
    const tenant = await fx.tenantWithStore("key_late", { count: 20 });
    await syncFairingResponses(fx.deps, tenant);
    const watermark = new Date((await cursorOf(tenant)).cursor as string).getTime();
    const [inside] = fx.fairing.addResponses("key_late", 1, { insertedAt: new Date(watermark - 4 * 60_000) });
    const [outside] = fx.fairing.addResponses("key_late", 1, {
      insertedAt: new Date(watermark - 60 * 60_000),
    });

    const result = await syncFairingResponses(fx.deps, tenant, { overlapMs: 10 * 60_000 });
    expect(result).toMatchObject({ inserted: 1 });
    const ids = await fx.responseIds(tenant);
    expect(ids).toContain(inside!.id);
    expect(ids).not.toContain(outside!.id);
    // Older than the overlap: the backfill (a full pass) brings it in.
    expect(await syncFairingResponses(fx.deps, tenant, { source: FAIRING_BACKFILL })).toMatchObject({
      inserted: 1,
    });
    expect(await fx.responseIds(tenant)).toContain(outside!.id);
  });

  it("waits as long as a 429's Retry-After says before asking again", async () => {
    const tenant = await fx.tenantWithStore("key_429", { count: 150 });
    fx.fairing.fault("GET /responses", { status: 429, retryAfter: 2, times: 1 });
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "synced", inserted: 150 });
    const [limited, retried] = responseRequests();
    // Jittered backoff alone would have waited at most one second.
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(2_000);
    expect(responseRequests()).toHaveLength(3);
  });

  it("hands a Retry-After longer than it may wait to the task's retry policy, keeping the pass resumable", async () => {
    const tenant = await fx.tenantWithStore("key_429_long", { count: 150 });
    let pages = 0;
    const error = await syncFairingResponses(fx.deps, tenant, {
      onProgress: () => {
        if (++pages === 1) fx.fairing.fault("GET /responses", { status: 429, retryAfter: 600, times: 1 });
      },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 600_000 });
    expect((await cursorOf(tenant)).resume_url).toMatch(/starting_after=fr_100/);
  });

  it("marks the connection expired when Fairing refuses the key, tells the owner once and stops cleanly", async () => {
    const tenant = await fx.tenantWithStore("key_revoked", { count: 10 });
    fx.fairing.revokeKey("key_revoked");
    const result = await syncFairingResponses(fx.deps, tenant);
    expect(result).toMatchObject({ outcome: "credential_refused", inserted: 0 });
    const [connection] = rowsOf<{ status: string; last_error: string }>(
      await fx.db.db.execute(
        sql`select status, last_error from integration_connections where tenant_id = ${tenant}`,
      ),
    );
    expect(connection).toMatchObject({ status: "expired" });
    expect(connection!.last_error).toMatch(/unauthorized/);
    const transitions = rowsOf<{ to_status: string }>(
      await fx.db.db.execute(sql`select to_status from connection_transitions where tenant_id = ${tenant}`),
    );
    expect(transitions).toEqual([{ to_status: "expired" }]);
    expect(fx.slack.requestsTo("POST /hooks/*")).toHaveLength(1);
    fx.fairing.requests.length = 0;
    expect(await syncFairingResponses(fx.deps, tenant)).toMatchObject({ outcome: "connection_inactive" });
    expect(fx.fairing.requests).toHaveLength(0);
    expect(await fx.responseIds(tenant)).toHaveLength(0);
  });

  it("keeps two tenants' responses apart even when their Fairing ids are the same", async () => {
    const a = await fx.tenantWithStore("key_a", { count: 12, seed: 1 });
    const b = await fx.tenantWithStore("key_b", { count: 12, seed: 2 });
    await syncFairingResponses(fx.deps, a);
    await syncFairingResponses(fx.deps, b);
    expect(await fx.responseIds(a)).toEqual(await fx.responseIds(b));
    const answers = async (tenantId: string) =>
      withTenant(fx.db.db, tenantId, async (tx) =>
        rowsOf<{ response_id: string; answer: string }>(
          await tx.execute(sql`select response_id, answer from survey_responses order by response_id`),
        ),
      );
    const seenByA = await answers(a);
    expect(seenByA).toHaveLength(12);
    const storeA = new Map(fx.fairing.responses("key_a").map((r) => [r.id, r.response]));
    for (const row of seenByA) expect(row.answer).toBe(storeA.get(row.response_id));
    const storeB = new Map(fx.fairing.responses("key_b").map((r) => [r.id, r.response]));
    expect((await answers(b)).every((row) => row.answer === storeB.get(row.response_id))).toBe(true);
  });

  it("imports a backfill in resumable chunks, reporting progress per page", async () => {
    const tenant = await fx.tenantWithStore("key_backfill", { count: 350 });
    const seen: number[] = [];
    const first = await syncFairingResponses(fx.deps, tenant, {
      source: FAIRING_BACKFILL,
      maxPages: 2,
      onProgress: (p) => void seen.push(p.processed),
    });
    expect(first).toMatchObject({ outcome: "partial", pages: 2, processed: 200 });
    expect(seen).toEqual([100, 200]);
    const second = await syncFairingResponses(fx.deps, tenant, { source: FAIRING_BACKFILL, maxPages: 2 });
    expect(second).toMatchObject({ outcome: "synced", resumed: true, pages: 2, processed: 150 });
    expect(await fx.responseIds(tenant)).toHaveLength(350);
  });
});
