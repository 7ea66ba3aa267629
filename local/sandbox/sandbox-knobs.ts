import type { Fault, Simulator } from "./simulator.ts";
import type { Sandbox } from "./start-sandbox.ts";

/** Which simulator answers a catalog provider (the Google family shares one, Stripe's API is Stripe Connect's). */
const SIMULATOR_OF: Record<string, keyof Sandbox> = {
  google_ads: "google",
  ga4: "google",
  google_drive: "google",
  google_calendar: "google",
  slack: "slack",
  meta_ads: "meta",
  stripe_connect: "stripe",
  stripe: "stripe",
  resend: "resend",
  plaid: "plaid",
  paypal: "paypal",
  lob: "lob",
  retell: "retell",
  elevenlabs: "elevenlabs",
  fairing: "fairing",
};

export const FAULTABLE_PROVIDERS = Object.keys(SIMULATOR_OF);

/**
 * Breaks (or mends) one provider's simulator in a running sandbox, to watch health checks,
 * refreshes and alerts react: every route, or one (`"GET /v1/addresses"`), answers `status`
 * (with the body given), after `latencyMs`, for `times` requests or until cleared.
 */
export function setSandboxFault(
  sandbox: Sandbox,
  provider: string,
  fault: Fault & { route?: string | undefined; clear?: boolean | undefined },
): void {
  const simulator = sandbox[SIMULATOR_OF[provider] ?? ("" as keyof Sandbox)] as Simulator | undefined;
  if (!simulator) throw new Error(`no simulator for ${provider}`);
  simulator.clearFaults();
  if (fault.clear) return;
  const { route, clear: _clear, ...rest } = fault;
  simulator.fault(route ?? "*", rest);
}

/** The Slack incoming-webhook posts the sandbox received (alerts and notices), oldest first. */
export function sandboxAlerts(sandbox: Sandbox): { at: string; channel: string; text: string }[] {
  return sandbox.slack.requests
    .filter((r) => r.method === "POST" && r.path.startsWith("/hooks/"))
    .map((r) => {
      let text = r.body;
      try {
        text = String((JSON.parse(r.body) as { text?: unknown }).text ?? r.body);
      } catch {}
      return { at: new Date(r.at).toISOString(), channel: r.path.slice("/hooks/".length), text };
    });
}
