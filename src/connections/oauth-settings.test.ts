import { describe, expect, it } from "vitest";
import { callbackUrl, type OAuthSettings } from "./oauth-settings.ts";

const settings = (publicBaseUrl: string): OAuthSettings => ({
  stateSecret: "s",
  publicBaseUrl,
  allowedReturnOrigins: [],
  defaultReturnUrl: "https://app.test/",
});

describe("the OAuth callback URL", () => {
  it("joins the public base URL and the provider with one slash, however many the base ends with", () => {
    expect(callbackUrl(settings("https://sb.test"), "slack")).toBe("https://sb.test/oauth/callback/slack");
    expect(callbackUrl(settings("https://sb.test/"), "slack")).toBe("https://sb.test/oauth/callback/slack");
    expect(callbackUrl(settings("https://sb.test/base///"), "google_drive")).toBe(
      "https://sb.test/base/oauth/callback/google_drive",
    );
  });

  it("escapes the provider id as one path segment", () => {
    expect(callbackUrl(settings("https://sb.test"), "a/b c")).toBe(
      "https://sb.test/oauth/callback/a%2Fb%20c",
    );
  });
});
