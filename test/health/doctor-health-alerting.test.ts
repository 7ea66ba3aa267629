import { describe, expect, it } from "vitest";
import { healthAlerting } from "../../local/cli/doctor-health-alerting.ts";

const heartbeat = "https://uptime.betterstack.com/api/v1/heartbeat/hb_x";

describe("switchboard doctor: health alerting", () => {
  it("fails in production when no heartbeat would notice a sweep that stopped", async () => {
    await expect(healthAlerting({ SWITCHBOARD_LOCAL: "0" })).rejects.toThrow(
      /HEALTH_SWEEP_HEARTBEAT_URL is not set.*stops running goes unnoticed; alerts go to no channel/,
    );
    await expect(healthAlerting({ HEALTH_SWEEP_HEARTBEAT_URL: "not a url" })).rejects.toThrow(
      /HEALTH_SWEEP_HEARTBEAT_URL is not set \(or not a URL\)/,
    );
  });

  it("names the heartbeat and the alert channels that are on", async () => {
    await expect(
      healthAlerting({
        HEALTH_SWEEP_HEARTBEAT_URL: heartbeat,
        ALERTS_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x",
        BETTER_STACK_API_TOKEN: "bs",
      }),
    ).resolves.toBe("heartbeat set; alerts go to Slack, Better Stack incidents");
    await expect(healthAlerting({ SWITCHBOARD_LOCAL: "1" })).resolves.toMatch(/^no heartbeat/);
  });
});
