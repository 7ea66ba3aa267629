import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "./encoding.ts";
import { hmacSha256, hmacSha256Hex, sha256Hex, timingSafeEqual } from "./hmac.ts";

describe("signature primitives", () => {
  it("computes the same HMAC-SHA256 as Node's crypto", async () => {
    const expected = createHmac("sha256", "whsec_test").update("123.{}").digest("hex");
    expect(await hmacSha256Hex("whsec_test", "123.{}")).toBe(expected);
  });

  it("hashes with SHA-256", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("compares equal strings as equal and any difference as unequal", () => {
    expect(timingSafeEqual("abcdef", "abcdef")).toBe(true);
    expect(timingSafeEqual("abcdef", "abcdeg")).toBe(false);
    expect(timingSafeEqual("abcdef", "abcde")).toBe(false);
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("signs parts as their bytes concatenated, and takes a byte-array secret as is", async () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0xff]);
    const expected = createHmac("sha256", "whsec_test").update("123.").update(body).digest("hex");
    expect(await hmacSha256Hex("whsec_test", ["123.", body])).toBe(expected);
    expect(await hmacSha256Hex("whsec_test", [body, "123."])).not.toBe(expected);
    const key = new Uint8Array(64).fill(7);
    expect(await hmacSha256Hex(key, "m")).toBe(createHmac("sha256", key).update("m").digest("hex"));
    expect(toBase64Url(await hmacSha256("s", "m"))).toBe(
      createHmac("sha256", "s").update("m").digest("base64url"),
    );
    expect(await sha256Hex(body)).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("keeps signing correctly with every secret once more secrets than the key cache holds were used", async () => {
    const secrets = Array.from({ length: 300 }, (_, i) => `secret-${i}`);
    for (const secret of secrets) await hmacSha256Hex(secret, "x");
    for (const secret of [secrets[0]!, secrets[150]!, secrets[299]!]) {
      expect(await hmacSha256Hex(secret, "x")).toBe(createHmac("sha256", secret).update("x").digest("hex"));
    }
  });

  it("compares UTF-8 bytes: strings of equal length but different bytes are unequal", () => {
    expect(timingSafeEqual("é", "e")).toBe(false);
    expect(timingSafeEqual("aé", "aé")).toBe(true);
    expect(timingSafeEqual("\u0000", "")).toBe(false);
    expect(timingSafeEqual("a", "b")).toBe(false);
  });
});
