import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handleSurveyRoutes } from "../../local/survey-routes.ts";
import { summarizeSurveyAnswers } from "../../src/surveys/summarize-survey-answers.ts";
import { surveySyncStatus } from "../../src/surveys/survey-sync-status.ts";
import { syncFairingResponses } from "../../src/surveys/sync-fairing-responses.ts";
import { createSurveyFixture, type SurveyFixture } from "../helpers/survey-fixture.ts";

let fx: SurveyFixture;
beforeAll(async () => {
  fx = await createSurveyFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.db.truncate());

describe("survey outputs", () => {
  it("count answers per question with shares that add up, filtered by question prompt and date", async () => {
    const start = new Date("2026-11-01T00:00:00Z");
    const tenant = await fx.tenantWithStore("key_summary", { count: 90, start, spacingMs: 3_600_000 });
    await syncFairingResponses(fx.deps, tenant);
    const all = await summarizeSurveyAnswers(fx.db.db, tenant);
    expect(all.questions.map((q) => q.responses)).toEqual([30, 30, 30]);
    for (const q of all.questions) {
      expect(q.answers.reduce((sum, a) => sum + a.share, 0)).toBeCloseTo(1, 3);
      expect(q.answers.map((a) => a.count)).toEqual([...q.answers.map((a) => a.count)].sort((a, b) => b - a));
    }
    const since = new Date(start.getTime() + 60 * 3_600_000);
    const recent = await summarizeSurveyAnswers(fx.db.db, tenant, {
      question: "How did you hear about us?",
      since,
    });
    const expected = fx.fairing
      .responses("key_summary")
      .filter((r) => r.question_id === "q_hdyhau" && Date.parse(r.inserted_at) >= since.getTime());
    expect(recent.questions).toHaveLength(1);
    expect(recent.questions[0]).toMatchObject({ questionId: "q_hdyhau", responses: expected.length });
    expect(recent.since).toBe(since.toISOString());
  });

  it("never counts another tenant's answers", async () => {
    const a = await fx.tenantWithStore("key_mine", { count: 30 });
    const b = await fx.tenantWithStore("key_theirs", { count: 60 });
    await syncFairingResponses(fx.deps, a);
    await syncFairingResponses(fx.deps, b);
    const mine = await summarizeSurveyAnswers(fx.db.db, a);
    expect(mine.questions.reduce((sum, q) => sum + q.responses, 0)).toBe(30);
    expect((await surveySyncStatus(fx.db.db, a)).map((s) => s.tenantId)).toEqual([a]);
    expect(new Set((await surveySyncStatus(fx.db.db)).map((s) => s.tenantId))).toEqual(new Set([a, b]));
  });

  it("serve the same documents from the local runtime as JSON", async () => {
    const tenant = await fx.tenantWithStore("key_http", { count: 12 });
    await syncFairingResponses(fx.deps, tenant);
    const summary = await handleSurveyRoutes(
      new Request(`http://local/surveys/${tenant}/summary?question=q_first&since=30d`),
      fx.db.db,
    );
    expect(summary!.status).toBe(200);
    const since = (await summary!.clone().json()).since as string;
    expect(await summary!.json()).toEqual(
      await summarizeSurveyAnswers(fx.db.db, tenant, { question: "q_first", since: new Date(since) }),
    );
    const status = await handleSurveyRoutes(
      new Request(`http://local/surveys/status?tenant=${tenant}`),
      fx.db.db,
    );
    const [row] = (await status!.json()) as Record<string, unknown>[];
    expect(row).toMatchObject({
      tenantId: tenant,
      lastRunRows: 12,
      responses: 12,
      connectionStatus: "active",
    });
    expect(await handleSurveyRoutes(new Request("http://local/surveys/x/other"), fx.db.db)).toBeUndefined();
  });
});
