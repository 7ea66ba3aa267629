import { describe, expect, it } from "vitest";
import { CryptoError } from "../errors.ts";
import { decryptSecret, encryptSecret, keyVersionOf } from "./envelope.ts";
import { parseKeyRing } from "./key-ring.ts";

const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64");
const binding = {
  tenantId: "7d1a3c2e-0000-4000-8000-000000000001",
  provider: "slack",
  field: "access_token",
};

describe("credential envelope encryption", () => {
  it("round-trips a secret and never shows the plaintext in the ciphertext", async () => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(ring, "xoxb-super-secret", binding);
    expect(sealed).not.toContain("xoxb");
    expect(sealed.startsWith("sb1.v1.")).toBe(true);
    expect(await decryptSecret(ring, sealed, binding)).toBe("xoxb-super-secret");
  });

  it("uses a fresh IV each time, so equal secrets give different ciphertexts", async () => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const a = await encryptSecret(ring, "same", binding);
    const b = await encryptSecret(ring, "same", binding);
    expect(a).not.toBe(b);
  });

  it.each([
    ["another tenant", { ...binding, tenantId: "7d1a3c2e-0000-4000-8000-000000000002" }],
    ["another provider", { ...binding, provider: "google_ads" }],
    ["another field", { ...binding, field: "refresh_token" }],
  ])("refuses to decrypt a ciphertext copied to %s", async (_label, other) => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(ring, "secret", binding);
    await expect(decryptSecret(ring, sealed, other)).rejects.toBeInstanceOf(CryptoError);
  });

  it("detects tampering with any byte of the ciphertext", async () => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(ring, "secret", binding);
    const parts = sealed.split(".");
    const data = parts[3]!;
    const flipped = data[5] === "A" ? "B" : "A";
    parts[3] = `${data.slice(0, 5)}${flipped}${data.slice(6)}`;
    await expect(decryptSecret(ring, parts.join("."), binding)).rejects.toBeInstanceOf(CryptoError);
  });

  it("encrypts with the first key and still decrypts under an older version", async () => {
    const old = await parseKeyRing(`v1:${K1}`);
    const sealedOld = await encryptSecret(old, "legacy", binding);
    const rotated = await parseKeyRing(`v2:${K2},v1:${K1}`);
    expect(await decryptSecret(rotated, sealedOld, binding)).toBe("legacy");
    const sealedNew = await encryptSecret(rotated, "fresh", binding);
    expect(keyVersionOf(sealedNew)).toBe("v2");
  });

  it("names a missing key version instead of failing obscurely", async () => {
    const old = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(old, "legacy", binding);
    const other = await parseKeyRing(`v2:${K2}`);
    await expect(decryptSecret(other, sealed, binding)).rejects.toThrow(/version "v1"/);
  });

  it("rejects malformed key rings without echoing key material", async () => {
    await expect(parseKeyRing("v1:c2hvcnQ=")).rejects.toThrow(/32 bytes/);
    await expect(parseKeyRing(`nope${K1}`)).rejects.toThrow(/<version>:<base64 key>/);
    await expect(parseKeyRing(`v1:${K1},v1:${K2}`)).rejects.toThrow(/twice/);
    await expect(parseKeyRing("v1:c2hvcnQ=")).rejects.not.toThrow(/c2hvcnQ/);
  });

  it("reads the key version only from a four-part sb1 ciphertext", async () => {
    expect(keyVersionOf("sb1.v7.aaaa.bbbb")).toBe("v7");
    for (const bad of [
      "sb2.v1.aaaa.bbbb",
      "sb1..aaaa.bbbb",
      "sb1.v1.aaaa",
      "sb1.v1.aaaa.bbbb.cccc",
      "plain",
    ]) {
      expect(() => keyVersionOf(bad), bad).toThrow(CryptoError);
    }
    const ring = await parseKeyRing(`v1:${K1}`);
    await expect(decryptSecret(ring, "sb1.v1.aaaa", binding)).rejects.toThrow(/Not a Switchboard ciphertext/);
  });

  it("names the version, provider and field of a ciphertext that fails to open, never the plaintext", async () => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(ring, "hunter2", binding);
    const error = await decryptSecret(ring, sealed, { ...binding, field: "refresh_token" }).catch((e) => e);
    expect(error).toBeInstanceOf(CryptoError);
    expect(error.context).toEqual({ version: "v1", provider: "slack", field: "refresh_token" });
    expect(String(error.message)).not.toContain("hunter2");
  });

  it("names the missing version in the error's context, and says why a ciphertext failed to open", async () => {
    const sealed = await encryptSecret(await parseKeyRing(`v1:${K1}`), "s", binding);
    const missing = await decryptSecret(await parseKeyRing(`v2:${K2}`), sealed, binding).catch((e) => e);
    expect(missing.context).toEqual({ version: "v1" });
    const wrong = await decryptSecret(await parseKeyRing(`v1:${K2}`), sealed, binding).catch((e) => e);
    expect(wrong.message).toBe("Credential failed to decrypt (wrong key, wrong row or tampered)");
  });
});
