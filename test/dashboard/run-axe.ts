import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core in the page (its context must bypass the page's CSP) and returns the violations. */
export async function runAxe(page: Page): Promise<{ violations: AxeViolation[]; passes: number }> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<Record<string, unknown[]>> } }).axe;
    const result = (await axe.run()) as unknown as {
      violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[];
      passes: unknown[];
    };
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
      })),
      passes: result.passes.length,
    };
  });
}
