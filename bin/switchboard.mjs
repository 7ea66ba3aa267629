#!/usr/bin/env node
// The `switchboard` command: runs the TypeScript CLI through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../local/cli/main.ts");
