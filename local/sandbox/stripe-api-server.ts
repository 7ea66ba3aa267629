import { randomBytes } from "node:crypto";
import { presentedKey } from "./key-auth.ts";
import {
  type RecordedRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from "./simulator.ts";

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;
const error = (status: number, type: string, message: string, code?: string): SimResponse => ({
  status,
  body: { error: { type, message, ...(code ? { code } : {}) } },
});

/**
 * Stripe's REST API on loopback, form-encoded as the official SDK sends it (`host`/`port`/`protocol`
 * point the SDK here): `GET /v1/balance` (the probe, honouring `Stripe-Account`),
 * `GET /v1/accounts/{id}`, `POST /v1/transfers` and `POST /v1/payouts`, both honouring
 * `Idempotency-Key` (a repeat returns the first answer). A base for payouts to extend.
 */
export function stripeApiRoutes(isValidKey: (key: string) => boolean): Record<string, SimRoute> {
  const byKey = new Map<string, SimResponse>();
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) => {
    if (!isValidKey(presentedKey(request, "bearer")))
      return error(401, "invalid_request_error", "Invalid API Key provided");
    const key = request.method === "POST" ? request.headers["idempotency-key"] : undefined;
    const earlier = key ? byKey.get(key) : undefined;
    if (earlier) return { ...earlier, headers: { "idempotent-replayed": "true" } };
    const answer = handler(request);
    if (key) byKey.set(key, answer);
    return answer;
  };
  const form = (request: RecordedRequest) => new URLSearchParams(request.body);
  return {
    "GET /v1/balance": authed(() => ({
      body: {
        object: "balance",
        available: [{ amount: 100_000, currency: "usd" }],
        pending: [{ amount: 0, currency: "usd" }],
        livemode: false,
      },
    })),
    "GET /v1/accounts/*": authed((request) => ({
      body: {
        id: request.path.split("/").pop(),
        object: "account",
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        requirements: { currently_due: [], past_due: [], disabled_reason: null, current_deadline: null },
      },
    })),
    "POST /v1/transfers": authed((request) => {
      const body = form(request);
      const destination = body.get("destination");
      if (!body.get("amount") || !body.get("currency") || !destination)
        return error(
          400,
          "invalid_request_error",
          "Missing required param: amount, currency or destination.",
        );
      return {
        body: {
          id: id("tr"),
          object: "transfer",
          amount: Number(body.get("amount")),
          currency: body.get("currency"),
          destination,
          destination_payment: id("py"),
          amount_reversed: 0,
          reversed: false,
          transfer_group: body.get("transfer_group"),
        },
      };
    }),
    "POST /v1/payouts": authed((request) => {
      const body = form(request);
      if (!body.get("amount") || !body.get("currency"))
        return error(400, "invalid_request_error", "Missing required param: amount or currency.");
      return {
        body: {
          id: id("po"),
          object: "payout",
          amount: Number(body.get("amount")),
          currency: body.get("currency"),
          method: body.get("method") ?? "standard",
          status: "pending",
          arrival_date: Math.floor(Date.now() / 1000) + 2 * 86_400,
          failure_code: null,
          failure_message: null,
        },
      };
    }),
  };
}

export async function startStripeApiSimulator(validKeys = ["sk_test_sandbox"]): Promise<Simulator> {
  return startSimulator(stripeApiRoutes((key) => validKeys.includes(key)));
}
