import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.ts";
import { decryptSecret, encryptSecret } from "./envelope.ts";
import { parseKeyRing } from "./key-ring.ts";

const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64url");
const binding = { tenantId: "t", provider: "slack", field: "access_token" };

describe("ENCRYPTION_KEYS parsing", () => {
  it("keeps entries in order, trims spaces and skips empty entries; the first encrypts", async () => {
    const ring = await parseKeyRing(` v2:${K2} ,, v1:${K1} ,`);
    expect(ring.versions).toEqual(["v2", "v1"]);
    expect(ring.current.version).toBe("v2");
    expect(ring.get("v1")?.version).toBe("v1");
    expect(ring.get("v3")).toBeUndefined();
    const sealed = await encryptSecret(ring, "s", binding);
    const onlyV2 = await parseKeyRing(`v2:${K2}`);
    expect(await decryptSecret(onlyV2, sealed, binding)).toBe("s");
  });

  it("accepts versions of letters, digits, _ and - up to 32 characters", async () => {
    const version = `A_z-9${"x".repeat(27)}`;
    expect((await parseKeyRing(`${version}:${K1}`)).versions).toEqual([version]);
  });

  it.each([
    ["", /empty/],
    [" , ", /empty/],
    [`:${K1}`, /entry 1 needs the form/],
    [K1, /entry 1 needs the form/],
    [`v1:${K1},v 2:${K2}`, /entry 2 needs the form/],
    [`v.1:${K1}`, /entry 1 needs the form/],
    [`${"x".repeat(33)}:${K1}`, /entry 1 needs the form/],
    [`v1:${K1},v1:${K2}`, /version "v1" twice/],
    ["v1:not*base64", /version "v1" is not valid base64/],
    [`v1:${Buffer.alloc(31).toString("base64")}`, /version "v1" must decode to 32 bytes, got 31/],
    [`v1:${Buffer.alloc(33).toString("base64")}`, /must decode to 32 bytes, got 33/],
  ])("refuses %j with a ConfigError naming the problem", async (spec, message) => {
    const attempt = parseKeyRing(spec);
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(message);
  });

  it("refuses an entry without a colon as having no version, whatever it decodes to", async () => {
    await expect(parseKeyRing("abcd")).rejects.toThrow(
      "ENCRYPTION_KEYS entry 1 needs the form <version>:<base64 key>",
    );
  });
});
