// `npm run build` (also run by `npm install` through `prepare`, and before the tests): compiles the
// CLI ahead of time into dist/cli, so `switchboard` starts without compiling TypeScript. Packages
// stay external (node_modules); each command's implementation is its own chunk, loaded on use.
// dist/cli sits two directories below the root, like src/db and local/cli, so the paths those
// modules compute from import.meta.url (db/migrations, the task runner's source) stay right.
import { build } from "esbuild";

export const cliBuildOptions = {
  entryPoints: { switchboard: "local/cli/main.ts" },
  outdir: "dist/cli",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
};

export function buildCli() {
  return build(cliBuildOptions);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildCli();
