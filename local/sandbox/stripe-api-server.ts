import { randomBytes } from "node:crypto";
import { presentedKey } from "./key-auth.ts";
import { createRateLimiter, type RateLimiter } from "./rate-limit.ts";
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

export interface SimTransfer {
  id: string;
  amount: number;
  currency: string;
  destination: string;
  transfer_group: string | null;
  metadata: Record<string, string>;
  idempotencyKey: string | undefined;
  reversed: boolean;
  amount_reversed: number;
}

/** What a test or benchmark can see and steer in the Stripe simulator. */
export interface StripeApiState {
  /** Every transfer created (a duplicate payment shows as two transfers for one item). */
  transfers: SimTransfer[];
  /** Connected accounts whose `payouts_enabled` is false (transfers to them are refused). */
  disabledAccounts: Set<string>;
  /** The account a key or OAuth token belongs to (`GET /v1/account` without `Stripe-Account`). */
  ownAccount: string;
  /** External accounts attached per connected account (`btok_…` tokens received). */
  externalAccounts: Map<string, string[]>;
  /** The next N transfers are created, then answered with a 500 (the answer is lost on the way). */
  loseAnswers(n: number): void;
  /** Requests per second before answering 429 (0: unlimited); 429s answered so far. */
  rateLimit: RateLimiter;
}

export function createStripeApiState(): StripeApiState {
  let lose = 0;
  const state: StripeApiState & { takeLoss(): boolean } = {
    transfers: [],
    disabledAccounts: new Set(),
    ownAccount: "acct_sandbox_1",
    externalAccounts: new Map(),
    loseAnswers: (n) => {
      lose = n;
    },
    takeLoss: () => {
      if (lose <= 0) return false;
      lose--;
      return true;
    },
    rateLimit: createRateLimiter(),
  };
  return state;
}

/**
 * Stripe's REST API on loopback, form-encoded as the official SDK sends it (`host`/`port`/`protocol`
 * point the SDK here): `GET /v1/balance`, `GET /v1/account` (the Connect probe), `GET /v1/accounts/{id}`, external accounts,
 * transfers (create, list by `transfer_group`, reversals) and payouts. `Idempotency-Key` behaves as
 * Stripe documents it: the same key with the same parameters returns the first answer
 * (`Idempotent-Replayed: true`), with other parameters an `idempotency_error`; 429 and 5xx answers
 * are not saved. Faults: lost answers after the transfer was made, a requests-per-second limit.
 */
export function stripeApiRoutes(
  isValidKey: (key: string) => boolean,
  state: StripeApiState = createStripeApiState(),
): Record<string, SimRoute> {
  const byKey = new Map<string, { fingerprint: string; answer: SimResponse }>();
  const takeLoss = (state as StripeApiState & { takeLoss?: () => boolean }).takeLoss ?? (() => false);
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) => {
    if (!state.rateLimit.admit())
      return { ...error(429, "rate_limit_error", "Too many requests"), headers: {} };
    if (!isValidKey(presentedKey(request, "bearer")))
      return error(401, "invalid_request_error", "Invalid API Key provided");
    const key = request.method === "POST" ? request.headers["idempotency-key"] : undefined;
    const fingerprint = `${request.path}\n${request.headers["stripe-account"] ?? ""}\n${request.body}`;
    const earlier = key ? byKey.get(key) : undefined;
    if (earlier && earlier.fingerprint !== fingerprint) {
      return error(
        400,
        "idempotency_error",
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (earlier) return { ...earlier.answer, headers: { "idempotent-replayed": "true" } };
    const answer = handler(request);
    const status = answer.status ?? 200;
    if (key && status !== 429 && status < 500) byKey.set(key, { fingerprint, answer });
    return answer;
  };
  const accountBody = (account: string) => {
    const enabled = !state.disabledAccounts.has(account);
    return {
      id: account,
      object: "account",
      charges_enabled: enabled,
      payouts_enabled: enabled,
      details_submitted: true,
      requirements: {
        currently_due: [],
        past_due: [],
        disabled_reason: enabled ? null : "requirements.past_due",
        current_deadline: null,
      },
    };
  };
  const form = (request: RecordedRequest) => new URLSearchParams(request.body);
  const transferBody = (t: SimTransfer) => ({
    object: "transfer",
    ...t,
    idempotencyKey: undefined,
    destination_payment: `py_${t.id.slice(3)}`,
  });
  return {
    "GET /v1/balance": authed(() => ({
      body: {
        object: "balance",
        available: [{ amount: 100_000, currency: "usd" }],
        pending: [{ amount: 0, currency: "usd" }],
        livemode: false,
      },
    })),
    "POST /v1/accounts/*": authed((request) => {
      // POST /v1/accounts/{acct}/external_accounts
      const [, , , account, sub] = request.path.split("/");
      const token = form(request).get("external_account");
      if (sub !== "external_accounts" || !account || !token?.startsWith("btok_"))
        return error(400, "invalid_request_error", "Invalid external_account");
      state.externalAccounts.set(account, [...(state.externalAccounts.get(account) ?? []), token]);
      return { body: { id: id("ba"), object: "bank_account", account, status: "new" } };
    }),
    // accounts.retrieve() with no id: the account the key (or a Connect OAuth token) belongs to.
    "GET /v1/account": authed((request) => ({
      body: accountBody(request.headers["stripe-account"] ?? state.ownAccount),
    })),
    "GET /v1/accounts/*": authed((request) => ({ body: accountBody(request.path.split("/").pop() ?? "") })),
    "GET /v1/transfers": authed((request) => {
      const group = request.query.get("transfer_group");
      const data = state.transfers.filter((t) => !group || t.transfer_group === group).map(transferBody);
      return { body: { object: "list", data, has_more: false, url: "/v1/transfers" } };
    }),
    "POST /v1/transfers/*": authed((request) => {
      // POST /v1/transfers/{id}/reversals
      const transfer = state.transfers.find((t) => t.id === request.path.split("/")[3]);
      if (!transfer) return error(404, "invalid_request_error", "No such transfer", "resource_missing");
      const amount = Number(form(request).get("amount") ?? transfer.amount - transfer.amount_reversed);
      transfer.amount_reversed += amount;
      transfer.reversed = transfer.amount_reversed >= transfer.amount;
      return { body: { id: id("trr"), object: "transfer_reversal", amount, transfer: transfer.id } };
    }),
    "POST /v1/transfers": authed((request) => {
      const body = form(request);
      const destination = body.get("destination");
      if (!body.get("amount") || !body.get("currency") || !destination)
        return error(
          400,
          "invalid_request_error",
          "Missing required param: amount, currency or destination.",
        );
      if (destination.includes("missing")) {
        return error(
          400,
          "invalid_request_error",
          `No such destination: '${destination}'`,
          "resource_missing",
        );
      }
      if (state.disabledAccounts.has(destination)) {
        return error(
          400,
          "invalid_request_error",
          "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
          "insufficient_capabilities_for_transfer",
        );
      }
      const metadata: Record<string, string> = {};
      for (const [k, v] of body) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const transfer: SimTransfer = {
        id: id("tr"),
        amount: Number(body.get("amount")),
        currency: body.get("currency")!,
        destination,
        transfer_group: body.get("transfer_group"),
        metadata,
        idempotencyKey: request.headers["idempotency-key"],
        reversed: false,
        amount_reversed: 0,
      };
      state.transfers.push(transfer);
      // The transfer exists; the caller never hears about it (and Stripe saves no 5xx answer).
      if (takeLoss()) return error(500, "api_error", "An unknown error occurred");
      return { body: transferBody(transfer) };
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

export interface StripeApiSimulator extends Simulator {
  state: StripeApiState;
}

export async function startStripeApiSimulator(validKeys = ["sk_test_sandbox"]): Promise<StripeApiSimulator> {
  const state = createStripeApiState();
  const sim = await startSimulator(stripeApiRoutes((key) => validKeys.includes(key), state));
  return { ...sim, state };
}
