import { neon } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import * as schema from "../../db/schema.ts";
import { buildDeps, type Deps, type Env } from "../build-deps.ts";
import type { RouteTable } from "../capabilities/create-route-table.ts";
import { inboundRoutes } from "../capabilities/inbound-routes.ts";
import type { OAuthSettings } from "../connections/oauth-settings.ts";
import { parseKeyRing } from "../crypto/key-ring.ts";
import type { Db } from "../db/types.ts";
import { ConfigError } from "../errors.ts";
import { runtimeEnv } from "../observability/runtime.ts";
import { type PlaidKeySource, sharedPlaidKeySource } from "../providers/plaid-webhook.ts";
import { createTriggerHttpJobQueue } from "./trigger-http-job-queue.ts";

/** What web handlers (webhooks, OAuth callback) need. Edge-safe. */
export interface IngressDeps extends Deps {
  /** OAuth settings; undefined when PUBLIC_BASE_URL/OAUTH_STATE_SECRET are not set (webhooks work without). */
  oauth: OAuthSettings | undefined;
  /** The event types the doors accept; default: every installed capability's routes (tests inject their own). */
  inboundRoutes?: RouteTable;
  /** Plaid's webhook verification keys (PLAID_CLIENT_ID, PLAID_SECRET, PLAID_API_URL), when configured. */
  plaidKeys: PlaidKeySource | undefined;
}

/** Plaid's key source from the environment, or undefined when Plaid is not configured. */
export function plaidKeysFromEnv(env: Env): PlaidKeySource | undefined {
  if (!env.PLAID_CLIENT_ID || !env.PLAID_SECRET) return undefined;
  return sharedPlaidKeySource({
    apiUrl: env.PLAID_API_URL ?? "https://production.plaid.com",
    clientId: env.PLAID_CLIENT_ID,
    secret: env.PLAID_SECRET,
  });
}

let installed: Promise<IngressDeps> | undefined;
const byEnv = new WeakMap<object, Promise<IngressDeps>>();

export function oauthSettingsFromEnv(env: Env, fallbackBaseUrl?: string): OAuthSettings {
  // Empty values count as unset (a copied .env.example, an edge env object).
  const publicBaseUrl = env.PUBLIC_BASE_URL?.trim() || fallbackBaseUrl;
  const stateSecret = env.OAUTH_STATE_SECRET?.trim();
  if (!publicBaseUrl || !stateSecret)
    throw new ConfigError("PUBLIC_BASE_URL and OAUTH_STATE_SECRET are required for OAuth");
  const appUrl = env.APP_URL?.trim() || publicBaseUrl;
  return {
    stateSecret,
    publicBaseUrl,
    allowedReturnOrigins: [...new Set([new URL(appUrl).origin, new URL(publicBaseUrl).origin])],
    defaultReturnUrl: appUrl,
  };
}

/**
 * Builds handler dependencies from the environment on an edge runtime: the Neon HTTP driver
 * (one request per statement, so handler code uses single statements, never interactive
 * transactions), the key ring from ENCRYPTION_KEYS and the Trigger.dev client.
 */
export async function createEdgeIngressDeps(env: Env): Promise<IngressDeps> {
  if (!env.DATABASE_URL) throw new ConfigError("DATABASE_URL is required by the web handlers");
  if (!env.ENCRYPTION_KEYS) throw new ConfigError("ENCRYPTION_KEYS is required by the web handlers");
  if (!env.TRIGGER_SECRET_KEY) throw new ConfigError("TRIGGER_SECRET_KEY is required by the web handlers");
  const db = drizzle({ client: neon(env.DATABASE_URL), schema }) as unknown as Db;
  const keyRing = await parseKeyRing(env.ENCRYPTION_KEYS);
  const jobs = createTriggerHttpJobQueue({ apiUrl: env.TRIGGER_API_URL, secretKey: env.TRIGGER_SECRET_KEY });
  return {
    ...buildDeps({ db, keyRing, env, jobs }),
    // Only the OAuth callback needs these; it reports what is missing when it is called.
    oauth: env.PUBLIC_BASE_URL && env.OAUTH_STATE_SECRET ? oauthSettingsFromEnv(env) : undefined,
    inboundRoutes,
    plaidKeys: plaidKeysFromEnv(env),
  };
}

/**
 * The handlers' dependencies for an environment: the one passed to `routeRequest` (Cloudflare's
 * `env`), else `process.env` where it exists. Built once per environment object; a failed build is
 * retried on the next request.
 */
export function getIngressDeps(env?: Env): Promise<IngressDeps> {
  if (installed) return installed;
  const source = env ?? runtimeEnv();
  let deps = byEnv.get(source);
  if (!deps) {
    deps = createEdgeIngressDeps(source);
    byEnv.set(source, deps);
    deps.catch(() => byEnv.delete(source));
  }
  return deps;
}

/** The local runtime and tests install their own (PGlite, sandbox endpoints). */
export function setIngressDeps(deps: IngressDeps | undefined): void {
  installed = deps ? Promise.resolve(deps) : undefined;
}
