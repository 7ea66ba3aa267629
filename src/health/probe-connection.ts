import {
  type ClassifiedFailure,
  classifyConnectionFailure,
} from "../connections/classify-connection-failure.ts";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import { getConnectionCredential } from "../connections/get-access-token.ts";
import type { Deps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { REDACTED, redactString } from "../observability/redact.ts";
import { probeRequest, tokenRequest } from "../providers/probe-request.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { probeFailure } from "./probe-failure.ts";
import { probeWarning } from "./probe-warning.ts";

/** A probe that takes longer than this has failed (provider down), whatever it would have said. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Tokens expiring sooner than this are refreshed (through the refresh machinery) before probing. */
const FRESH_MARGIN_MS = 2 * 60_000;

/** What the sweep knows of a connection it probes (read once per chunk, credentials still sealed). */
export interface ProbeTarget {
  id: string;
  tenantId: string;
  provider: string;
  credentials: Record<string, string>;
  metadata: Record<string, unknown>;
  tokenExpiresAt: Date | null;
  /** The platform's own credential (`<ID>_*` variables, through the resolver), not a connection's. */
  platform?: boolean;
}

export interface ProbeResult {
  connectionId: string;
  ok: boolean;
  latencyMs: number;
  httpStatus: number | undefined;
  failure: ClassifiedFailure | undefined;
  /** A successful probe whose answer says the account cannot do its job (payouts disabled). */
  warning?: string | undefined;
}

export type ProbeDeps = Pick<Deps, "db" | "keyRing" | "env" | "http" | "notifier" | "credentials">;

async function credentialFields(deps: ProbeDeps, target: ProbeTarget): Promise<Record<string, string>> {
  const entry = providerConfig(target.provider, deps.env).entry;
  // No tenant: the resolver answers with the platform's credential (minting PayPal's token).
  if (target.platform || entry.credentialScope === "platform")
    return (await deps.credentials.resolve(target.provider)).fields;
  const expiring = target.tokenExpiresAt && target.tokenExpiresAt.getTime() < Date.now() + FRESH_MARGIN_MS;
  const usable = target.credentials.access_token ?? target.credentials.api_key ?? entry.tokenRequest;
  if (expiring || !usable) {
    return (await getConnectionCredential(deps, target.tenantId, target.provider)).fields;
  }
  const { refresh_token: _unused, ...sealed } = target.credentials;
  return decryptCredentials(deps.keyRing, { tenantId: target.tenantId, provider: target.provider }, sealed);
}

/**
 * The failure's text without the credential: a provider's error body is echoed into it (stored as
 * `last_error`, shown by `health` and posted to Slack), and some echo the key they refused.
 */
function withoutSecrets(reason: string, fields: Record<string, string>): string {
  const secrets = Object.values(fields)
    .filter((v) => typeof v === "string" && v.length >= 6)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((text, secret) => text.split(secret).join(REDACTED), redactString(reason));
}

/**
 * Probes one connection with its own credential: the catalog's cheapest read-only call (or, for
 * client-credentials providers, a token request), through the provider HTTP client. Never
 * throws: every failure comes back classified (auth, permission, rate_limited, provider_down,
 * config), with the latency measured around the provider call only.
 */
export async function probeConnection(deps: ProbeDeps, target: ProbeTarget): Promise<ProbeResult> {
  let started = performance.now();
  let fields: Record<string, string> = {};
  try {
    const config = providerConfig(target.provider, deps.env);
    fields = await credentialFields(deps, target);
    const { url, init } = config.entry.probe
      ? probeRequest(config, fields, target.metadata)
      : tokenRequest(config, fields, target.metadata);
    started = performance.now();
    const response = await deps.http.request({
      provider: target.provider,
      operation: "health.probe",
      url,
      ...init,
      timeoutMs: PROBE_TIMEOUT_MS,
      failure: probeFailure(target.provider),
    });
    const latencyMs = performance.now() - started;
    return {
      connectionId: target.id,
      ok: true,
      latencyMs,
      httpStatus: response.status,
      failure: undefined,
      warning: probeWarning(target.provider, response),
    };
  } catch (err) {
    const status = err instanceof AppError ? err.context.status : undefined;
    const failure = classifyConnectionFailure(err);
    return {
      connectionId: target.id,
      ok: false,
      latencyMs: performance.now() - started,
      httpStatus: typeof status === "number" ? status : undefined,
      failure: { ...failure, reason: withoutSecrets(failure.reason, fields) },
    };
  }
}
