import { sql } from "drizzle-orm";
import type { Db } from "../db/types.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";

export interface AnswerShare {
  answer: string;
  count: number;
  /** count / the question's responses, 0..1 (4 decimals). */
  share: number;
}

export interface QuestionSummary {
  questionId: string | null;
  question: string;
  responses: number;
  answers: AnswerShare[];
}

export interface SurveySummary {
  tenantId: string;
  since: string | null;
  questions: QuestionSummary[];
}

/**
 * Answer counts and shares per question for one tenant (e.g. "How did you hear about us?"
 * attribution), optionally for one question (id or exact prompt) and responses since a date.
 * Runs under the tenant's row-level security.
 */
export async function summarizeSurveyAnswers(
  db: Db,
  tenantId: string,
  filter: { question?: string | undefined; since?: Date | undefined } = {},
): Promise<SurveySummary> {
  const rows = await withTenant(db, tenantId, async (tx) =>
    rowsOf<{
      question_id: string | null;
      question: string | null;
      answer: string | null;
      count: string | number;
    }>(
      await tx.execute(sql`
        select r.question_id, coalesce(q.prompt, max(r.question)) as question,
          coalesce(r.answer, '(no answer)') as answer, count(*) as count
        from survey_responses r
        left join survey_questions q
          on q.tenant_id = r.tenant_id and q.provider = r.provider and q.question_id = r.question_id
        where r.tenant_id = ${tenantId}
          ${filter.since ? sql`and r.source_inserted_at >= ${filter.since.toISOString()}` : sql``}
          ${filter.question ? sql`and (r.question_id = ${filter.question} or q.prompt = ${filter.question})` : sql``}
        group by r.question_id, q.prompt, coalesce(r.answer, '(no answer)')
        order by r.question_id, count(*) desc, 3`),
    ),
  );
  const byQuestion = new Map<string, QuestionSummary>();
  for (const row of rows) {
    const key = row.question_id ?? "";
    let summary = byQuestion.get(key);
    if (!summary) {
      summary = {
        questionId: row.question_id,
        question: row.question ?? "(unknown question)",
        responses: 0,
        answers: [],
      };
      byQuestion.set(key, summary);
    }
    summary.answers.push({ answer: row.answer ?? "(no answer)", count: Number(row.count), share: 0 });
    summary.responses += Number(row.count);
  }
  const questions = [...byQuestion.values()];
  for (const q of questions) {
    for (const a of q.answers) a.share = Math.round((a.count / q.responses) * 10_000) / 10_000;
  }
  return { tenantId, since: filter.since?.toISOString() ?? null, questions };
}
