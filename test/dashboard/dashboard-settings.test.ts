import { describe, expect, it } from "vitest";
import { dashboardMode } from "../../local/dashboard/dashboard-mode.ts";
import { formatDuration } from "../../local/dashboard/format-duration.ts";
import { isLoopbackAddress, isLoopbackHost } from "../../local/dashboard/loopback-host.ts";

describe("dashboard settings and helpers", () => {
  it("reads SWITCHBOARD_DASHBOARD as on, readonly or off and refuses anything else", () => {
    for (const value of [undefined, "", " on ", "1", "ON"]) expect(dashboardMode(value)).toBe("on");
    expect(dashboardMode("readonly")).toBe("readonly");
    expect(dashboardMode("ReadOnly")).toBe("readonly");
    for (const value of ["off", "0"]) expect(dashboardMode(value)).toBe("off");
    expect(() => dashboardMode("yes")).toThrow(
      'SWITCHBOARD_DASHBOARD must be on, readonly or off (got "yes")',
    );
  });

  it("serves loopback addresses only, and only to Host headers that name this machine", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"])
      expect(isLoopbackAddress(host)).toBe(true);
    for (const host of ["0.0.0.0", "192.168.1.4", "::", "example.com"])
      expect(isLoopbackAddress(host)).toBe(false);
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "app.localhost:3000", "localhost"])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of [
      null,
      "",
      "evil.example",
      "localhost.evil.example",
      "127.0.0.1.evil.example:3000",
      "[::2]:3000",
    ])
      expect(isLoopbackHost(host)).toBe(false);
  });

  it("formats durations for people", () => {
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(999)).toBe("999 ms");
    expect(formatDuration(1_000)).toBe("1.0 s");
    expect(formatDuration(12_345)).toBe("12.3 s");
    expect(formatDuration(60_000)).toBe("1 m 00 s");
    expect(formatDuration(245_000)).toBe("4 m 05 s");
    expect(formatDuration(7_800_000)).toBe("2 h 10 m");
  });
});
