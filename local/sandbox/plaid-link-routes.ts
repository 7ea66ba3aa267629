import { randomBytes } from "node:crypto";
import type { RecordedRequest, SimResponse, SimRoute } from "./simulator.ts";

const token = (prefix: string) => `${prefix}-sandbox-${randomBytes(12).toString("hex")}`;
const plaidError = (status: number, type: string, code: string, message: string): SimResponse => ({
  status,
  body: {
    error_type: type,
    error_code: code,
    error_message: message,
    display_message: null,
    request_id: "req_sandbox",
  },
});

/**
 * Plaid's Link and Auth flow on loopback, keys in the JSON body: `/institutions/get` (the probe),
 * `/link/token/create`, `/sandbox/public_token/create`, `/item/public_token/exchange`, `/auth/get`
 * and `/processor/stripe/bank_account_token/create` (a `btok_…` for Stripe). A base for the payee
 * bank verification of payouts to extend.
 */
export function plaidLinkRoutes(credentials: { clientId: string; secret: string }): Record<string, SimRoute> {
  const publicTokens = new Map<string, string>(); // public token → item id
  const items = new Map<string, string>(); // access token → item id
  const authed = (handler: (body: Record<string, unknown>) => SimResponse) => (request: RecordedRequest) => {
    const body = JSON.parse(request.body || "{}") as Record<string, unknown>;
    // Keys in the body, or in PLAID-CLIENT-ID / PLAID-SECRET headers (as the official SDK sends them).
    const clientId = body.client_id ?? request.headers["plaid-client-id"];
    const secret = body.secret ?? request.headers["plaid-secret"];
    if (clientId !== credentials.clientId || secret !== credentials.secret) {
      return plaidError(400, "INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided");
    }
    return handler(body);
  };
  const item = (accessToken: unknown) =>
    typeof accessToken === "string" ? items.get(accessToken) : undefined;
  const invalidToken = plaidError(
    400,
    "INVALID_INPUT",
    "INVALID_ACCESS_TOKEN",
    "provided access token is in an invalid format",
  );
  return {
    "POST /institutions/get": authed(() => ({
      body: {
        institutions: [{ institution_id: "ins_109508", name: "First Platypus Bank" }],
        total: 1,
        request_id: "req_sandbox",
      },
    })),
    "POST /link/token/create": authed((body) => {
      const user = body.user as { client_user_id?: string } | undefined;
      if (!user?.client_user_id)
        return plaidError(
          400,
          "INVALID_REQUEST",
          "MISSING_FIELDS",
          "the following required fields are missing: user.client_user_id",
        );
      return {
        body: {
          link_token: token("link"),
          expiration: new Date(Date.now() + 4 * 3_600_000).toISOString(),
          request_id: "req_sandbox",
        },
      };
    }),
    "POST /sandbox/public_token/create": authed(() => {
      const publicToken = token("public");
      publicTokens.set(publicToken, `item_${randomBytes(8).toString("hex")}`);
      return { body: { public_token: publicToken, request_id: "req_sandbox" } };
    }),
    "POST /item/public_token/exchange": authed((body) => {
      const itemId = publicTokens.get(String(body.public_token));
      if (!itemId)
        return plaidError(
          400,
          "INVALID_INPUT",
          "INVALID_PUBLIC_TOKEN",
          "provided public token is in an invalid format",
        );
      publicTokens.delete(String(body.public_token));
      const accessToken = token("access");
      items.set(accessToken, itemId);
      return { body: { access_token: accessToken, item_id: itemId, request_id: "req_sandbox" } };
    }),
    "POST /auth/get": authed((body) => {
      const itemId = item(body.access_token);
      if (!itemId) return invalidToken;
      return {
        body: {
          accounts: [
            {
              account_id: "acc_sandbox_checking",
              name: "Plaid Checking",
              type: "depository",
              subtype: "checking",
              mask: "0000",
            },
          ],
          numbers: {
            ach: [
              {
                account_id: "acc_sandbox_checking",
                account: "1111222233330000",
                routing: "011401533",
                wire_routing: "021000021",
              },
            ],
          },
          item: { item_id: itemId },
          request_id: "req_sandbox",
        },
      };
    }),
    "POST /processor/stripe/bank_account_token/create": authed((body) => {
      if (!item(body.access_token)) return invalidToken;
      if (body.account_id !== "acc_sandbox_checking")
        return plaidError(400, "INVALID_INPUT", "INVALID_ACCOUNT_ID", "account_id is not valid");
      return {
        body: {
          stripe_bank_account_token: `btok_${randomBytes(8).toString("hex")}`,
          request_id: "req_sandbox",
        },
      };
    }),
  };
}
