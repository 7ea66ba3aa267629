import type { Db } from "../src/db/types.ts";
import { summarizeSurveyAnswers } from "../src/surveys/summarize-survey-answers.ts";
import { surveySyncStatus } from "../src/surveys/survey-sync-status.ts";
import { parseSince } from "./survey-filters.ts";

const json = (body: unknown) =>
  new Response(JSON.stringify(body, null, 2), { headers: { "content-type": "application/json" } });

/**
 * The local runtime's survey JSON, the same documents as `surveys summary|status --json`:
 * `GET /surveys/<tenantId>/summary[?question=…&since=…]` and `GET /surveys/status[?tenant=…]`.
 * Undefined for any other path.
 */
export async function handleSurveyRoutes(request: Request, db: Db): Promise<Response | undefined> {
  if (request.method !== "GET") return undefined;
  const url = new URL(request.url);
  if (url.pathname === "/surveys/status") {
    return json(await surveySyncStatus(db, url.searchParams.get("tenant") ?? undefined));
  }
  const summary = url.pathname.match(/^\/surveys\/([^/]+)\/summary$/);
  if (!summary) return undefined;
  return json(
    await summarizeSurveyAnswers(db, decodeURIComponent(summary[1]!), {
      question: url.searchParams.get("question") ?? undefined,
      since: parseSince(url.searchParams.get("since")),
    }),
  );
}
