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
});
