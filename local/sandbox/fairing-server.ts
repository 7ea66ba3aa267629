import { presentedKey } from "./key-auth.ts";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

const unauthorized: SimResponse = { status: 401, body: { error: "Unauthorized" } };

/**
 * Fairing on loopback (the token in `Authorization`, without a scheme: community-sourced):
 * `GET /questions` (the probe) and `GET /responses` paginated with `limit` and `starting_after`,
 * answering `{ data, next, prev }` where `next` is followed verbatim.
 */
export async function startFairingSimulator(
  validKeys = ["fairing_sandbox_token"],
  responseCount = 3,
): Promise<Simulator> {
  const responses = Array.from({ length: responseCount }, (_, i) => ({
    id: `resp_${i + 1}`,
    inserted_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    question_id: "q_1",
    response: ["Instagram", "A friend", "Podcast"][i % 3],
    order_id: `gid://shopify/Order/${1000 + i}`,
    email: `customer${i + 1}@example.com`,
  }));
  let sim: Simulator | undefined;
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) =>
    validKeys.includes(presentedKey(request, { header: "authorization" }).replace(/^Bearer\s+/i, ""))
      ? handler(request)
      : unauthorized;
  sim = await startSimulator({
    "GET /questions": authed(() => ({
      body: { data: [{ id: "q_1", type: "single", prompt: "How did you hear about us?" }] },
    })),
    "GET /responses": authed((request) => {
      const limit = Math.min(Number(request.query.get("limit") ?? 100) || 100, 100);
      const after = request.query.get("starting_after");
      const start = after ? responses.findIndex((r) => r.id === after) + 1 : 0;
      const page = responses.slice(start, start + limit);
      const last = page[page.length - 1];
      const more = start + limit < responses.length;
      return {
        body: {
          data: page,
          next: more && last ? `${sim!.url}/responses?limit=${limit}&starting_after=${last.id}` : null,
          prev: null,
        },
      };
    }),
  });
  return sim;
}
