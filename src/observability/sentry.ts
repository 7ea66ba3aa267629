import * as Sentry from "@sentry/node";
import { logger } from "./logger.ts";
import { optionalFeatureUrl } from "./optional-feature-url.ts";
import { redact } from "./redact.ts";
import { runtimeEnv } from "./runtime.ts";

let initialised = false;

/** A DSN names a public key and a project: `https://<key>@<host>/<project id>`. */
const isDsn = (url: URL) => url.username !== "" && /\/[^/]+\/?$/.test(url.pathname);

/**
 * Initialises Sentry once when SENTRY_DSN is set; events are scrubbed of secrets before sending.
 * Never throws (it runs when `trigger/init.ts` is imported, before every run): an invalid DSN is
 * logged once and Sentry stays off.
 */
export function initSentry(): boolean {
  if (initialised) return true;
  const env = runtimeEnv();
  const dsn = optionalFeatureUrl("SENTRY_DSN", env, isDsn);
  if (!dsn) return false;
  try {
    init(dsn, env.SENTRY_ENVIRONMENT?.trim() || env.NODE_ENV || "development");
  } catch (err) {
    logger.error("Sentry could not start: failure reporting is off", { err });
    return false;
  }
  initialised = true;
  return true;
}

function init(dsn: string, environment: string): void {
  Sentry.init({
    dsn,
    environment,
    tracesSampleRate: 0,
    // Collect no user info, cookies, headers, query strings or bodies: they carry tenants' secrets.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
    },
    beforeSend: (event) => redact(event) as typeof event,
  });
}

export interface FailureTags {
  taskId?: string;
  runId?: string;
  tenantId?: string;
  provider?: string;
  connectionId?: string;
}

/** The tenant, provider and connection a task payload names (payloads carry ids, never secrets). */
export function payloadTags(payload: unknown): Pick<FailureTags, "tenantId" | "provider" | "connectionId"> {
  if (typeof payload !== "object" || payload === null) return {};
  const p = payload as Record<string, unknown>;
  const tags: Pick<FailureTags, "tenantId" | "provider" | "connectionId"> = {};
  if (typeof p.tenantId === "string") tags.tenantId = p.tenantId;
  if (typeof p.provider === "string") tags.provider = p.provider;
  if (typeof p.connectionId === "string") tags.connectionId = p.connectionId;
  return tags;
}

/**
 * What a payload names beyond one tag: the connections of a chunk (`connectionIds`, the health
 * checks' payload), ids only, at most 100. Sent as the event's extra data.
 */
export function payloadExtra(payload: unknown): Record<string, unknown> {
  if (typeof payload !== "object" || payload === null) return {};
  const ids = (payload as { connectionIds?: unknown }).connectionIds;
  if (!Array.isArray(ids)) return {};
  return { connectionIds: ids.filter((id): id is string => typeof id === "string").slice(0, 100) };
}

/** Captures a failure with tenant/provider tags and flushes (runs may end right after). */
export async function captureFailure(
  err: unknown,
  tags: FailureTags,
  extra: Record<string, unknown> = {},
): Promise<string | undefined> {
  if (!initialised) return undefined;
  const clean = Object.fromEntries(Object.entries(tags).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
  const id = Sentry.captureException(err, { tags: clean, extra });
  await Sentry.flush(2_000);
  return id;
}
