import { describe, expect, it } from "vitest";
import { CryptoError } from "../errors.ts";
import { decryptSecret, encryptSecret } from "./envelope.ts";
import { parseKeyRing } from "./key-ring.ts";
import { nodeEnvelope } from "./node-envelope.ts";

const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64");
const binding = {
  tenantId: "7d1a3c2e-0000-4000-8000-000000000001",
  provider: "google_drive",
  field: "refresh_token",
};

describe("the node:crypto envelope of the refresh sweep", () => {
  it("opens what Web Crypto sealed and seals what Web Crypto opens", async () => {
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    const node = nodeEnvelope(ring);
    const byWeb = await encryptSecret(ring, "rt_ünïcode_1", binding);
    expect(node.decryptSecret(byWeb, binding)).toBe("rt_ünïcode_1");
    const byNode = node.encryptSecret("rt_ünïcode_2", binding);
    expect(byNode.startsWith("sb1.v2.")).toBe(true);
    expect(byNode).not.toContain("rt_");
    expect(await decryptSecret(ring, byNode, binding)).toBe("rt_ünïcode_2");
  });

  it("opens a ciphertext of an older key version and seals under the current one", async () => {
    const old = await parseKeyRing(`v1:${K1}`);
    const sealed = await encryptSecret(old, "rt_old", binding);
    const node = nodeEnvelope(await parseKeyRing(`v2:${K2},v1:${K1}`));
    expect(node.decryptSecret(sealed, binding)).toBe("rt_old");
    expect(node.encryptSecret("rt_new", binding).split(".")[1]).toBe("v2");
  });

  it("uses a fresh IV for every seal, past one refill of its IV pool", async () => {
    const node = nodeEnvelope(await parseKeyRing(`v1:${K1}`));
    const ivs = new Set(Array.from({ length: 600 }, () => node.encryptSecret("same", binding).split(".")[2]));
    expect(ivs.size).toBe(600);
  });

  it.each([
    ["another tenant", { ...binding, tenantId: "7d1a3c2e-0000-4000-8000-000000000002" }],
    ["another provider", { ...binding, provider: "slack" }],
    ["another field", { ...binding, field: "access_token" }],
  ])("refuses a ciphertext copied to %s", async (_label, other) => {
    const node = nodeEnvelope(await parseKeyRing(`v1:${K1}`));
    const sealed = node.encryptSecret("secret", binding);
    expect(() => node.decryptSecret(sealed, other)).toThrow(CryptoError);
  });

  it("refuses a tampered ciphertext, a truncated one and an unknown key version", async () => {
    const ring = await parseKeyRing(`v1:${K1}`);
    const node = nodeEnvelope(ring);
    const sealed = node.encryptSecret("secret", binding);
    const [scheme, version, iv, body] = sealed.split(".") as [string, string, string, string];
    const flipped = body.slice(0, 3) + (body[3] === "A" ? "B" : "A") + body.slice(4);
    expect(() => node.decryptSecret([scheme, version, iv, flipped].join("."), binding)).toThrow(CryptoError);
    expect(() => node.decryptSecret([scheme, version, iv, body.slice(0, 8)].join("."), binding)).toThrow(
      CryptoError,
    );
    await expect(decryptSecret(ring, [scheme, version, iv, flipped].join("."), binding)).rejects.toThrow(
      CryptoError,
    );
    expect(() => node.decryptSecret([scheme, "v9", iv, body].join("."), binding)).toThrow(/v9/);
  });

  it("names the missing version, and says why a ciphertext failed to open, with its binding", async () => {
    const node = nodeEnvelope(await parseKeyRing(`v2:${K2}`));
    const missing = (() => {
      try {
        node.decryptSecret("sb1.v9.aaaa.bbbb", binding);
      } catch (err) {
        return err as CryptoError;
      }
    })();
    expect(missing?.context).toEqual({ version: "v9" });
    const sealed = node.encryptSecret("s", binding);
    const wrong = (() => {
      try {
        node.decryptSecret(sealed, { ...binding, field: "other" });
      } catch (err) {
        return err as CryptoError;
      }
    })();
    expect(wrong).toMatchObject({
      message: "Credential failed to decrypt (wrong key, wrong row or tampered)",
      context: { version: "v2", provider: binding.provider, field: "other" },
    });
  });

  it("opens an empty secret, whose ciphertext is exactly one authentication tag", async () => {
    const node = nodeEnvelope(await parseKeyRing(`v2:${K2}`));
    const sealed = node.encryptSecret("", binding);
    expect(Buffer.from(sealed.split(".")[3]!, "base64url")).toHaveLength(16);
    expect(node.decryptSecret(sealed, binding)).toBe("");
  });
});
