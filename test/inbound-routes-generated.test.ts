import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INBOUND_ROUTES_FILE, renderInboundRoutes } from "../local/codegen/render-inbound-routes.ts";
import { createCapabilityRegistry } from "../src/capabilities/create-capability-registry.ts";
import { capabilityRegistry } from "../src/capabilities/registry.ts";

// A capability is registered in one line (registry.ts); the doors' table is generated from it.
describe("the generated inbound route table", () => {
  it("is what `npm run routes` writes from the registry today (run it after changing registry.ts)", () => {
    expect(readFileSync(INBOUND_ROUTES_FILE, "utf8")).toBe(renderInboundRoutes(capabilityRegistry));
  });

  it("changes when a capability is added to the registry, grouping its types by provider", async () => {
    const handle = async () => undefined;
    const registry = createCapabilityRegistry([
      { name: "mail", routes: [{ provider: "lob", types: ["letter.delivered", "letter.returned"] }], handle },
      { name: "calls", routes: [{ provider: "retell", types: ["call_analyzed"] }], handle },
      { name: "quiet", routes: [], handle },
    ]);
    const source = renderInboundRoutes(registry);
    expect(source).not.toBe(renderInboundRoutes(capabilityRegistry));
    const literal = source.slice(source.indexOf("= [") + 2, source.lastIndexOf(";"));
    expect(JSON.parse(literal)).toEqual([
      { name: "mail", routes: [{ provider: "lob", types: ["letter.delivered", "letter.returned"] }] },
      { name: "calls", routes: [{ provider: "retell", types: ["call_analyzed"] }] },
    ]);
    expect(source).toMatch(/^\/\/ Generated from src\/capabilities\/registry\.ts by `npm run routes`/);
  });
});
