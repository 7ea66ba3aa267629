import { describe, expect, it } from "vitest";
import { signRetell } from "../../local/sandbox/webhook-signers.ts";
import { verifyRetellWebhook } from "./retell-webhook.ts";
import type { WebhookVerificationError } from "./webhook-verification-error.ts";

const KEY = "retell-unit-key";
const raw = '{"event":"call_ended","call":{"call_id":"c1"}}';
const bytes = new TextEncoder().encode(raw);
const now = 1_900_000_000_000;

async function outcome(header: string | null, at = now, key = KEY): Promise<string> {
  try {
    await verifyRetellWebhook(bytes, header, async () => key, at);
    return "ok";
  } catch (err) {
    return (err as WebhookVerificationError).reason ?? String(err);
  }
}

describe("Retell signatures", () => {
  const header = signRetell(raw, KEY, now);

  it("accepts a correct signature with surrounding spaces and upper-case hex", async () => {
    expect(await outcome(header)).toBe("ok");
    expect(await outcome(`  ${header} `)).toBe("ok");
    const [v, d] = header.split(",d=");
    expect(await outcome(`${v},d=${d!.toUpperCase()}`)).toBe("ok");
    expect(await outcome(`V=${now},D=${d}`)).toBe("ok");
  });

  it("refuses a missing or malformed header before asking for the key", async () => {
    let asked = 0;
    const check = async (h: string | null) => {
      try {
        await verifyRetellWebhook(
          bytes,
          h,
          async () => {
            asked++;
            return KEY;
          },
          now,
        );
        return "ok";
      } catch (err) {
        return (err as WebhookVerificationError).reason;
      }
    };
    expect(await check(null)).toBe("missing_header");
    expect(await check("")).toBe("missing_header");
    expect(await check(`x${header}`)).toBe("malformed_header");
    expect(await check(`${header},x`)).toBe("malformed_header");
    expect(await check(`v=,d=${header.split(",d=")[1]}`)).toBe("malformed_header");
    expect(await check(`v=${now},d=`)).toBe("malformed_header");
    expect(await check(`v=${now},d=zz`)).toBe("malformed_header");
    expect(asked).toBe(0);
  });

  it("refuses another key, body or timestamp, and a time more than 5 minutes off either way", async () => {
    expect(await outcome(header, now, "other")).toBe("invalid_signature");
    expect(await outcome(signRetell(`${raw} `, KEY, now))).toBe("invalid_signature");
    const d = header.split(",d=")[1];
    expect(await outcome(`v=${now - 1},d=${d}`)).toBe("invalid_signature");
    expect(await outcome(header, now + 300_000)).toBe("ok");
    expect(await outcome(header, now + 300_001)).toBe("stale_timestamp");
    expect(await outcome(header, now - 300_000)).toBe("ok");
    expect(await outcome(header, now - 300_001)).toBe("future_timestamp");
  });
});

describe("Retell verification failures as callers see them", () => {
  it("names the provider, reason and a message for each failure (the message is the 4xx answer)", async () => {
    const header = signRetell(raw, KEY, now);
    const cases: [string | null, number, string, string][] = [
      [null, now, "missing_header", "Missing x-retell-signature header"],
      ["v=1", now, "malformed_header", "Malformed x-retell-signature header"],
      [header, now + 300_001, "stale_timestamp", "Webhook timestamp is too old"],
      [signRetell(raw, "other", now), now, "invalid_signature", "Retell signature does not match"],
    ];
    for (const [h, at, reason, message] of cases) {
      const error = await verifyRetellWebhook(bytes, h, async () => KEY, at).catch(
        (e: WebhookVerificationError) => e,
      );
      expect(error).toMatchObject({ reason, message, context: { provider: "retell", reason } });
    }
  });
});
