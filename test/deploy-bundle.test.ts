import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import config, { withoutLocalOnlyCode } from "../trigger.config.ts";

function taskFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return taskFiles(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Bundles every file of trigger/ for Node the way a deploy does, with or without our build plugin. */
async function bundleTrigger(plugins: (typeof withoutLocalOnlyCode)[]) {
  const result = await build({
    entryPoints: taskFiles("trigger"),
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    outdir: "deploy-bundle",
    write: false,
    metafile: true,
    plugins,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  const code = result.outputFiles.map((f) => f.text).join("\n");
  return { inputs, code };
}

describe("the deployed worker bundle of trigger/", () => {
  it("contains neither PGlite nor anything from local/", async () => {
    const { inputs, code } = await bundleTrigger([withoutLocalOnlyCode]);
    expect(inputs.filter((f) => f.includes("@electric-sql/pglite") || f.startsWith("local/"))).toEqual([]);
    expect(inputs).not.toContain("src/db/open-pglite.ts");
    expect(code).toContain("PGlite is not part of deployed workers");
    expect(inputs).toContain("trigger/init.ts");
  });

  it("would contain PGlite without the plugin (the check can fail)", async () => {
    const { inputs } = await bundleTrigger([]);
    expect(inputs.some((f) => f.includes("node_modules/@electric-sql/pglite/"))).toBe(true);
  });

  it("is what trigger.config.ts deploys: the plugin is registered and PGlite is not an external package", () => {
    expect(config.build?.external ?? []).not.toContain("@electric-sql/pglite");
    expect(config.build?.extensions?.map((e) => e.name)).toContain(withoutLocalOnlyCode.name);
  });
});
