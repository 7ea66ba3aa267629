import { describe, expect, it } from "vitest";
import { fromBase64, fromHex, fromUtf8, toBase64, toBase64Url, toHex, utf8 } from "./encoding.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("byte encodings", () => {
  it("writes base64 with padding and base64url without, as Node does", () => {
    const data = bytes(0xfb, 0xff, 0xbf, 0x00, 0x01);
    expect(toBase64(data)).toBe(Buffer.from(data).toString("base64"));
    expect(toBase64Url(data)).toBe(Buffer.from(data).toString("base64url"));
    expect(toBase64Url(data)).toBe("-_-_AAE");
    expect(toBase64Url(bytes(0xff, 0xef, 0xbe))).toBe("_---");
  });

  it("reads base64 and base64url, padded or not, and refuses what is not base64", () => {
    expect([...fromBase64("-_-_AAE")]).toEqual([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    expect([...fromBase64("+/+/AAE=")]).toEqual([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    expect([...fromBase64("_-__-_")]).toEqual([0xff, 0xef, 0xff, 0xfb]);
    expect([...fromBase64("AQ")]).toEqual([1]);
    expect([...fromBase64("AQI")]).toEqual([1, 2]);
    expect([...fromBase64("AQID")]).toEqual([1, 2, 3]);
    expect([...fromBase64("")]).toEqual([]);
    expect(() => fromBase64("A")).toThrow();
    expect(() => fromBase64("a*b")).toThrow();
  });

  it("writes two lower-case hex digits a byte and reads them back", () => {
    expect(toHex(bytes(0, 1, 0x0f, 0x10, 0xab, 0xff))).toBe("00010f10abff");
    expect([...fromHex("00010f10abff")]).toEqual([0, 1, 0x0f, 0x10, 0xab, 0xff]);
    expect([...fromHex("ABcd")]).toEqual([0xab, 0xcd]);
    expect([...fromHex("")]).toEqual([]);
  });

  it("decodes UTF-8 strictly: invalid bytes are refused, never replaced", () => {
    expect(fromUtf8(utf8("é€𝄞"))).toBe("é€𝄞");
    expect(() => fromUtf8(bytes(0xc3))).toThrow();
    expect(() => fromUtf8(bytes(0xff, 0x41))).toThrow();
  });

  it("strips every trailing pad of base64url, and reads long hex strings byte by byte", () => {
    expect(toBase64Url(bytes(1))).toBe("AQ");
    expect(toBase64Url(bytes(1, 2))).toBe("AQI");
    const hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect([...fromHex(hex)]).toEqual([...Buffer.from(hex, "hex")]);
  });
});
