import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundleForEdge } from "../helpers/edge-bundle.ts";

/** The budget of one handler's edge bundle, gzipped (issue: ≤ 120 KB). */
const LIMIT_BYTES = 120 * 1000;
const ENTRIES = [
  "webhooks/router.ts",
  "webhooks/stripe.ts",
  "webhooks/plaid.ts",
  "webhooks/lob.ts",
  "webhooks/retell.ts",
  "webhooks/paypal.ts",
  "webhooks/oauth-callback.ts",
];
const FORBIDDEN = ["zod/v4/classic", "jose", "pino", "stripe", "@trigger.dev", "@electric-sql/pglite", "ws"];

describe("edge bundles of the web handlers", () => {
  it.each(ENTRIES)(
    "%s stays within 120 KB gzipped and carries no Node-only or heavy package",
    async (entry) => {
      const bundle = await bundleForEdge(entry);
      expect(bundle.gzipBytes, `${entry}: ${bundle.gzipBytes} bytes gzipped`).toBeLessThanOrEqual(
        LIMIT_BYTES,
      );
      const packages = bundle.inputs.filter((input) =>
        FORBIDDEN.some((name) => input.includes(`node_modules/${name}/`)),
      );
      expect(packages).toEqual([]);
      expect(
        bundle.inputs.filter((input) => input.startsWith("node:") || input.startsWith("local/")),
      ).toEqual([]);
    },
  );

  it("reads process only through globalThis in the code the handlers reach", async () => {
    const bundle = await bundleForEdge("webhooks/router.ts");
    const ours = bundle.inputs.filter((f) => /^(src|webhooks|db)\//.test(f));
    expect(ours.length).toBeGreaterThan(10);
    const unguarded = ours.filter((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .some((line) => /(^|[^.\w])process\.[A-Za-z_$]/.test(line) && !line.trim().startsWith("*")),
    );
    expect(unguarded).toEqual([]);
  });

  it("reads the capabilities' routes as data, never the registry or a capability's handler", async () => {
    const bundle = await bundleForEdge("webhooks/router.ts");
    expect(bundle.inputs).toContain("src/capabilities/inbound-routes.generated.ts");
    const handlerCode = bundle.inputs.filter((f) =>
      /^src\/(capabilities\/registry|[^/]+\/capability)\.ts$/.test(f),
    );
    expect(handlerCode).toEqual([]);
  });
});
