import * as Sentry from "@sentry/node";
import { getConfig } from "../config.ts";
import { redact } from "./redact.ts";

let initialised = false;

/** Initialises Sentry once when SENTRY_DSN is set; events are scrubbed of secrets before sending. */
export function initSentry(): boolean {
  if (initialised) return true;
  const config = getConfig();
  if (!config.SENTRY_DSN) return false;
  Sentry.init({
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
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
  initialised = true;
  return true;
}

export interface FailureTags {
  taskId?: string;
  runId?: string;
  tenantId?: string;
  provider?: string;
}

/** Captures a failure with tenant/provider tags and flushes (runs may end right after). */
export async function captureFailure(err: unknown, tags: FailureTags): Promise<string | undefined> {
  if (!initialised) return undefined;
  const clean = Object.fromEntries(Object.entries(tags).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
  const id = Sentry.captureException(err, { tags: clean });
  await Sentry.flush(2_000);
  return id;
}
