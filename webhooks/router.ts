import { handleLobWebhook } from "./lob.ts";
import { handleOAuthCallback } from "./oauth-callback.ts";
import { handlePayPalWebhook } from "./paypal.ts";
import { handlePlaidWebhook } from "./plaid.ts";
import { handleRetellWebhook } from "./retell.ts";
import { handleStripeWebhook } from "./stripe.ts";

/**
 * Maps public paths to web-standard handlers. Mountable anywhere a `Request` becomes a
 * `Response` (Node, Next.js route handlers, Vercel, Cloudflare Workers). Edge-safe.
 */
export type WebhookHandler = (request: Request, params: Record<string, string>) => Promise<Response>;

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
addRoute("/webhooks/stripe", handleStripeWebhook);
addRoute("/webhooks/plaid", handlePlaidWebhook);
addRoute("/webhooks/paypal", handlePayPalWebhook);
// Per-tenant signing secrets: the tenant is in the path.
addRoute("/webhooks/lob/:tenantId", handleLobWebhook);
addRoute("/webhooks/retell/:tenantId", handleRetellWebhook);

/** The prefixes this router owns: a request under them that matches no route gets a 404. */
export const ROUTER_PREFIXES = ["/webhooks/", "/oauth/"];

export async function routeRequest(request: Request): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const params = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
    );
    return route.handler(request, params);
  }
  if (ROUTER_PREFIXES.some((prefix) => pathname.startsWith(prefix))) {
    return new Response(JSON.stringify({ error: `No handler for ${pathname}` }), {
      status: 404,
      headers: { "content-type": "application/json" },
    });
  }
  return undefined;
}
