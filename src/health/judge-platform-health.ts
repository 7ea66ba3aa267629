import type { HealthState } from "../../db/schema.ts";
import {
  FAILING_AFTER_CHECKS,
  MAX_ERROR_RATE,
  MIN_RATE_SAMPLE,
  SLOW_PROBE_MS,
} from "../connections/apply-connection-signals.ts";
import type { ProbeResult } from "./probe-connection.ts";

const HOUR_MS = 3_600_000;

/** What is kept of a platform credential's health between sweeps (`platform_credential_health`). */
export interface PlatformHealthState {
  healthState: HealthState;
  consecutiveFailures: number;
  failingSince: Date | null;
  windowStartedAt: Date | null;
  windowChecks: number;
  windowFailures: number;
  lastError: string | null;
  lastErrorClass: string | null;
}

export interface PlatformHealthJudgement {
  next: PlatformHealthState;
  /** The check row's outcome: ok, degraded (slow, a warning, or throttled) or failing. */
  outcome: "ok" | "degraded" | "failing";
  /** The alert level after this probe (`unknown` keeps whatever was last told). */
  alert: "ok" | "failing" | undefined;
}

/**
 * A platform credential's health after one probe, by the rules of a connection's health
 * (`applyConnectionSignals`): a `rate_limited` probe is recorded and changes nothing; `auth` or
 * `permission`, or FAILING_AFTER_CHECKS failures in a row, → `failing`; a success with a warning,
 * slower than SLOW_PROBE_MS, or an hourly error rate above MAX_ERROR_RATE (once the hour holds
 * MIN_RATE_SAMPLE probes) → `degraded`; else `ok`. Pure: the caller stores the result.
 */
export function judgePlatformHealth(
  prev: PlatformHealthState,
  probe: ProbeResult,
  now: Date,
): PlatformHealthJudgement {
  const failureClass = probe.failure?.failureClass;
  const inconclusive = !probe.ok && failureClass === "rate_limited";
  const failures = probe.ok ? 0 : inconclusive ? prev.consecutiveFailures : prev.consecutiveFailures + 1;
  const newWindow = !prev.windowStartedAt || prev.windowStartedAt.getTime() < now.getTime() - HOUR_MS;
  const failed = !probe.ok && !inconclusive ? 1 : 0;
  const windowChecks = newWindow ? 1 : prev.windowChecks + 1;
  const windowFailures = (newWindow ? 0 : prev.windowFailures) + failed;
  const slow = probe.latencyMs > SLOW_PROBE_MS;
  const erratic = windowChecks >= MIN_RATE_SAMPLE && windowFailures / windowChecks > MAX_ERROR_RATE;

  let healthState = prev.healthState;
  let why: string | null = null;
  if (!probe.ok) {
    if (
      !inconclusive &&
      (failureClass === "auth" || failureClass === "permission" || failures >= FAILING_AFTER_CHECKS)
    )
      healthState = "failing";
  } else if (probe.warning) {
    healthState = "degraded";
    why = probe.warning;
  } else if (slow) {
    healthState = "degraded";
    why = `probe took ${Math.round(probe.latencyMs)} ms (over ${SLOW_PROBE_MS} ms)`;
  } else if (erratic) {
    healthState = "degraded";
    why = `${windowFailures} of ${windowChecks} probes failed in the last hour`;
  } else {
    healthState = "ok";
  }

  const next: PlatformHealthState = {
    healthState,
    consecutiveFailures: failures,
    failingSince: failures === 0 ? null : (prev.failingSince ?? now),
    windowStartedAt: newWindow ? now : prev.windowStartedAt,
    windowChecks,
    windowFailures,
    lastError: inconclusive ? prev.lastError : probe.ok ? why : (probe.failure?.reason ?? null),
    lastErrorClass: probe.ok ? null : (failureClass ?? "config"),
  };
  const outcome =
    inconclusive || (probe.ok && (probe.warning || slow)) ? "degraded" : probe.ok ? "ok" : "failing";
  const alert = healthState === "failing" ? "failing" : healthState === "unknown" ? undefined : "ok";
  return { next, outcome, alert };
}
