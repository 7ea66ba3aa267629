import { SANDBOX_TEST_KEYS } from "./sandbox-info.ts";
import { type Simulator, startSimulator } from "./simulator.ts";

export interface ApiKeySimulator extends Simulator {
  validKeys: Set<string>;
}

/**
 * An API-key provider on loopback (Resend's wire format): `GET /domains` with
 * `Authorization: Bearer <key>` answers 200 for a valid key and 401 otherwise.
 */
export async function startApiKeySimulator(options: { validKeys?: string[] } = {}): Promise<ApiKeySimulator> {
  const validKeys = new Set(options.validKeys ?? [SANDBOX_TEST_KEYS.resend!]);
  const sim = await startSimulator({
    "GET /domains": (request) => {
      const key = request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "";
      return validKeys.has(key)
        ? { body: { object: "list", data: [{ id: "d_1", name: "example.com", status: "verified" }] } }
        : { status: 401, body: { statusCode: 401, name: "validation_error", message: "API key is invalid" } };
    },
  });
  return { ...sim, validKeys };
}
