import { sql } from "drizzle-orm";
import { surveyQuestions } from "../../db/schema.ts";
import type { Tx } from "../db/types.ts";
import type { FairingQuestion } from "../providers/fairing-wire.ts";

/** Stores a tenant's questions in one multi-row upsert (prompts can be reworded in Fairing). */
export async function upsertSurveyQuestions(
  tx: Tx,
  tenantId: string,
  questions: FairingQuestion[],
): Promise<void> {
  if (questions.length === 0) return;
  await tx
    .insert(surveyQuestions)
    .values(
      questions.map((q) => ({
        tenantId,
        provider: "fairing",
        questionId: q.id,
        prompt: q.prompt,
        type: q.type ?? null,
        raw: q,
      })),
    )
    .onConflictDoUpdate({
      target: [surveyQuestions.tenantId, surveyQuestions.provider, surveyQuestions.questionId],
      set: {
        prompt: sql`excluded.prompt`,
        type: sql`excluded.type`,
        raw: sql`excluded.raw`,
        updatedAt: sql`now()`,
      },
      setWhere: sql`excluded.raw is distinct from ${surveyQuestions.raw}`,
    });
}
