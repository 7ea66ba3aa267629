import { describe, expect, it } from "vitest";
import { catalog, findProvider } from "../../src/providers/catalog.ts";
import { envPrefix, providerConfig } from "../../src/providers/provider-config.ts";

const EXPECTED = [
  "shopify",
  "stripe",
  "stripe_connect",
  "resend",
  "meta_ads",
  "google_ads",
  "tiktok_ads",
  "ga4",
  "klaviyo",
  "yotpo",
  "slack",
  "wise",
  "retell",
  "elevenlabs",
  "mux",
  "assemblyai",
  "google_drive",
  "google_calendar",
  "fairing",
  "plaid",
  "paypal",
  "lob",
  "clarity",
  "better_stack",
  "sentry",
  "docusign",
];

describe("provider catalog", () => {
  it("lists every supported integration once, with lower snake case ids", () => {
    expect(catalog.map((e) => e.id).sort()).toEqual([...EXPECTED].sort());
    for (const entry of catalog) expect(entry.id).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it("gives OAuth entries endpoints and scopes, and key entries a probe", () => {
    for (const entry of catalog) {
      expect(entry.docs, entry.id).toMatch(/^https:\/\//);
      if (entry.authKind === "oauth2") {
        expect(entry.oauth?.authorizeUrl, entry.id).toMatch(/^https:\/\//);
        expect(entry.oauth?.tokenUrl, entry.id).toMatch(/^https:\/\//);
      } else {
        // Client-credentials providers prove a key by minting a token.
        expect(entry.probe ?? entry.tokenRequest, entry.id).toBeDefined();
      }
      expect(Boolean(entry.tokenRequest), entry.id).toBe(entry.authKind === "client_credentials");
      if (entry.refresh === "refresh_token" || entry.refresh === "rotating_refresh_token") {
        expect(entry.authKind, entry.id).toBe("oauth2");
      }
    }
  });

  it("reads platform credentials and endpoint overrides from <ID>_* variables", () => {
    const config = providerConfig("google_ads", {
      GOOGLE_ADS_CLIENT_ID: "cid",
      GOOGLE_ADS_CLIENT_SECRET: " ",
      GOOGLE_ADS_TOKEN_URL: "http://127.0.0.1:9/token",
      GOOGLE_ADS_API_URL: "http://127.0.0.1:9/api/",
    });
    expect(envPrefix("google_ads")).toBe("GOOGLE_ADS");
    expect(config).toMatchObject({
      clientId: "cid",
      clientSecret: undefined,
      tokenUrl: "http://127.0.0.1:9/token",
      apiBaseUrl: "http://127.0.0.1:9/api",
      authorizeUrl: findProvider("google_ads")!.oauth!.authorizeUrl,
    });
    expect(() => providerConfig("myspace", {})).toThrow(/Unknown provider "myspace"/);
  });
});
