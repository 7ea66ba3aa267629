import { plaidLinkRoutes } from "./plaid-link-routes.ts";
import { type Simulator, startSimulator } from "./simulator.ts";
import type { PlaidSigner } from "./webhook-signers.ts";

/** Plaid on loopback: Link and Auth (plaid-link-routes.ts) and the signer's webhook verification key. */
export async function startPlaidSimulator(
  signer: PlaidSigner,
  credentials = { clientId: "sandbox-plaid-client", secret: "sandbox-plaid-secret" },
): Promise<Simulator> {
  return startSimulator({
    ...plaidLinkRoutes(credentials),
    "POST /webhook_verification_key/get": (request) => {
      const body = JSON.parse(request.body || "{}") as {
        client_id?: string;
        secret?: string;
        key_id?: string;
      };
      if (body.client_id !== credentials.clientId || body.secret !== credentials.secret) {
        return { status: 400, body: { error_type: "INVALID_INPUT", error_code: "INVALID_API_KEYS" } };
      }
      if (body.key_id !== signer.kid) {
        return {
          status: 400,
          body: { error_type: "INVALID_INPUT", error_code: "INVALID_WEBHOOK_VERIFICATION_KEY_ID" },
        };
      }
      return {
        body: {
          key: { ...signer.jwk, created_at: 1_700_000_000, expired_at: null },
          request_id: "req_sandbox",
        },
      };
    },
  });
}
