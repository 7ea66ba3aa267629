import { describe, expect, it } from "vitest";
import { signLob } from "../../local/sandbox/webhook-signers.ts";
import { verifyLobWebhook } from "./lob-webhook.ts";
import type { WebhookVerificationError } from "./webhook-verification-error.ts";

const SECRET = "lob-unit-secret";
const raw = '{"id":"evt_lob_1","event_type":{"id":"letter.delivered"}}';
const bytes = new TextEncoder().encode(raw);
const NOW_SEC = 1_900_000_000;
const now = NOW_SEC * 1000;

async function outcome(signature: string | null, timestamp: string | null, at = now): Promise<string> {
  try {
    await verifyLobWebhook(bytes, { signature, timestamp }, async () => SECRET, at);
    return "ok";
  } catch (err) {
    return (err as WebhookVerificationError).reason ?? String(err);
  }
}

describe("Lob signatures", () => {
  const signed = signLob(raw, SECRET, NOW_SEC);
  const sig = signed["lob-signature"];
  const ts = signed["lob-signature-timestamp"];

  it("accepts a correct signature, in either hex case", async () => {
    expect(await outcome(sig, ts)).toBe("ok");
    expect(await outcome(sig.toUpperCase(), ts)).toBe("ok");
  });

  it("refuses missing headers and malformed ones before asking for the secret", async () => {
    let asked = 0;
    const secret = async () => {
      asked++;
      return SECRET;
    };
    const check = async (signature: string | null, timestamp: string | null) => {
      try {
        await verifyLobWebhook(bytes, { signature, timestamp }, secret, now);
        return "ok";
      } catch (err) {
        return (err as WebhookVerificationError).reason;
      }
    };
    expect(await check(null, ts)).toBe("missing_header");
    expect(await check(sig, null)).toBe("missing_header");
    expect(await check(sig, `x${ts}`)).toBe("malformed_header");
    expect(await check(sig, `${ts}x`)).toBe("malformed_header");
    expect(await check(`${sig}0`, ts)).toBe("malformed_header");
    expect(await check(`g${sig.slice(1)}`, ts)).toBe("malformed_header");
    expect(await check(`0${sig}`, ts)).toBe("malformed_header");
    expect(await check(sig.slice(1), ts)).toBe("malformed_header");
    expect(asked).toBe(0);
  });

  it("refuses a signature over another body, secret or timestamp", async () => {
    expect(await outcome(signLob(`${raw} `, SECRET, NOW_SEC)["lob-signature"], ts)).toBe("invalid_signature");
    expect(await outcome(signLob(raw, "other", NOW_SEC)["lob-signature"], ts)).toBe("invalid_signature");
    expect(await outcome(signLob(raw, SECRET, NOW_SEC - 1)["lob-signature"], ts)).toBe("invalid_signature");
  });

  it("reads a seconds timestamp as seconds and a milliseconds one as milliseconds, 5 minutes either way", async () => {
    expect(await outcome(sig, ts, now + 300_000)).toBe("ok");
    expect(await outcome(sig, ts, now + 300_001)).toBe("stale_timestamp");
    expect(await outcome(sig, ts, now - 300_000)).toBe("ok");
    expect(await outcome(sig, ts, now - 300_001)).toBe("future_timestamp");
    const ms = signLob(raw, SECRET, now);
    expect(await outcome(ms["lob-signature"], ms["lob-signature-timestamp"])).toBe("ok");
    expect(await outcome(ms["lob-signature"], ms["lob-signature-timestamp"], now + 300_001)).toBe(
      "stale_timestamp",
    );
    // 1e12 exactly is read as seconds (far in the future), one more as milliseconds (2001).
    const edge = signLob(raw, SECRET, 1e12);
    expect(await outcome(edge["lob-signature"], edge["lob-signature-timestamp"], 1e12 * 1000)).toBe("ok");
    const past = signLob(raw, SECRET, 1e12 + 1);
    expect(await outcome(past["lob-signature"], past["lob-signature-timestamp"], 1e12 + 1)).toBe("ok");
  });
});

describe("Lob verification failures as callers see them", () => {
  it("names the provider, reason and a message for each failure (the message is the 4xx answer)", async () => {
    const { "lob-signature": sig, "lob-signature-timestamp": ts } = signLob(raw, SECRET, NOW_SEC);
    const cases: [string | null, string | null, number, string, string][] = [
      [sig, null, now, "missing_header", "Missing Lob-Signature or Lob-Signature-Timestamp header"],
      [sig, `x${ts}`, now, "malformed_header", "Malformed Lob signature headers"],
      [sig, `${ts}x`, now, "malformed_header", "Malformed Lob signature headers"],
      [sig, ts, now + 300_001, "stale_timestamp", "Webhook timestamp is too old"],
      [
        signLob(raw, "other", NOW_SEC)["lob-signature"],
        ts,
        now,
        "invalid_signature",
        "Lob signature does not match",
      ],
    ];
    for (const [signature, timestamp, at, reason, message] of cases) {
      const error = await verifyLobWebhook(bytes, { signature, timestamp }, async () => SECRET, at).catch(
        (e: WebhookVerificationError) => e,
      );
      expect(error).toMatchObject({ reason, message, context: { provider: "lob", reason } });
    }
  });
});
