/** How `npm start` serves the dashboard: with write actions, read-only, or not at all. */
export type DashboardMode = "on" | "readonly" | "off";

/**
 * `SWITCHBOARD_DASHBOARD`: unset, `on` or `1` serve it with its write actions (Test, Cancel,
 * Replay, send a sample); `readonly` hides and refuses them; `off` or `0` serve no dashboard.
 */
export function dashboardMode(value: string | undefined): DashboardMode {
  const mode = value?.trim().toLowerCase() ?? "";
  if (mode === "" || mode === "on" || mode === "1") return "on";
  if (mode === "readonly") return "readonly";
  if (mode === "off" || mode === "0") return "off";
  throw new Error(`SWITCHBOARD_DASHBOARD must be on, readonly or off (got "${value}")`);
}
