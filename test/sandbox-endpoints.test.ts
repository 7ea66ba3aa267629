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

  it("leaves a simulated provider's endpoints at its own simulator", () => {
    const { google, slack, meta, resend, env } = sandbox;
    expect({
      auth: env.GOOGLE_DRIVE_AUTH_URL,
      token: env.GOOGLE_DRIVE_TOKEN_URL,
      revoke: env.GOOGLE_DRIVE_REVOKE_URL,
      api: env.GOOGLE_DRIVE_API_URL,
    }).toEqual({
      auth: google.authorizeUrl,
      token: google.tokenUrl,
      revoke: google.revokeUrl,
      api: google.url,
    });
    expect({
      auth: env.SLACK_AUTH_URL,
      token: env.SLACK_TOKEN_URL,
      revoke: env.SLACK_REVOKE_URL,
      api: env.SLACK_API_URL,
    }).toEqual({
      auth: slack.authorizeUrl,
      token: slack.tokenUrl,
      revoke: slack.revokeUrl,
      api: `${slack.url}/api`,
    });
    expect(env.META_ADS_TOKEN_URL).toBe(meta.tokenUrl);
    expect(env.RESEND_API_URL).toBe(resend.url);
  });

  it("answers every request to a provider without a simulator with a 501 naming that provider", async () => {
    for (const [method, url] of [
      ["GET", `${sandbox.env.KLAVIYO_API_URL}/accounts`],
      ["POST", sandbox.env.KLAVIYO_TOKEN_URL],
      ["PUT", `${sandbox.env.KLAVIYO_API_URL}/profiles/1`],
      ["DELETE", `${sandbox.env.KLAVIYO_API_URL}/profiles/1`],
    ] as const) {
      const response = await fetch(url!, { method });
      expect({ method, status: response.status, body: await response.json() }).toEqual({
        method,
        status: 501,
        body: {
          error: "sandbox mode: there is no simulator for klaviyo; configure real credentials to use it",
        },
      });
    }
  });
});
