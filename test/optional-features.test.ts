import { afterEach, describe, expect, it } from "vitest";
import { getConfig, resetConfig } from "../src/config.ts";
import { optionalFeatureUrl } from "../src/observability/optional-feature-url.ts";
import { initSentry } from "../src/observability/sentry.ts";
import { captureLogs } from "./helpers/capture-logs.ts";

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  delete process.env.SENTRY_DSN;
  delete process.env.BETTERSTACK_HEARTBEAT_URL;
  resetConfig();
});

describe("optional features with invalid configuration", () => {
  it("an invalid SENTRY_DSN is logged once, turns Sentry off, and trigger/init.ts still loads", async () => {
    const logs = captureLogs();
    stop = logs.stop;
    process.env.SENTRY_DSN = "not a dsn at all";
    resetConfig();
    await expect(import("../trigger/init.ts")).resolves.toBeDefined();
    expect(initSentry()).toBe(false);
    expect(initSentry()).toBe(false);
    expect(() => getConfig()).not.toThrow();
    const reports = logs.lines.filter((l) => l.includes("SENTRY_DSN"));
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]!)).toMatchObject({ level: "error", variable: "SENTRY_DSN" });
  });

  it("a URL without a public key and project is not a DSN either", () => {
    expect(
      optionalFeatureUrl(
        "SENTRY_DSN",
        { SENTRY_DSN: "https://sentry.example.com" },
        (u) => u.username !== "",
      ),
    ).toBeUndefined();
  });

  it("an invalid heartbeat URL is logged once (without its value) and the heartbeat is off", () => {
    const logs = captureLogs();
    stop = logs.stop;
    const env = { BETTERSTACK_HEARTBEAT_URL: "uptime.betterstack.com/api/v1/heartbeat/TOKEN-SECRET" };
    expect(optionalFeatureUrl("BETTERSTACK_HEARTBEAT_URL", env)).toBeUndefined();
    expect(optionalFeatureUrl("BETTERSTACK_HEARTBEAT_URL", env)).toBeUndefined();
    expect(logs.lines.filter((l) => l.includes("BETTERSTACK_HEARTBEAT_URL"))).toHaveLength(1);
    expect(logs.lines.join("\n")).not.toContain("TOKEN-SECRET");
    process.env.BETTERSTACK_HEARTBEAT_URL = env.BETTERSTACK_HEARTBEAT_URL;
    resetConfig();
    expect(() => getConfig()).not.toThrow();
  });

  it("a valid URL passes through unchanged", () => {
    const url = "https://uptime.betterstack.com/api/v1/heartbeat/abc";
    expect(optionalFeatureUrl("BETTERSTACK_HEARTBEAT_URL", { BETTERSTACK_HEARTBEAT_URL: url })).toBe(url);
  });
});
