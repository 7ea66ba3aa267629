import { describe, expect, it } from "vitest";
import { payloadTags } from "../../src/observability/sentry.ts";

describe("Sentry tags of a failed task run", () => {
  it("names the tenant, provider and connection from the payload's ids, and nothing else", () => {
    expect(
      payloadTags({
        tenantId: "t-1",
        provider: "lob",
        connectionId: "c-1",
        connectionIds: ["c-2"],
        secret: "x",
      }),
    ).toEqual({ tenantId: "t-1", provider: "lob", connectionId: "c-1" });
    expect(payloadTags({ provider: 7 })).toEqual({});
    expect(payloadTags(null)).toEqual({});
  });
});
