import type { ImportEdge } from "./import-graph.ts";

/** Provider SDK packages: only src/providers/ may import them. */
export const PROVIDER_SDKS = [
  "stripe",
  "plaid",
  "lob",
  "@lob/lob-typescript-sdk",
  "retell-sdk",
  "@elevenlabs/elevenlabs-js",
];
const NODE_ONLY_PACKAGES = ["ws", "@electric-sql/pglite", "@sentry/node", "commander", "croner", "tsx"];

const isTest = (file: string) => /\.test\.ts$/.test(file) || file.startsWith("test/");
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * The dependency rules of docs/ARCHITECTURE.md as a checker over import edges. Returns one message per
 * broken rule; `edgeSafeClosure` lists what webhooks/ reaches, to check edge safety.
 */
export function checkDependencyRules(edges: ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const { from, target } = edge;
    if (isTest(from)) {
      if (under(target, "local") && !under(target, "local/sandbox") && !from.startsWith("test/")) {
        problems.push(`${from}: unit tests may import local/sandbox/ only (${edge.specifier})`);
      }
      continue;
    }
    if (under(from, "src")) {
      for (const dir of ["trigger", "webhooks", "local"]) {
        if (under(target, dir)) problems.push(`${from}: src/ must not import ${dir}/ (${edge.specifier})`);
      }
      if (target === "@trigger.dev/sdk" && from !== "src/jobs.ts") {
        problems.push(`${from}: only src/jobs.ts may import @trigger.dev/sdk`);
      }
    }
    if (PROVIDER_SDKS.includes(target) && !under(from, "src/providers")) {
      problems.push(`${from}: provider SDK ${target} may be imported only in src/providers/`);
    }
    // Benchmarks drive the local runtime and simulators, as test suites do.
    if (!under(from, "local") && !under(from, "bench") && under(target, "local")) {
      problems.push(`${from}: nothing outside local/ may import local/ (${edge.specifier})`);
    }
    const schemaUsers = ["src", "local", "db", "bench"];
    if (target === "db/schema.ts" && !schemaUsers.some((dir) => under(from, dir))) {
      problems.push(`${from}: db/schema.ts is imported by src/ only (${edge.specifier})`);
    }
    if (under(from, "webhooks") && under(target, "trigger") && !edge.typeOnly) {
      problems.push(`${from}: webhooks/ may import trigger/ type-only (${edge.specifier})`);
    }
    if (under(from, "trigger") && under(target, "webhooks")) {
      problems.push(`${from}: trigger/ must not import webhooks/ (${edge.specifier})`);
    }
  }
  return problems;
}

/** Everything webhooks/ reaches at run time must be edge-safe: no `node:` built-ins, no Node-only packages. */
export function checkEdgeSafety(edges: ImportEdge[]): string[] {
  const byFile = new Map<string, ImportEdge[]>();
  for (const edge of edges) byFile.set(edge.from, [...(byFile.get(edge.from) ?? []), edge]);
  const problems: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, path: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const edge of byFile.get(file) ?? []) {
      if (edge.typeOnly) continue;
      if (edge.target.startsWith("node:") || NODE_ONLY_PACKAGES.includes(edge.target)) {
        problems.push(`${[...path, file].join(" → ")} imports ${edge.specifier}, which is not edge-safe`);
      } else if (edge.specifier.startsWith(".")) {
        visit(edge.target, [...path, file]);
      }
    }
  };
  for (const file of byFile.keys()) if (file.startsWith("webhooks/") && !isTest(file)) visit(file, []);
  return problems;
}
