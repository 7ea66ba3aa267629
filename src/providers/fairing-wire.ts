import { z } from "zod";

/**
 * Everything we assume about Fairing's REST API, in one place. None of it is confirmed by
 * Fairing's own documentation: it comes from community sources (integration code and forum
 * answers) and must be re-checked against a real store before production use. Unconfirmed:
 * - the token travels in `Authorization` *without* a `Bearer` scheme;
 * - `GET /responses` filters with `updated_at_min` (older versions: `since`) and pages with
 *   `limit` + `starting_after`, answering `{ data, next, prev }` where `next` is a full URL (or
 *   null on the last page) that we follow verbatim;
 * - the largest accepted `limit` (100 or 1000: we ask for 100);
 * - `GET /questions` answers `{ data: [{ id, type, prompt }] }`;
 * - the field names of a response object (below: all optional except `id`);
 * - the rate limit of about 100 requests per minute per store, answered with 429 (+ Retry-After?).
 */
export const fairingWire = {
  authHeader: "authorization",
  authValue: (apiKey: string) => apiKey,
  responsesPath: "/responses",
  questionsPath: "/questions",
  params: { limit: "limit", updatedAtMin: "updated_at_min" },
  pageLimit: 100,
  requestsPerMinute: 100,
} as const;

const text = z.string().nullish();
/** Ids arrive as numbers or strings depending on the source; we store them as text. */
const id = z.union([z.string().min(1), z.number()]).transform(String);
const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v == null ? null : String(v)));
const time = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "not a timestamp");

export const fairingResponseSchema = z.looseObject({
  id,
  inserted_at: time,
  updated_at: time.nullish(),
  question_id: optionalId,
  question: text,
  response: z.union([z.string(), z.array(z.string())]).nullish(),
  other_response: text,
  order_id: optionalId,
  order_number: optionalId,
  order_total: z.union([z.string(), z.number()]).nullish(),
  order_currency: text,
  customer_id: optionalId,
  email: text,
  utm_source: text,
  utm_medium: text,
  utm_campaign: text,
  utm_content: text,
  utm_term: text,
  referring_site: text,
  landing_page_path: text,
});
export type FairingResponse = z.infer<typeof fairingResponseSchema>;

export const fairingResponsePageSchema = z.object({
  data: z.array(fairingResponseSchema),
  next: z.string().nullish(),
  prev: z.string().nullish(),
});
export type FairingResponsePage = z.infer<typeof fairingResponsePageSchema>;

export const fairingQuestionSchema = z.looseObject({ id, prompt: z.string(), type: text });
export type FairingQuestion = z.infer<typeof fairingQuestionSchema>;
export const fairingQuestionPageSchema = z.object({
  data: z.array(fairingQuestionSchema),
  next: z.string().nullish(),
});
