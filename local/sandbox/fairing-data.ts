/** A Fairing response as the simulator serves it (the community-sourced wire shape). */
export interface SimFairingResponse {
  id: string;
  inserted_at: string;
  updated_at: string;
  question_id: string;
  question: string;
  response: string;
  other_response: string | null;
  order_id: string;
  order_number: string;
  order_total: string;
  order_currency: string;
  customer_id: string;
  email: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_content: string | null;
  utm_term: string | null;
  referring_site: string | null;
  landing_page_path: string | null;
}

export const SIM_QUESTIONS = [
  {
    id: "q_hdyhau",
    type: "single_response",
    prompt: "How did you hear about us?",
    answers: ["Instagram", "TikTok", "Friend or family", "Podcast", "Google", "Other"],
  },
  { id: "q_first", type: "single_response", prompt: "Is this your first order?", answers: ["Yes", "No"] },
  {
    id: "q_why",
    type: "single_response",
    prompt: "What convinced you to buy?",
    answers: ["Reviews", "Price", "Free shipping", "A creator I follow"],
  },
] as const;

const UTM = [
  { utm_source: "instagram", utm_medium: "paid_social", utm_campaign: "spring" },
  { utm_source: "google", utm_medium: "cpc", utm_campaign: "brand" },
  { utm_source: null, utm_medium: null, utm_campaign: null },
];
const CURRENCIES = ["USD", "EUR", "JPY"];

/** mulberry32: a tiny deterministic generator, so a seed always yields the same store. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The response number `n` (1-based) of a store: ids are `fr_<n>` in every store (so two tenants
 * share ids, as two Fairing stores can), answers depend on the seed.
 */
export function generateFairingResponse(seed: number, n: number, insertedAt: Date): SimFairingResponse {
  const random = prng(seed * 1_000_003 + n);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const question = SIM_QUESTIONS[(n - 1) % SIM_QUESTIONS.length]!;
  const answer = pick(question.answers);
  const currency = pick(CURRENCIES);
  const total = 500 + Math.floor(random() * 20_000);
  const at = insertedAt.toISOString();
  return {
    id: `fr_${n}`,
    inserted_at: at,
    updated_at: at,
    question_id: question.id,
    question: question.prompt,
    response: answer,
    other_response: answer === "Other" ? pick(["A billboard", "Newsletter", "Saw it in a shop"]) : null,
    order_id: `gid://shopify/Order/${5_000_000 + n}`,
    order_number: `#${1000 + n}`,
    order_total: currency === "JPY" ? String(total * 10) : (total / 100).toFixed(2),
    order_currency: currency,
    customer_id: String(7_000_000 + Math.floor(n / 2)),
    email: `customer${n}@example.com`,
    ...pick(UTM),
    utm_content: null,
    utm_term: null,
    referring_site: pick(["https://www.instagram.com/", "https://www.google.com/", null]),
    landing_page_path: pick(["/", "/products/tee", "/collections/new"]),
  };
}
