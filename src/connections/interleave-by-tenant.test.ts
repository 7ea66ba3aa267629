import { describe, expect, it } from "vitest";
import { interleaveByTenant } from "./interleave-by-tenant.ts";

const rows = (spec: string) => spec.split(" ").map((s) => ({ tenant_id: s[0]!, n: s }));
const order = (list: { n: string }[]) => list.map((r) => r.n).join(" ");

describe("interleaving rows by tenant", () => {
  it("lets tenants take turns, each keeping its own order, in the order tenants first appear", () => {
    expect(order(interleaveByTenant(rows("a1 a2 a3 b1 c1 b2")))).toBe("a1 b1 c1 a2 b2 a3");
  });

  it("keeps every row exactly once, however uneven the tenants", () => {
    const input = rows("a1 a2 a3 a4 a5 b1");
    const out = interleaveByTenant(input);
    expect(out).toHaveLength(6);
    expect(order(out)).toBe("a1 b1 a2 a3 a4 a5");
  });

  it("returns nothing for nothing", () => {
    expect(interleaveByTenant([])).toEqual([]);
  });
});
