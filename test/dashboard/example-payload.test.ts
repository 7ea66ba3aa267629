import { describe, expect, it } from "vitest";
import { examplePayload } from "../../local/dashboard/example-payload.ts";

describe("examplePayload", () => {
  it("fills required fields by type, prefers defaults, examples and enums, and skips optional ones", () => {
    expect(
      examplePayload({
        type: "object",
        required: ["tenantId", "limit", "mode", "dryRun", "ids", "note"],
        properties: {
          tenantId: { type: "string", format: "uuid" },
          limit: { type: "integer", minimum: 1 },
          mode: { type: "string", enum: ["fast", "slow"] },
          dryRun: { type: "boolean", default: true },
          ids: { type: "array", items: { type: "string" } },
          note: { type: "string", examples: ["hello"] },
          optional: { type: "string" },
        },
      }),
    ).toEqual({
      tenantId: "00000000-0000-4000-8000-000000000000",
      limit: 1,
      mode: "fast",
      dryRun: true,
      ids: [],
      note: "hello",
    });
  });

  it("gives an empty object when there is no schema", () => {
    expect(examplePayload(undefined)).toEqual({});
  });
});
