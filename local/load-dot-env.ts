import { existsSync } from "node:fs";

/**
 * Prepares the environment of `npm start` and the CLI: `.env` (optional; real environment
 * variables win), then every empty value removed, since an empty value counts as unset
 * (`.env.example` copied as is leaves most of them empty, and `??` defaults would keep "").
 * Local mode unless SWITCHBOARD_LOCAL is explicitly 0.
 */
export function loadDotEnv(path = ".env", env: NodeJS.ProcessEnv = process.env): void {
  if (existsSync(path)) process.loadEnvFile(path);
  for (const [name, value] of Object.entries(env)) if (value?.trim() === "") delete env[name];
  env.SWITCHBOARD_LOCAL ??= "1";
}
