import { describe, expect, it } from "vitest";
import { toMinorUnits } from "./to-minor-units.ts";

describe("toMinorUnits", () => {
  it("converts decimal strings and numbers by the currency's exponent without float error", () => {
    expect(toMinorUnits("59.90", "USD")).toBe(5990);
    expect(toMinorUnits(0.29, "usd")).toBe(29);
    expect(toMinorUnits("1200", "JPY")).toBe(1200);
    expect(toMinorUnits("1.2345", "KWD")).toBe(1235);
    expect(toMinorUnits("-3.5", "EUR")).toBe(-350);
  });

  it("gives nothing for a missing amount, a missing or unknown currency, or a non-number", () => {
    expect(toMinorUnits(null, "USD")).toBeUndefined();
    expect(toMinorUnits("10", null)).toBeUndefined();
    expect(toMinorUnits("10", "NOT-A-CODE")).toBeUndefined();
    expect(toMinorUnits("ten", "USD")).toBeUndefined();
  });
});
