import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The `chromium` executable on the PATH (Debian's package puts it there), or undefined. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "chromium");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** The flags every browser test launches Chromium with (no network beyond loopback, no sandbox in containers). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];
