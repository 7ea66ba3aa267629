import type { ConnectionDeps } from "./connections/connection-deps.ts";
import {
  createConnectionNotifier,
  type Notifier,
  type NotifierDeps,
} from "./connections/connection-notifier.ts";
import { type CredentialResolver, createCredentialResolver } from "./connections/credential-resolver.ts";
import type { KeyRing } from "./crypto/key-ring.ts";
import type { Db } from "./db/types.ts";
import type { JobQueue } from "./jobs.ts";
import { betterStackIncidentsFromEnv } from "./observability/better-stack-incidents.ts";
import { type Logger, logger as rootLogger } from "./observability/logger.ts";
import { optionalFeatureUrl } from "./observability/optional-feature-url.ts";
import {
  createProviderHttpClient,
  type ProviderHttpClient,
  providerTimeoutFromEnv,
} from "./providers/provider-http-client.ts";

export type Env = Record<string, string | undefined>;

/** The time source of capability code (tests pass a fixed one). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Everything task runs, web handlers, the CLI and capability handlers need from the outside world.
 * Built once per process by `buildDeps` and passed down; `src/` capability code never looks any of
 * it up by itself.
 */
export interface Deps extends ConnectionDeps {
  db: Db;
  jobs: JobQueue;
  keyRing: KeyRing;
  /** Provider credentials and endpoint overrides (`<ID>_API_KEY`, `<ID>_TOKEN_URL`, …). */
  env: Env;
  logger: Logger;
  notifier: Notifier;
  credentials: CredentialResolver;
  http: ProviderHttpClient;
  clock: Clock;
}

export interface DepsInput {
  db: Db;
  jobs: JobQueue;
  keyRing: KeyRing;
  env: Env;
  logger?: Logger;
  clock?: Clock;
  /** Error tracking for notifier failures (Sentry in Node processes; absent on the edge). */
  capture?: NotifierDeps["capture"];
  /** Replacements, for tests that need a particular notifier, resolver or client. */
  notifier?: Notifier;
  credentials?: CredentialResolver;
  http?: ProviderHttpClient;
}

/**
 * The one dependency builder (edge-safe: it opens nothing itself). Node processes open the
 * database and key ring and call it through `getDeps()` (src/deps.ts); web handlers through
 * `createEdgeIngressDeps`; the local runtime and the CLI with their own database.
 */
export function buildDeps(input: DepsInput): Deps {
  const logger = input.logger ?? rootLogger;
  const http =
    input.http ?? createProviderHttpClient({ logger, timeoutMs: providerTimeoutFromEnv(input.env) });
  const notifier =
    input.notifier ??
    createConnectionNotifier({
      db: input.db,
      keyRing: input.keyRing,
      http,
      platformSlackWebhookUrl: optionalFeatureUrl("ALERTS_SLACK_WEBHOOK_URL", input.env),
      incidents: betterStackIncidentsFromEnv(http, input.env),
      ...(input.capture ? { capture: input.capture } : {}),
    });
  const base: ConnectionDeps = { db: input.db, keyRing: input.keyRing, env: input.env, notifier, http };
  return {
    ...base,
    jobs: input.jobs,
    logger,
    clock: input.clock ?? systemClock,
    credentials: input.credentials ?? createCredentialResolver(base),
  };
}
