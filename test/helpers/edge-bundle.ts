import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

/** The export conditions edge bundlers use (wrangler for workerd; Next.js/Vercel for edge routes). */
export const EDGE_CONDITIONS = ["workerd", "worker", "edge-light", "browser"];

export interface EdgeBundle {
  code: string;
  gzipBytes: number;
  metafile: Metafile;
  /** Every input file of the bundle (node_modules paths included). */
  inputs: string[];
}

/**
 * Bundles an entry for a worker target the way the deploy tools do (esbuild, browser platform,
 * worker conditions, minified ESM), with its metafile and gzipped size.
 */
export async function bundleForEdge(
  entry: string,
  options: { minify?: boolean; format?: "esm" | "iife" } = {},
): Promise<EdgeBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: options.format ?? "esm",
    target: "es2022",
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    conditions: EDGE_CONDITIONS,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  return {
    code,
    gzipBytes: gzipSync(result.outputFiles[0]!.contents).length,
    metafile: result.metafile,
    inputs: Object.keys(result.metafile.inputs),
  };
}
