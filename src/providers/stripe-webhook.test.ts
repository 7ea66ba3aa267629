import { describe, expect, it } from "vitest";
import { signStripe } from "../../local/sandbox/webhook-signers.ts";
import { parseStripeSecrets, verifyStripeWebhook } from "./stripe-webhook.ts";
import type { WebhookVerificationError } from "./webhook-verification-error.ts";

const SECRET = "whsec_unit_platform";
const raw = '{"id":"evt_1","type":"account.updated"}';
const bytes = new TextEncoder().encode(raw);
const NOW_SEC = 1_900_000_000;
const now = NOW_SEC * 1000;

/** The reason verification fails for, or "ok". */
async function outcome(header: string | null, secrets = [SECRET], at = now): Promise<string> {
  try {
    await verifyStripeWebhook(bytes, header, secrets, at);
    return "ok";
  } catch (err) {
    return (err as WebhookVerificationError).reason ?? String(err);
  }
}

describe("Stripe-Signature parsing", () => {
  it("reads a comma-separated secret list, trimming spaces and dropping empty entries", () => {
    expect(parseStripeSecrets(" whsec_a , ,whsec_b,, ")).toEqual(["whsec_a", "whsec_b"]);
    expect(parseStripeSecrets(undefined)).toEqual([]);
    expect(parseStripeSecrets("")).toEqual([]);
  });

  it("finds the timestamp wherever it stands in the header", async () => {
    const [t, v1] = signStripe(raw, SECRET, NOW_SEC).split(",");
    expect(await outcome(`${v1},${t}`)).toBe("ok");
    expect(await outcome(`v0=abc,${t},${v1}`)).toBe("ok");
  });

  it("accepts spaces around the header's parts", async () => {
    const [t, v1] = signStripe(raw, SECRET, NOW_SEC).split(",");
    expect(await outcome(` ${t} , ${v1} `)).toBe("ok");
  });

  it("refuses a header without a timestamp, with a non-numeric one, or with no non-empty v1", async () => {
    const v1 = signStripe(raw, SECRET, NOW_SEC).split(",")[1]!;
    expect(await outcome(null)).toBe("missing_header");
    expect(await outcome("")).toBe("missing_header");
    expect(await outcome(v1)).toBe("malformed_header");
    expect(await outcome(`t=x${NOW_SEC},${v1}`)).toBe("malformed_header");
    expect(await outcome(`t=${NOW_SEC}x,${v1}`)).toBe("malformed_header");
    expect(await outcome(`t=,${v1}`)).toBe("malformed_header");
    expect(await outcome(`t=${NOW_SEC},v1=`)).toBe("malformed_header");
    expect(await outcome(`t=${NOW_SEC},v0=${v1.slice(3)}`)).toBe("malformed_header");
  });

  it("refuses a v1 that does not match, and a signature made with another secret", async () => {
    expect(await outcome(signStripe(raw, "whsec_other", NOW_SEC))).toBe("invalid_signature");
    expect(await outcome(signStripe(`${raw} `, SECRET, NOW_SEC))).toBe("invalid_signature");
    expect(await outcome(signStripe(raw, SECRET, NOW_SEC), [])).toBe("invalid_signature");
  });

  it("refuses a signature over another timestamp than the header's", async () => {
    const v1 = signStripe(raw, SECRET, NOW_SEC - 1).split(",")[1]!;
    expect(await outcome(`t=${NOW_SEC},${v1}`)).toBe("invalid_signature");
  });

  it("counts age in whole seconds: 300.999 s old passes, 301 s does not; the same ahead", async () => {
    const header = signStripe(raw, SECRET, NOW_SEC);
    expect(await outcome(header, [SECRET], now + 300_999)).toBe("ok");
    expect(await outcome(header, [SECRET], now + 301_000)).toBe("stale_timestamp");
    expect(await outcome(header, [SECRET], now - 300_000)).toBe("ok");
    expect(await outcome(header, [SECRET], now - 301_000)).toBe("future_timestamp");
  });
});

describe("Stripe verification failures as callers see them", () => {
  it("names the provider, reason and a message for each failure (the message is the 4xx answer)", async () => {
    const header = signStripe(raw, SECRET, NOW_SEC);
    const cases: [string | null, number, string, string][] = [
      [null, now, "missing_header", "Missing Stripe-Signature header"],
      ["t=1", now, "malformed_header", "Malformed Stripe-Signature header"],
      [header, now + 301_000, "stale_timestamp", "Webhook timestamp is too old"],
      [header, now - 301_000, "future_timestamp", "Webhook timestamp is in the future"],
      [signStripe(raw, "whsec_other", NOW_SEC), now, "invalid_signature", "Stripe signature does not match"],
    ];
    for (const [h, at, reason, message] of cases) {
      const error = await verifyStripeWebhook(bytes, h, [SECRET], at).catch(
        (e: WebhookVerificationError) => e,
      );
      expect(error).toMatchObject({ reason, message, context: { provider: "stripe", reason } });
    }
  });
});
