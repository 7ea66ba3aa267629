import { describe, expect, it } from "vitest";
import { checkDependencyRules, checkEdgeSafety } from "./helpers/dependency-rules.ts";
import { importsOf, listSourceFiles, readImports } from "./helpers/import-graph.ts";

const files = listSourceFiles(".", ["src", "trigger", "webhooks", "local", "db", "test", "bench"]);
const edges = readImports(".", files);

describe("dependency rules (docs/ARCHITECTURE.md)", () => {
  it("finds source files to check", () => {
    expect(files).toContain("src/jobs.ts");
    expect(edges.length).toBeGreaterThan(50);
  });

  it("holds for the whole tree", () => {
    expect(checkDependencyRules(edges)).toEqual([]);
  });

  it("keeps everything webhooks/ reaches edge-safe", () => {
    expect(checkEdgeSafety(edges)).toEqual([]);
  });

  it("flags each kind of violation (the checker itself can fail)", () => {
    const bad = [
      ...importsOf("src/payouts/pay.ts", 'import { x } from "../../trigger/payouts.ts";'),
      ...importsOf("src/payouts/run.ts", 'import { tasks } from "@trigger.dev/sdk";'),
      ...importsOf("src/mail/send.ts", 'import Lob from "lob";'),
      ...importsOf("trigger/mail.ts", 'import { s } from "../local/runtime.ts";'),
      ...importsOf("webhooks/stripe.ts", 'import { t } from "../trigger/payouts.ts";'),
      ...importsOf("webhooks/lob.ts", 'import { tenants } from "../db/schema.ts";'),
    ];
    const problems = checkDependencyRules(bad);
    expect(problems).toHaveLength(6);
    expect(importsOf("webhooks/ok.ts", 'import type { T } from "../trigger/payouts.ts";')[0]?.typeOnly).toBe(
      true,
    );
    const unsafe = [
      ...importsOf("webhooks/stripe.ts", 'import { verify } from "../src/crypto/verify.ts";'),
      ...importsOf("src/crypto/verify.ts", 'import { createHmac } from "node:crypto";'),
    ];
    expect(checkEdgeSafety(unsafe)).toEqual([
      "webhooks/stripe.ts → src/crypto/verify.ts imports node:crypto, which is not edge-safe",
    ]);
  });
});
