import type { Command } from "commander";
import type { SurveySummary } from "../../src/surveys/summarize-survey-answers.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

function summaryText(summary: SurveySummary): string {
  if (summary.questions.length === 0) return "(no survey responses)";
  return summary.questions
    .map((q) => {
      const lines = q.answers.map((a) => ({
        answer: a.answer,
        count: a.count,
        share: `${(a.share * 100).toFixed(1)}%`,
      }));
      return `${q.question} (${q.questionId ?? "-"}): ${q.responses} responses\n${table(lines, ["answer", "count", "share"])}`;
    })
    .join("\n\n");
}

export function registerSurveysCommand(program: Command): void {
  const surveys = program.command("surveys").description("post-purchase survey answers (Fairing)");
  surveys
    .command("summary <tenantId>")
    .description("answer counts and shares per question")
    .option("--question <idOrPrompt>", "only this question (Fairing question id or exact prompt)")
    .option("--since <dateOrDuration>", "only responses since a date (2026-11-01) or a duration ago (30d)")
    .option("--json", "print JSON")
    .action(async (tenantId: string, opts: { question?: string; since?: string; json?: boolean }) => {
      const [{ summarizeSurveyAnswers }, { parseSince }] = await Promise.all([
        import("../../src/surveys/summarize-survey-answers.ts"),
        import("../survey-filters.ts"),
      ]);
      const since = parseSince(opts.since);
      const summary = await withDb((h) =>
        summarizeSurveyAnswers(h.db, tenantId, { question: opts.question, since }),
      );
      emit(opts.json, summary, () => summaryText(summary));
    });
  surveys
    .command("status [tenantId]")
    .description("survey sync status per tenant: last run, rows, lag (all tenants without an id)")
    .option("--json", "print JSON")
    .action(async (tenantId: string | undefined, opts: { json?: boolean }) => {
      const { surveySyncStatus } = await import("../../src/surveys/survey-sync-status.ts");
      const rows = await withDb((h) => surveySyncStatus(h.db, tenantId));
      emit(opts.json, rows, () =>
        table(rows, [
          "tenantId",
          "source",
          "connectionStatus",
          "lastSuccessAt",
          "lagSeconds",
          "lastRunRows",
          "responses",
          "lastError",
        ]),
      );
    });
}
