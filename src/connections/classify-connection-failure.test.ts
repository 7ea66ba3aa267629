import { describe, expect, it } from "vitest";
import { AppError, ProviderError } from "../errors.ts";
import { classifyConnectionFailure } from "./classify-connection-failure.ts";

const failure = (code: string, options: ConstructorParameters<typeof AppError>[2] = {}) =>
  classifyConnectionFailure(new AppError(code, "it failed", options));

describe("classifying a failed call made with a connection's credential", () => {
  it("calls a dead credential `auth`, whichever way the error says so", () => {
    expect(failure("invalid_grant", { reauthRequired: true }).failureClass).toBe("auth");
    expect(failure("unauthorized").failureClass).toBe("auth");
    expect(failure("provider_error", { context: { status: 401 } }).failureClass).toBe("auth");
  });

  it("calls a missing scope or role `permission`", () => {
    expect(failure("forbidden").failureClass).toBe("permission");
    expect(failure("provider_error", { context: { status: 403 } }).failureClass).toBe("permission");
  });

  it("calls throttling `rate_limited`, even when the error is also retryable", () => {
    expect(failure("rate_limited", { retryable: true }).failureClass).toBe("rate_limited");
    expect(failure("provider_error", { context: { status: 429 }, retryable: true }).failureClass).toBe(
      "rate_limited",
    );
  });

  it("calls the provider's outages `provider_down`: retryable errors, their codes, 408 and every 5xx", () => {
    expect(failure("whatever", { retryable: true }).failureClass).toBe("provider_down");
    for (const code of ["provider_unavailable", "provider_timeout", "network_error", "unavailable"]) {
      expect(failure(code).failureClass, code).toBe("provider_down");
    }
    for (const status of [408, 500, 503, 599]) {
      expect(failure("provider_error", { context: { status } }).failureClass, String(status)).toBe(
        "provider_down",
      );
    }
  });

  it("calls everything else our configuration, never `provider_down`", () => {
    for (const status of [400, 404, 407, 409, 499]) {
      expect(failure("provider_error", { context: { status } }).failureClass, String(status)).toBe("config");
    }
    expect(failure("config_invalid").failureClass).toBe("config");
    expect(classifyConnectionFailure(new Error("boom"))).toEqual({
      failureClass: "config",
      reason: "boom",
      httpStatus: undefined,
    });
    expect(classifyConnectionFailure("a string").reason).toBe("a string");
  });

  it("reports `code: message` and the HTTP status only when the context holds a number", () => {
    expect(
      classifyConnectionFailure(
        new ProviderError("slack", "forbidden", "missing scope", { context: { status: 403 } }),
      ),
    ).toEqual({ failureClass: "permission", reason: "forbidden: missing scope", httpStatus: 403 });
    expect(failure("provider_error", { context: { status: "401" } })).toEqual({
      failureClass: "config",
      reason: "provider_error: it failed",
      httpStatus: undefined,
    });
  });
});
