import { describe, expect, it } from "vitest";
import { jsonbCanHold, MAX_JSONB_DEPTH } from "./jsonb-can-hold.ts";

describe("jsonbCanHold", () => {
  it("accepts ordinary JSON, paired surrogate escapes and brackets inside strings", () => {
    expect(jsonbCanHold('{"a":[1,{"b":"x"}]}')).toBe(true);
    expect(jsonbCanHold('{"emoji":"\\ud83d\\ude00"}')).toBe(true);
    expect(jsonbCanHold('{"brace":"{{{{"}')).toBe(true);
  });

  it("refuses a NUL escape, lone high or low surrogates, and nesting beyond the limit", () => {
    expect(jsonbCanHold('{"a":"\\u0000"}')).toBe(false);
    expect(jsonbCanHold('{"a":"\\ud800"}')).toBe(false);
    expect(jsonbCanHold('{"a":"\\ud800x\\udc00"}')).toBe(false);
    expect(jsonbCanHold('{"a":"\\udc00"}')).toBe(false);
    expect(jsonbCanHold(`${"[".repeat(MAX_JSONB_DEPTH)}${"]".repeat(MAX_JSONB_DEPTH)}`)).toBe(true);
    expect(jsonbCanHold(`${"[".repeat(MAX_JSONB_DEPTH + 1)}${"]".repeat(MAX_JSONB_DEPTH + 1)}`)).toBe(false);
  });

  it("refuses numbers beyond PostgreSQL's numeric range, and only outside strings", () => {
    expect(jsonbCanHold('{"a":1e-20000}')).toBe(false);
    expect(jsonbCanHold('{"a":[2.5E+1000000]}')).toBe(false);
    expect(jsonbCanHold(`{"a":0.${"1".repeat(20_000)}}`)).toBe(false);
    expect(jsonbCanHold('{"a":-1.5e300,"b":12345678901234567890,"c":"1e-20000"}')).toBe(true);
  });
});
