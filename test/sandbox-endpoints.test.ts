import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../local/sandbox/start-sandbox.ts";
import { catalog } from "../src/providers/catalog.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => sandbox?.close());

describe("the sandbox's provider endpoints", () => {
  it("points a revoke URL at loopback exactly for the providers whose catalog entry has one", () => {
    for (const entry of catalog) {
      const revoke = sandbox.env[`${entry.id.toUpperCase()}_REVOKE_URL`];
      expect({ provider: entry.id, revoke: Boolean(revoke) }).toEqual({
        provider: entry.id,
        revoke: Boolean(entry.oauth?.revokeUrl),
      });
      if (revoke) expect(new URL(revoke).hostname).toBe("127.0.0.1");
    }
  });

  it("points OAuth endpoints only for OAuth providers, and every provider's API at loopback", () => {
    for (const entry of catalog) {
      const prefix = entry.id.toUpperCase();
      expect(Boolean(sandbox.env[`${prefix}_TOKEN_URL`]), entry.id).toBe(Boolean(entry.oauth));
      expect(Boolean(sandbox.env[`${prefix}_AUTH_URL`]), entry.id).toBe(Boolean(entry.oauth));
      expect(new URL(sandbox.env[`${prefix}_API_URL`]!).hostname, entry.id).toBe("127.0.0.1");
    }
  });
});
