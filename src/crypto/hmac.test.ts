import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256Hex, sha256Hex, timingSafeEqual } from "./hmac.ts";

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
});
