/**
 * A Cloudflare Worker serving Switchboard's webhook handlers and OAuth callback.
 *
 *   # wrangler.toml
 *   name = "switchboard-webhooks"
 *   main = "docs/examples/cloudflare-worker.ts"
 *   compatibility_date = "2025-01-01"   # no nodejs_compat flag needed
 *
 *   wrangler secret put DATABASE_URL        # Neon, pooled (-pooler) URL: the handlers use Neon's HTTP driver
 *   wrangler secret put ENCRYPTION_KEYS
 *   wrangler secret put TRIGGER_SECRET_KEY
 *   wrangler secret put STRIPE_WEBHOOK_SECRET   # and the other providers' variables (README)
 *
 * Cloudflare passes the variables as `env` (there is no `process.env` without `nodejs_compat`),
 * so the worker hands `env` to the router. Logs are JSON lines through `console`, redacted.
 * `ctx.waitUntil` lets a webhook door answer once the event is stored and trigger its processing
 * after the response (decision 031).
 */
import { routeRequest } from "../../webhooks/router.ts";

/** The part of Cloudflare's `ExecutionContext` the router uses. */
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(
    request: Request,
    env: Record<string, string | undefined>,
    ctx: ExecutionContext,
  ): Promise<Response> {
    const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
    return (await routeRequest(request, env, { waitUntil })) ?? new Response("Not found", { status: 404 });
  },
};
