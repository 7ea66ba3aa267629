import type { surveyResponses } from "../../db/schema.ts";
import type { FairingResponse } from "../providers/fairing-wire.ts";
import { toMinorUnits } from "./to-minor-units.ts";

export type SurveyResponseRow = typeof surveyResponses.$inferInsert;

/** A validated Fairing response → its `survey_responses` row (the source object kept in `raw`). */
export function surveyResponseRow(tenantId: string, r: FairingResponse): SurveyResponseRow {
  const answer = Array.isArray(r.response) ? r.response.join(", ") : (r.response ?? null);
  const insertedAt = new Date(r.inserted_at);
  return {
    tenantId,
    provider: "fairing",
    responseId: r.id,
    questionId: r.question_id,
    question: r.question ?? null,
    answer,
    otherText: r.other_response ?? null,
    orderId: r.order_id,
    orderNumber: r.order_number,
    orderTotalMinor: toMinorUnits(r.order_total, r.order_currency) ?? null,
    orderCurrency: r.order_currency?.toUpperCase() ?? null,
    customerId: r.customer_id,
    email: r.email ?? null,
    utmSource: r.utm_source ?? null,
    utmMedium: r.utm_medium ?? null,
    utmCampaign: r.utm_campaign ?? null,
    utmContent: r.utm_content ?? null,
    utmTerm: r.utm_term ?? null,
    referrer: r.referring_site ?? null,
    landingPage: r.landing_page_path ?? null,
    sourceInsertedAt: insertedAt,
    sourceUpdatedAt: r.updated_at ? new Date(r.updated_at) : insertedAt,
    raw: r,
  };
}
