import { describe, expect, it } from "vitest";
import { findProvider } from "../providers/catalog.ts";
import { refreshDueAt } from "./refresh-schedule.ts";

const now = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const H = 3_600_000;

describe("refresh due date", () => {
  it("refreshes a 12-hour token an hour before it expires", () => {
    expect(refreshDueAt(findProvider("slack")!, at(12 * H), now)).toEqual(at(11 * H));
  });

  it("caps the lead at half the remaining life, so a one-hour token is refreshed after 30 minutes", () => {
    expect(refreshDueAt(findProvider("slack")!, at(H), now)).toEqual(at(H / 2));
  });

  it("uses Meta's seven-day lead for 60-day tokens", () => {
    expect(refreshDueAt(findProvider("meta_ads")!, at(60 * 24 * H), now)).toEqual(at(53 * 24 * H));
  });

  it("keeps idle Google refresh tokens alive monthly, and needs nothing for keys that never expire", () => {
    expect(refreshDueAt(findProvider("google_drive")!, null, now)).toEqual(at(30 * 24 * H));
    expect(refreshDueAt(findProvider("resend")!, null, now)).toBeNull();
  });
});
