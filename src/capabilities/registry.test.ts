import { describe, expect, it } from "vitest";
import { inboundProviderIds } from "../ingress/inbound-providers.ts";
import { createCapabilityRegistry } from "./create-capability-registry.ts";
import { createRouteTable } from "./create-route-table.ts";
import { inboundRoutes } from "./inbound-routes.ts";
import { capabilityRegistry } from "./registry.ts";

describe("the capability registry", () => {
  it("accepts at the door exactly the (provider, type) pairs some installed capability handles", () => {
    const sort = (xs: { provider: string; type: string; capability: string }[]) =>
      xs.map((e) => `${e.provider} ${e.type} ${e.capability}`).sort();
    expect(sort(inboundRoutes.entries()), "run `npm run routes` after changing the registry").toEqual(
      sort(capabilityRegistry.entries()),
    );
    expect(capabilityRegistry.handlerFor("stripe", "account.application.deauthorized")?.name).toBe(
      "connections",
    );
    expect(capabilityRegistry.handlerFor("plaid", "ITEM.ERROR")?.name).toBe("connections");
    expect(inboundRoutes.accepts("stripe", "account.application.deauthorized")).toBe(true);
    expect(inboundRoutes.accepts("plaid", "account.application.deauthorized")).toBe(false);
    expect(inboundRoutes.accepts("stripe", "customer.created")).toBe(false);
  });

  it("refuses two capabilities claiming the same provider and type", () => {
    const route = { provider: "stripe", types: ["payout.paid"] };
    expect(() =>
      createRouteTable([
        { name: "payouts", routes: [route] },
        { name: "ledger", routes: [route] },
      ]),
    ).toThrow(/claimed by both payouts and ledger/);
    const handle = async () => undefined;
    expect(() =>
      createCapabilityRegistry([
        { name: "a", routes: [route], handle },
        { name: "b", routes: [route], handle },
      ]),
    ).toThrow();
  });

  it("refuses two capabilities with one name, so neither's events reach the other's handler", () => {
    const handle = async () => "first";
    const copied = async () => "copy";
    const build = () =>
      createCapabilityRegistry([
        { name: "payouts", routes: [{ provider: "paypal", types: ["PAYMENT.PAYOUTS-ITEM.FAILED"] }], handle },
        { name: "payouts", routes: [{ provider: "lob", types: ["letter.delivered"] }], handle: copied },
      ]);
    expect(build).toThrow(/two capabilities are named payouts/);
  });

  it("routes only providers that have a webhook door (a misspelt provider's events would be ignored)", () => {
    const doors = new Set(inboundProviderIds());
    const strays = capabilityRegistry.entries().filter((e) => !doors.has(e.provider));
    expect(strays).toEqual([]);
  });
});
