import { randomBytes } from "node:crypto";
import { presentedKey } from "./key-auth.ts";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

const id = (prefix: string) => `${prefix}_${randomBytes(7).toString("hex")}`;
const unauthorized: SimResponse = {
  status: 401,
  body: {
    error: {
      message: "Your API key is not valid. Please sign up on lob.com to get a valid api key.",
      status_code: 401,
      code: "unauthorized",
    },
  },
};
/** Lob test keys give canned verification results for magic primary lines. */
const DELIVERABILITY: Record<string, string> = {
  deliverable: "deliverable",
  "undeliverable no match": "undeliverable",
  "missing unit": "deliverable_missing_unit",
};

/**
 * Lob on loopback (HTTP Basic with the key as username): `GET /v1/addresses` (the probe),
 * letters (`POST /v1/letters` honouring `Idempotency-Key`, `GET`/`DELETE /v1/letters/{id}`) and
 * `POST /v1/us_verifications`. A base for the mail capability to extend.
 */
export async function startLobSimulator(validKeys = ["test_sandbox_lob_key"]): Promise<Simulator> {
  const letters = new Map<string, Record<string, unknown>>();
  const byIdempotencyKey = new Map<string, string>();
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) =>
    validKeys.includes(presentedKey(request, "basic-username")) ? handler(request) : unauthorized;
  return startSimulator({
    "GET /v1/addresses": authed(() => ({ body: { data: [], object: "list", count: 0 } })),
    "POST /v1/letters": authed((request) => {
      const key = request.headers["idempotency-key"] ?? request.query.get("idempotency_key") ?? undefined;
      const existing = key ? byIdempotencyKey.get(key) : undefined;
      if (existing) return { body: letters.get(existing) };
      const input = request.headers["content-type"]?.includes("json")
        ? (JSON.parse(request.body || "{}") as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(request.body));
      const missing = ["to", "from", "file", "color", "use_type"].filter((f) => input[f] === undefined);
      if (missing.length) {
        return {
          status: 422,
          body: { error: { message: `${missing[0]} is required`, status_code: 422, code: "invalid" } },
        };
      }
      const letter = {
        id: id("ltr"),
        object: "letter",
        to: input.to,
        from: input.from,
        color: input.color,
        use_type: input.use_type,
        metadata: input.metadata ?? {},
        expected_delivery_date: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10),
        tracking_number: null,
        tracking_events: [],
        date_created: new Date().toISOString(),
        deleted: false,
      };
      letters.set(letter.id, letter);
      if (key) byIdempotencyKey.set(key, letter.id);
      return { body: letter };
    }),
    "GET /v1/letters/*": authed((request) => {
      const letter = letters.get(request.path.split("/").pop() ?? "");
      return letter
        ? { body: letter }
        : { status: 404, body: { error: { message: "letter not found", status_code: 404 } } };
    }),
    "DELETE /v1/letters/*": authed((request) => {
      const letterId = request.path.split("/").pop() ?? "";
      if (!letters.has(letterId))
        return { status: 404, body: { error: { message: "letter not found", status_code: 404 } } };
      letters.set(letterId, { ...letters.get(letterId), deleted: true });
      return { body: { id: letterId, deleted: true } };
    }),
    "POST /v1/us_verifications": authed((request) => {
      const input = request.headers["content-type"]?.includes("json")
        ? (JSON.parse(request.body || "{}") as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(request.body));
      const line = String(input.primary_line ?? "").toLowerCase();
      return {
        body: {
          id: id("us_ver"),
          primary_line: input.primary_line,
          deliverability: DELIVERABILITY[line] ?? "deliverable",
          components: { city: input.city, state: input.state, zip_code: input.zip_code },
        },
      };
    }),
  });
}
