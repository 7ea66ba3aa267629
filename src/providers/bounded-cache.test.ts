import { describe, expect, it } from "vitest";
import { BoundedCache } from "./bounded-cache.ts";

describe("BoundedCache", () => {
  it("evicts the least recently read entry beyond its bound", () => {
    const cache = new BoundedCache<number>(2);
    cache.set("a", 1, 60_000);
    cache.set("b", 2, 60_000);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3, 60_000);
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
  });

  it("reads an entry past its expiry as missing and drops it", () => {
    let now = 0;
    const cache = new BoundedCache<string>(10, () => now);
    cache.set("k", "v", 1_000);
    now = 999;
    expect(cache.get("k")).toBe("v");
    now = 1_000;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
