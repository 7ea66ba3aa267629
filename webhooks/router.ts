import { inboundProviders } from "../src/ingress/inbound-providers.ts";
import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { configureLogging } from "../src/observability/logger.ts";
import { handleOAuthCallback } from "./oauth-callback.ts";

/**
 * Maps public paths to web-standard handlers. Mountable anywhere a `Request` becomes a
 * `Response` (Node, Next.js route handlers, Vercel, Cloudflare Workers). Edge-safe.
 */
export type WebhookHandler = (
  request: Request,
  params: Record<string, string>,
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
) => Promise<Response>;

export type { HandlerContext };

interface Route {
  pattern: RegExp;
  names: string[];
  handler: WebhookHandler;
}

const routes: Route[] = [];

function pattern(path: string): Omit<Route, "handler"> {
  const names: string[] = [];
  const source = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** Registers a handler for a path such as `/webhooks/stripe` or `/webhooks/lob/:tenantId`. */
export function addRoute(path: string, handler: WebhookHandler): void {
  routes.push({ ...pattern(path), handler });
}

addRoute("/oauth/callback/:provider", handleOAuthCallback);
// One door per inbound provider, from its descriptor (per-tenant secrets: the tenant is in the path).
for (const provider of inboundProviders) {
  addRoute(provider.path, (request, params, env, context) =>
    ingestWebhook(request, params, provider, env, context),
  );
}

/** The prefixes this router owns: a request under them that matches no route gets a 404. */
export const ROUTER_PREFIXES = ["/webhooks/", "/oauth/"];

/**
 * Answers a request under the router's prefixes, or `undefined` for any other path. `env` holds the
 * handlers' variables: Cloudflare Workers pass their `env` binding; Node, Next.js and Vercel may omit
 * it (then `process.env` is used). `context.waitUntil` (Workers' `ctx.waitUntil`, Vercel's
 * `waitUntil`) lets webhook doors answer before their trigger completes (decision 031).
 */
export async function routeRequest(
  request: Request,
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
    } catch {
      // A bad percent-escape (`%zz`, a lone `%`, invalid UTF-8) is the client's mistake.
      return new Response(JSON.stringify({ error: "Malformed path" }), {
        status: 400,
        headers: { "content-type": "application/json" },
      });
    }
    configureLogging(env);
    return route.handler(request, params, env, context);
  }
  if (ROUTER_PREFIXES.some((prefix) => pathname.startsWith(prefix))) {
    return new Response(JSON.stringify({ error: `No handler for ${pathname}` }), {
      status: 404,
      headers: { "content-type": "application/json" },
    });
  }
  return undefined;
}
