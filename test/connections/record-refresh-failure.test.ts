import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { recordRefreshFailure } from "../../src/connections/record-refresh-failure.ts";
import { ProviderError } from "../../src/errors.ts";
import { useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

describe("recording a refresh failure", () => {
  it("answers nothing for a connection deleted while it was refreshed", async () => {
    const gone = { connectionId: randomUUID(), provider: "google_drive" };
    const down = new ProviderError("google_drive", "provider_unavailable", "token endpoint 503", {
      retryable: true,
      context: { status: 503 },
    });
    expect(await recordRefreshFailure(fx.deps, gone, down)).toBeUndefined();
  });
});
