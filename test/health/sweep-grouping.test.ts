import { describe, expect, it } from "vitest";
import { groupByProvider } from "../../src/health/sweep-health-checks.ts";

describe("the sweep's grouping of due connections", () => {
  it("groups a full sweep (100,000 due connections of one provider) in linear time, order kept", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      id: `c${i}`,
      provider: i % 10 === 0 ? "resend" : "lob",
    }));
    const started = performance.now();
    const groups = groupByProvider(rows);
    // Linear: milliseconds. The quadratic version it replaces took minutes here.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(groups.get("lob")).toHaveLength(90_000);
    expect(groups.get("resend")).toHaveLength(10_000);
    expect(groups.get("resend")!.slice(0, 3)).toEqual(["c0", "c10", "c20"]);
    expect([...groups.keys()]).toEqual(["resend", "lob"]);
  });
});
