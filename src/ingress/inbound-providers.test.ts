import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.ts";
import { WebhookVerificationError } from "../providers/webhook-verification-error.ts";
import {
  findInboundProvider,
  inboundProviderIds,
  inboundProviders,
  inboxTaskId,
} from "./inbound-providers.ts";
import type { IngressDeps } from "./ingress-deps.ts";

const provider = (id: string) => findInboundProvider(id)!;
const bytes = (text: string) => new TextEncoder().encode(text);
const identify = (id: string, body: unknown) => provider(id).identify(body, bytes(JSON.stringify(body)));

describe("inbound provider descriptors", () => {
  it("lists each provider once with its path, tenancy and inbox task", () => {
    expect(inboundProviderIds()).toEqual(["stripe", "plaid", "lob", "retell", "paypal"]);
    expect(inboundProviders.map((p) => [p.id, p.path, p.perTenant])).toEqual([
      ["stripe", "/webhooks/stripe", false],
      ["plaid", "/webhooks/plaid", false],
      ["lob", "/webhooks/lob/:tenantId", true],
      ["retell", "/webhooks/retell/:tenantId", true],
      ["paypal", "/webhooks/paypal", false],
    ]);
    expect(findInboundProvider("nope")).toBeUndefined();
    expect(inboxTaskId("lob")).toBe("inbox-process-lob-event");
    for (const p of inboundProviders) expect(p.secretSource.length).toBeGreaterThan(10);
  });

  it("identifies each provider's sample event", async () => {
    const expected: Record<string, string> = {
      stripe: "account.application.deauthorized",
      plaid: "ITEM.ERROR",
      lob: "letter.mailed",
      retell: "call_ended",
      paypal: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
    };
    for (const p of inboundProviders) {
      const raw = p.sampleEvent("u1");
      const identity = await p.identify(JSON.parse(raw), bytes(raw));
      expect(identity.type, p.id).toBe(expected[p.id]);
      expect(identity.dedupeKey, p.id).toContain("u1");
    }
  });

  it("takes Stripe's, Lob's and PayPal's event ids and Retell's call and event as dedupe keys", async () => {
    expect(await identify("stripe", { id: "evt_1", type: "a.b", account: "acct_1" })).toEqual({
      dedupeKey: "evt_1",
      type: "a.b",
    });
    expect(await identify("lob", { id: "evt_2", event_type: { id: "letter.created" } })).toEqual({
      dedupeKey: "evt_2",
      type: "letter.created",
    });
    expect(await identify("paypal", { id: "WH-3", event_type: "X.Y" })).toEqual({
      dedupeKey: "WH-3",
      type: "X.Y",
    });
    expect(await identify("retell", { event: "call_started", call: { call_id: "c4", extra: 1 } })).toEqual({
      dedupeKey: "c4:call_started",
      type: "call_started",
    });
  });

  it("identifies a Plaid delivery by item, type and the hash of its exact bytes", async () => {
    const raw = '{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"i1"}';
    const hash = createHash("sha256").update(raw).digest("hex");
    expect(await provider("plaid").identify(JSON.parse(raw), bytes(raw))).toEqual({
      dedupeKey: `i1:ITEM.ERROR:${hash}`,
      type: "ITEM.ERROR",
    });
  });

  it.each([
    ["stripe", { id: "1", type: "a" }],
    ["stripe", { id: "evt_1", type: "" }],
    ["stripe", { id: "evt_1", type: "a", account: "ca_1" }],
    ["lob", { id: "1", event_type: { id: "x" } }],
    ["lob", { id: "evt_1", event_type: { id: "" } }],
    ["paypal", { id: "", event_type: "X" }],
    ["paypal", { id: "WH-1", event_type: "" }],
    ["retell", { event: "", call: { call_id: "c" } }],
    ["retell", { event: "e", call: { call_id: "" } }],
    ["plaid", { webhook_type: "", webhook_code: "E", item_id: "i" }],
    ["plaid", { webhook_type: "T", webhook_code: "", item_id: "i" }],
    ["plaid", { webhook_type: "T", webhook_code: "E", item_id: "" }],
  ])("refuses a %s body that is not such an event: %j", async (id, body) => {
    await expect(identify(id, body)).rejects.toThrow();
  });
});

describe("inbound provider verification set-up", () => {
  const request = (headers: Record<string, string> = {}) =>
    new Request("http://door/", { method: "POST", body: "{}", headers });
  const deps = (env: Record<string, string | undefined>) => ({ env }) as unknown as IngressDeps;

  it("refuses as unconfigured a provider whose secrets are not set, naming them", async () => {
    await expect(provider("stripe").verify(bytes("{}"), request(), deps({}), {})).rejects.toThrow(
      new ConfigError("STRIPE_WEBHOOK_SECRET is not set"),
    );
    await expect(provider("plaid").verify(bytes("{}"), request(), deps({}), {})).rejects.toThrow(
      new ConfigError("PLAID_CLIENT_ID and PLAID_SECRET are not set"),
    );
    const paypal = { PAYPAL_CLIENT_ID: "c", PAYPAL_CLIENT_SECRET: "s", PAYPAL_WEBHOOK_ID: "w" };
    for (const missing of Object.keys(paypal)) {
      await expect(
        provider("paypal").verify(bytes("{}"), request(), deps({ ...paypal, [missing]: undefined }), {}),
      ).rejects.toThrow(
        new ConfigError("PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID are required"),
      );
    }
  });

  it("refuses a PayPal body that is not UTF-8 before asking PayPal", async () => {
    const paypal = { PAYPAL_CLIENT_ID: "c", PAYPAL_CLIENT_SECRET: "s", PAYPAL_WEBHOOK_ID: "w" };
    const error = await provider("paypal")
      .verify(new Uint8Array([0x7b, 0xff, 0x7d]), request(), deps(paypal), {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({
      reason: "malformed_header",
      message: "PayPal body is not UTF-8",
      context: { provider: "paypal", reason: "malformed_header" },
    });
  });

  it("emits realistic sample events", () => {
    expect(JSON.parse(provider("stripe").sampleEvent("u1"))).toEqual({
      id: "evt_u1",
      object: "event",
      type: "account.application.deauthorized",
      account: "acct_sandbox",
      data: { object: { id: "ca_sandbox", object: "application" } },
    });
    expect(JSON.parse(provider("plaid").sampleEvent("u1"))).toEqual({
      webhook_type: "ITEM",
      webhook_code: "ERROR",
      item_id: "item_u1",
      error: { error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED" },
      environment: "sandbox",
    });
    expect(JSON.parse(provider("lob").sampleEvent("u1"))).toEqual({
      id: "evt_u1",
      event_type: { id: "letter.mailed" },
      reference_id: "ltr_u1",
      body: {},
    });
    expect(JSON.parse(provider("retell").sampleEvent("u1"))).toEqual({
      event: "call_ended",
      call: { call_id: "call_u1", call_status: "ended" },
    });
  });
});
