#!/usr/bin/env node
// The `switchboard` command: the CLI compiled by `npm run build` (run by `npm install`), or, in a
// checkout that was never built, the TypeScript source through tsx (slower to start).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/switchboard.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../local/cli/main.ts");
}
